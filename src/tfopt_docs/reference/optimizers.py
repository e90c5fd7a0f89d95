"""The Keras optimizers, re-implemented in NumPy (functional, no TensorFlow).

One class per optimizer of the pinned Keras (3.15.1) that has its own update
rule, with the Keras class name and the same constructor keywords and defaults,
including the keywords every Keras optimizer takes (``weight_decay``,
``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``,
``ema_momentum``, ``ema_overwrite_frequency``, ``loss_scale_factor``,
``gradient_accumulation_steps``). ``keras.optimizers.LossScaleOptimizer``
(a wrapper that scales the loss and skips non-finite steps) and
``MultiOptimizer``/``OptimizerMap`` (which route variables to other
optimizers) have no update rule of their own and no class here; the
``loss_scale_factor`` keyword is supported (gradients are divided by it).

The optimizers are functional: ``state = opt.init(params)`` builds the
optimizer state for a list of parameter arrays, and
``params, state = opt.step(params, grads, state)`` returns new lists and a new
state without modifying its arguments. The arithmetic is float32 and follows
the order of operations of Keras's ``apply`` on the TensorFlow backend, so the
results agree with Keras to a few float32 roundings per step.

>>> import numpy as np
>>> from tfopt_docs.reference.optimizers import Adam, get
>>> from tfopt_docs.reference.schedules import ExponentialDecay
>>> opt = Adam(learning_rate=0.1)
>>> params = [np.array([1.0, -2.0], dtype=np.float32)]
>>> state = opt.init(params)
>>> for _ in range(3):
...     grads = [2 * params[0]]                 # gradient of sum(w ** 2)
...     params, state = opt.step(params, grads, state)
>>> print(np.round(params[0], 6), state["iterations"])
[ 0.701589 -1.700626] 3
>>> sgd = get("sgd", learning_rate=ExponentialDecay(0.5, 1, 0.5), momentum=0.9)
>>> w, s = sgd.step([np.float32(1.0)], [np.float32(1.0)], sgd.init([np.float32(1.0)]))
>>> print(w[0], s["momentums"][0])
0.5 -0.5

The state is a plain dict:

* ``"iterations"``: Keras's ``optimizer.iterations`` (the number of updates;
  under gradient accumulation the number of calls floor-divided by
  ``gradient_accumulation_steps``).
* ``"raw_iterations"``: Keras's private counter ``optimizer._iterations``,
  incremented by every ``step`` call. Learning-rate schedules are evaluated at
  this count, bias corrections use ``iterations + 1``.
* ``"paths"``: the variable paths given to :meth:`Optimizer.init` (``""`` when
  not given); they select weight-decay exclusions (by name) and Muon's AdamW
  variables (by path), as the variables' ``name``/``path`` do in Keras.
* one list per optimizer variable of Keras, named as Keras names the Python
  attribute that holds it (``"momentums"``, ``"velocities"``, ...).
* ``"accumulated_gradients"`` when ``gradient_accumulation_steps`` is set,
  ``"ema"`` (the moving averages) when ``use_ema=True``.
"""

from __future__ import annotations

import inspect
import math
import numbers
import re
import warnings
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "ArgumentTypeError",
    "Ftrl",
    "Lamb",
    "Lion",
    "Muon",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "SGD",
    "ScheduleFreeAdamW",
    "get",
]

f32 = np.float32
_ONE = f32(1.0)


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type.

    A ``TypeError`` that is also a ``ValueError``: Keras raises ``ValueError``
    for some of these (e.g. an int ``learning_rate``), so code written for
    Keras's exception keeps working.
    """


# --------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------

def _real(name: str, value: Any, *, low: float | None = None, high: float | None = None,
          low_open: bool = False, high_open: bool = False, floats_only: bool = False) -> float:
    kinds = "a float" if floats_only else "a real number"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"`{name}` must be {kinds}, got {type(value).__name__} {value!r}")
    if floats_only and isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            f"`{name}` must be a float (as Keras requires; write {float(value)!r}), "
            f"got int {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value!r}")
    lo = None if low is None else ("(" if low_open else "[") + f"{low:g}"
    hi = None if high is None else f"{high:g}" + (")" if high_open else "]")
    bad = (low is not None and (value <= low if low_open else value < low)) or (
        high is not None and (value >= high if high_open else value > high))
    if bad:
        if lo and hi:
            rng = f"in {lo}, {hi}"
        elif lo:
            rng = (">" if low_open else ">=") + f" {low:g}"
        else:
            rng = ("<" if high_open else "<=") + f" {high:g}"
        raise ValueError(f"`{name}` must be {rng}, got {value!r}")
    return value


def _opt_real(name: str, value: Any, **kw: Any) -> float | None:
    return None if value is None else _real(name, value, **kw)


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def _int(name: str, value: Any, *, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"`{name}` must be an int >= {low}, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"`{name}` must be an int >= {low}, got {value!r}")
    return int(value)


def _as_float_array(name: str, value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ArgumentTypeError(f"`{name}` must be a real NumPy array, got {type(value).__name__} of dtype {arr.dtype}")
    return np.array(arr, dtype=f32)  # a float32 copy


def _call_learning_rate(fn: Callable, step: int) -> Any:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn(step)
    try:
        sig.bind(step)
    except TypeError:
        return fn()  # a callable of no arguments, as Keras calls it
    return fn(step)


# --------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------

class Optimizer:
    """The machinery shared by every optimizer (Keras's ``BaseOptimizer``).

    One ``step(params, grads, state)`` call is one Keras
    ``optimizer.apply(grads, variables)`` call:

    1. gradients that are ``None`` are dropped (with a warning, as in Keras):
       their variables get no update and no weight decay;
    2. the gradients are divided by ``loss_scale_factor`` if it is set;
    3. with ``gradient_accumulation_steps = n``: unless
       ``(raw_iterations + 1) % n == 0``, the gradients are only added to the
       accumulators and nothing else changes; on that call the gradients
       become ``(g + accumulated) / n``, the accumulators are reset, and the
       update below happens;
    4. the gradients are clipped (``clipnorm`` per tensor, ``global_clipnorm``
       over all tensors, or ``clipvalue`` element-wise; a value of 0 disables
       clipping as in Keras);
    5. weight decay ``w = w - w * weight_decay * lr``, with ``lr`` the
       learning rate at ``raw_iterations``, before the update rule (so the
       rule sees the decayed weights);
    6. the optimizer's own update rule, with the same ``lr``; its bias
       corrections count ``iterations + 1``;
    7. with ``use_ema``, on every call (also the accumulating ones):
       ``ema = m * ema + (1 - m) * w`` with ``m = ema_momentum``, except
       ``m = 0`` while ``iterations == 0``; then, if
       ``ema_overwrite_frequency`` is set and
       ``(iterations + 1) % ema_overwrite_frequency == 0``, ``w = ema``;
    8. ``raw_iterations`` grows by one (and ``iterations`` is recomputed).

    Args:
        learning_rate: A float, a schedule from
            :mod:`tfopt_docs.reference.schedules`, or any callable of the step
            (``raw_iterations``) returning a float; a callable of no
            arguments is called without one, as Keras does.
        weight_decay: Float or None. Decoupled weight decay (step 5).
        clipnorm: Float or None. Clip each gradient to this L2 norm.
        clipvalue: Float or None. Clip each gradient element to
            ``[-clipvalue, clipvalue]``.
        global_clipnorm: Float or None. Clip all gradients together to this
            global L2 norm. At most one of the three clipping options.
        use_ema: Bool. Keep an exponential moving average of the weights.
        ema_momentum: Float in [0, 1]. Momentum of the moving average.
        ema_overwrite_frequency: Int >= 1 or None. Every this many
            iterations the weights are overwritten with their average.
        loss_scale_factor: Float or None. Gradients are divided by it.
        gradient_accumulation_steps: Int >= 2 or None. Update once every
            this many calls with the mean of the gradients.
        name: Str or None. Ignored by the arithmetic (kept for parity).
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=3)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if isinstance(learning_rate, (bool, np.bool_)) or not (callable(learning_rate) or isinstance(learning_rate, numbers.Real)):
            raise ArgumentTypeError(
                "`learning_rate` must be a float, a learning-rate schedule, or a callable of the step; "
                f"got {type(learning_rate).__name__} {learning_rate!r}")
        if not callable(learning_rate):
            learning_rate = _real("learning_rate", learning_rate, low=0.0, floats_only=True)
        self.learning_rate = learning_rate
        self.weight_decay = _opt_real("weight_decay", weight_decay, low=0.0)
        self.clipnorm = _opt_real("clipnorm", clipnorm, low=0.0)
        self.clipvalue = _opt_real("clipvalue", clipvalue, low=0.0)
        self.global_clipnorm = _opt_real("global_clipnorm", global_clipnorm, low=0.0)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self.use_ema = _bool("use_ema", use_ema)
        if self.use_ema:
            self.ema_momentum = _real("ema_momentum", ema_momentum, low=0.0, high=1.0)
            if ema_overwrite_frequency is not None and ema_overwrite_frequency != 0:
                _int("ema_overwrite_frequency", ema_overwrite_frequency, low=1)
        else:
            self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = _opt_real("loss_scale_factor", loss_scale_factor, low=0.0, low_open=True)
        if gradient_accumulation_steps is not None:
            gradient_accumulation_steps = _int("gradient_accumulation_steps", gradient_accumulation_steps, low=2)
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.name = type(self).__name__.lower() if name is None else name
        self._exclude_indices: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None

    # ----- public API ------------------------------------------------------

    def exclude_from_weight_decay(self, var_list: Sequence[int] | None = None,
                                  var_names: Sequence[str] | None = None) -> None:
        """Exclude variables from weight decay, as Keras's method of that name.

        Args:
            var_list: Indices (into ``params``) of the variables to exclude
                (Keras takes the variables themselves).
            var_names: Strings; a variable whose name (the last component of
                its path given to :meth:`init`) contains one of them, as a
                regular expression, is excluded.
        """
        self._exclude_indices = {_int("var_list[i]", i, low=0) for i in (var_list or [])}
        names = list(var_names or [])
        if any(not isinstance(n, str) for n in names):
            raise ArgumentTypeError(f"`var_names` must be a list of str, got {var_names!r}")
        self._exclude_pattern = re.compile("|".join(set(names))) if names else None

    def init(self, params: Sequence[Any], paths: Sequence[str] | None = None) -> dict[str, Any]:
        """Build the optimizer state for ``params`` (Keras's ``build``).

        Args:
            params: List of parameter arrays (converted to float32).
            paths: Optional list of Keras variable paths, one per parameter
                (e.g. ``"dense/kernel"``); default ``""`` for each. The name
                used by :meth:`exclude_from_weight_decay` is the last
                ``/``-separated component; :class:`Muon` matches
                ``exclude_layers`` and ``"embedding"`` against the path.

        Returns:
            The state dict described in the module docstring.
        """
        params = self._check_params(params)
        if paths is None:
            paths = [""] * len(params)
        paths = list(paths)
        if len(paths) != len(params) or any(not isinstance(p, str) for p in paths):
            raise ValueError(f"`paths` must be a list of {len(params)} str (one per parameter), got {paths!r}")
        state: dict[str, Any] = {"iterations": 0, "raw_iterations": 0, "paths": tuple(paths)}
        state.update(self._init_slots(params, state["paths"]))
        if self.gradient_accumulation_steps:
            state["accumulated_gradients"] = [np.zeros_like(p) for p in params]
        if self.use_ema:
            state["ema"] = [np.zeros_like(p) for p in params]
        state["shapes"] = tuple(p.shape for p in params)
        return state

    def learning_rate_at(self, raw_iterations: int) -> np.float32:
        """The float32 learning rate Keras uses at ``optimizer._iterations == raw_iterations``."""
        lr = self.learning_rate
        if callable(lr):
            lr = _call_learning_rate(lr, int(raw_iterations))
        return f32(np.asarray(lr, dtype=np.float64).item() if not isinstance(lr, np.float32) else lr)

    def step(self, params: Sequence[Any], grads: Sequence[Any], state: dict[str, Any]
             ) -> tuple[list[np.ndarray], dict[str, Any]]:
        """One Keras ``optimizer.apply(grads, variables)`` call, without mutation.

        Args:
            params: List of parameter arrays, as given to :meth:`init`.
            grads: List of gradient arrays of the same shapes (``None`` for a
                parameter that got no gradient).
            state: The state from :meth:`init` or the previous ``step``.

        Returns:
            ``(new_params, new_state)``: new float32 arrays and a new dict.

        Raises:
            ValueError: on a number or shapes of ``grads`` that do not match
                ``params``, a state built for other parameters, or all
                gradients ``None``.
        """
        params = self._check_params(params)
        st = self._check_state(state, params)
        if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
            raise ArgumentTypeError(f"`grads` must be a list of arrays, got {type(grads).__name__}")
        grads = list(grads)
        if len(grads) != len(params):
            raise ValueError(f"`grads` must have one entry per parameter: got {len(grads)} gradients "
                             f"for {len(params)} parameters")
        gs: list[np.ndarray | None] = []
        for i, (g, p) in enumerate(zip(grads, params)):
            if g is None:
                gs.append(None)
                continue
            g = _as_float_array(f"grads[{i}]", g)
            if g.shape != p.shape:
                raise ValueError(f"`grads[{i}]` has shape {g.shape} but `params[{i}]` has shape {p.shape}")
            gs.append(g)
        active = [i for i, g in enumerate(gs) if g is not None]
        if not active:
            raise ValueError("No gradients provided for any variable.")
        if len(active) < len(gs):
            missing = [st["paths"][i] or f"params[{i}]" for i, g in enumerate(gs) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss.",
                          stacklevel=2)

        raw = st["raw_iterations"]
        acc_steps = self.gradient_accumulation_steps
        iterations = raw // acc_steps if acc_steps else raw
        if self.loss_scale_factor is not None:
            scale = f32(self.loss_scale_factor)
            for i in active:
                gs[i] = gs[i] / scale

        if acc_steps:
            accs = st["accumulated_gradients"]
            if (raw + 1) % acc_steps == 0:
                n = f32(acc_steps)
                for i in active:
                    gs[i] = (gs[i] + accs[i]) / n
                    accs[i] = np.zeros_like(accs[i])
                params = self._update(params, gs, active, st, raw, iterations)
            else:
                for i in active:
                    accs[i] = gs[i] + accs[i]
        else:
            params = self._update(params, gs, active, st, raw, iterations)

        if self.use_ema:
            ema = st["ema"]
            m = f32(float(iterations != 0)) * f32(self.ema_momentum)
            for i, p in enumerate(params):
                ema[i] = m * ema[i] + (_ONE - m) * p
            if self.ema_overwrite_frequency and (iterations + 1) % self.ema_overwrite_frequency == 0:
                params = [e.copy() for e in ema]

        # 0-d arithmetic gives NumPy scalars: hand back arrays throughout.
        params = [np.asarray(p, dtype=f32) for p in params]
        for key, value in st.items():
            if isinstance(value, list):
                st[key] = [None if x is None else np.asarray(x, dtype=f32) for x in value]
        st["raw_iterations"] = raw + 1
        st["iterations"] = (raw + 1) // acc_steps if acc_steps else raw + 1
        return params, st

    def finalize_variable_values(self, params: Sequence[Any], state: dict[str, Any]) -> list[np.ndarray]:
        """The weights Keras's ``finalize_variable_values`` leaves: the moving
        averages if ``use_ema``, else ``params`` unchanged (as new arrays)."""
        params = self._check_params(params)
        st = self._check_state(state, params)
        return [e.copy() for e in st["ema"]] if self.use_ema else params

    def get_config(self) -> dict[str, Any]:
        """The constructor keywords and their values (``name`` included)."""
        sig = inspect.signature(type(self).__init__)
        return {k: getattr(self, k) for k in sig.parameters if k not in ("self", "kwargs")}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"

    # ----- machinery -----------------------------------------------------------

    @staticmethod
    def _check_params(params: Sequence[Any]) -> list[np.ndarray]:
        if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
            raise ArgumentTypeError(f"`params` must be a list of arrays, got {type(params).__name__}")
        return [_as_float_array(f"params[{i}]", p) for i, p in enumerate(params)]

    def _check_state(self, state: Any, params: list[np.ndarray]) -> dict[str, Any]:
        if not isinstance(state, dict) or "raw_iterations" not in state or "shapes" not in state:
            raise ArgumentTypeError("`state` must be the dict returned by `init` or `step`")
        shapes = tuple(p.shape for p in params)
        if shapes != tuple(state["shapes"]):
            raise ValueError(f"`params` have shapes {list(shapes)} but `state` was built for "
                             f"{list(state['shapes'])}")
        # A shallow copy with fresh lists: arrays are never modified in place.
        return {k: (list(v) if isinstance(v, list) else v) for k, v in state.items()}

    def _use_weight_decay(self, index: int, path: str) -> bool:
        if index in self._exclude_indices:
            return False
        name = path.rsplit("/", 1)[-1]
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(name))

    def _clip(self, gs: list, active: list[int]) -> None:
        if self.clipnorm:
            c = f32(self.clipnorm)
            for i in active:
                g = gs[i]
                l2sum = np.sum(g * g, dtype=f32)
                l2norm = np.sqrt(l2sum) if l2sum > 0 else l2sum
                gs[i] = (g * c) / np.maximum(l2norm, c)
        elif self.global_clipnorm:
            c = self.global_clipnorm
            sq = np.array([np.sum(gs[i] * gs[i], dtype=f32) for i in active], dtype=f32)
            use_norm = np.sqrt(np.sum(sq, dtype=f32))
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = f32(c) * np.minimum(_ONE / use_norm, f32(1.0 / c)) + (use_norm - use_norm)
            for i in active:
                gs[i] = gs[i] * scale
        elif self.clipvalue:
            v = f32(self.clipvalue)
            for i in active:
                gs[i] = np.clip(gs[i], -v, v)

    def _weight_decay_value(self, index: int, shape: tuple, path: str) -> float | None:
        return self.weight_decay

    def _update(self, params, gs, active, st, raw, iterations):
        self._clip(gs, active)
        lr = self.learning_rate_at(raw)
        params = list(params)
        for i in active:
            if not self._use_weight_decay(i, st["paths"][i]):
                continue
            wd = self._weight_decay_value(i, params[i].shape, st["paths"][i])
            if wd is not None:
                params[i] = params[i] - params[i] * f32(wd) * lr
        self._before_updates(st, iterations)
        with np.errstate(all="ignore"):  # NaN/inf propagate silently, as in TensorFlow
            for i in active:
                params[i] = self._update_step(i, gs[i], params[i], lr, st, iterations)
        return params

    # ----- hooks for subclasses ---------------------------------------------

    def _init_slots(self, params: list[np.ndarray], paths: tuple[str, ...]) -> dict[str, list]:
        return {}

    def _before_updates(self, st: dict[str, Any], iterations: int) -> None:
        pass

    def _update_step(self, i, g, w, lr, st, iterations) -> np.ndarray:
        raise NotImplementedError


def _zeros(params):
    return [np.zeros_like(p) for p in params]


_BASE_DOC = """
    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`."""


# --------------------------------------------------------------------------
# The optimizers
# --------------------------------------------------------------------------

class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum; mirrors ``keras.optimizers.SGD``.

    ``m = momentum * m - lr * g``; ``w = w + m`` (Nesterov:
    ``w = w + momentum * m - lr * g``); with ``momentum == 0``:
    ``w = w - lr * g``. As in Keras, ``momentum`` must be a float in [0, 1]
    (an int such as ``0`` is refused).

    State: ``"momentums"`` (a list of arrays, empty when ``momentum == 0``).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.momentum = _real("momentum", momentum, low=0.0, high=1.0, floats_only=True)
        self.nesterov = _bool("nesterov", nesterov)

    def _init_slots(self, params, paths):
        return {"momentums": _zeros(params) if self.momentum != 0 else []}

    def _update_step(self, i, g, w, lr, st, iterations):
        if self.momentum == 0:
            return w - g * lr
        mu = f32(self.momentum)
        m = st["momentums"][i] * mu - g * lr
        st["momentums"][i] = m
        if self.nesterov:
            return w + (m * mu - g * lr)
        return w + m


class _AdamLike(Optimizer):
    def _betas(self, beta_1, beta_2, epsilon):
        self.beta_1 = _real("beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = _real("beta_2", beta_2, low=0.0, high=1.0)
        self.epsilon = _real("epsilon", epsilon, low=0.0)


class Adam(_AdamLike):
    """Adam; mirrors ``keras.optimizers.Adam``.

    ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)``;
    ``w -= m * lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) / (sqrt(v) + epsilon)``
    with ``t = iterations + 1`` (epsilon outside the bias correction, "epsilon
    hat"). With ``amsgrad``, ``v_hat = max(v_hat, v)`` replaces ``v`` in the
    denominator.

    State: ``"momentums"``, ``"velocities"`` and, with ``amsgrad``,
    ``"velocity_hats"``.
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self._betas(beta_1, beta_2, epsilon)
        self.amsgrad = _bool("amsgrad", amsgrad)

    def _init_slots(self, params, paths):
        slots = {"momentums": _zeros(params), "velocities": _zeros(params)}
        if self.amsgrad:
            slots["velocity_hats"] = _zeros(params)
        return slots

    def _update_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        b1p = np.power(f32(self.beta_1), t)
        b2p = np.power(f32(self.beta_2), t)
        alpha = lr * np.sqrt(_ONE - b2p) / (_ONE - b1p)
        m_old = st["momentums"][i]
        m = m_old + (g - m_old) * f32(1 - self.beta_1)
        v_old = st["velocities"][i]
        v = v_old + (np.square(g) - v_old) * f32(1 - self.beta_2)
        st["momentums"][i], st["velocities"][i] = m, v
        if self.amsgrad:
            v = np.maximum(st["velocity_hats"][i], v)
            st["velocity_hats"][i] = v
        return w - (m * alpha) / (np.sqrt(v) + f32(self.epsilon))


class AdamW(Adam):
    """Adam with decoupled weight decay; mirrors ``keras.optimizers.AdamW``.

    The update rule of :class:`Adam`, after the base class's weight decay
    ``w -= w * weight_decay * lr`` (so AdamW is ``Adam(weight_decay=...)``
    with a default of 0.004; ``weight_decay=None`` is refused).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, clipnorm, clipvalue,
                         global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)


class RMSprop(Optimizer):
    """RMSprop (plain momentum, optional centering); mirrors ``keras.optimizers.RMSprop``.

    ``v = rho * v + (1 - rho) * g**2``; centered: ``a = rho * a + (1 - rho) * g``
    and ``d = v - a**2 + epsilon``, else ``d = v + epsilon``;
    ``inc = lr * g / sqrt(d)``; with momentum ``p = momentum * p + inc``,
    ``w -= p``, else ``w -= inc``.

    State: ``"velocities"``, ``"momentums"`` (empty unless momentum > 0),
    ``"average_gradients"`` (empty unless centered).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho = _real("rho", rho, low=0.0, high=1.0)
        self.momentum = _real("momentum", momentum, low=0.0, high=1.0)
        self.epsilon = _real("epsilon", epsilon, low=0.0)
        self.centered = _bool("centered", centered)

    def _init_slots(self, params, paths):
        return {"velocities": _zeros(params),
                "momentums": _zeros(params) if self.momentum > 0 else [],
                "average_gradients": _zeros(params) if self.centered else []}

    def _update_step(self, i, g, w, lr, st, iterations):
        rho, one_rho = f32(self.rho), f32(1 - self.rho)
        v = rho * st["velocities"][i] + one_rho * np.square(g)
        st["velocities"][i] = v
        if self.centered:
            a = rho * st["average_gradients"][i] + one_rho * g
            st["average_gradients"][i] = a
            denom = v - np.square(a) + f32(self.epsilon)
        else:
            denom = v + f32(self.epsilon)
        inc = (lr * g) / np.sqrt(denom)
        if self.momentum > 0:
            p = f32(self.momentum) * st["momentums"][i] + inc
            st["momentums"][i] = p
            return w - p
        return w - inc


class Adagrad(Optimizer):
    """Adagrad; mirrors ``keras.optimizers.Adagrad``.

    ``a += g**2`` (``a`` starts at ``initial_accumulator_value``);
    ``w -= lr * g / sqrt(a + epsilon)``.

    State: ``"accumulators"``.
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.initial_accumulator_value = _real("initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.epsilon = _real("epsilon", epsilon, low=0.0)

    def _init_slots(self, params, paths):
        return {"accumulators": [np.full_like(p, f32(self.initial_accumulator_value)) for p in params]}

    def _update_step(self, i, g, w, lr, st, iterations):
        a = st["accumulators"][i] + np.square(g)
        st["accumulators"][i] = a
        return w - (lr * g) / np.sqrt(a + f32(self.epsilon))


class Adadelta(Optimizer):
    """Adadelta; mirrors ``keras.optimizers.Adadelta``.

    ``a = rho * a + (1 - rho) * g**2``;
    ``d = -sqrt(b + epsilon) * g / sqrt(a + epsilon)``;
    ``b = rho * b + (1 - rho) * d**2``; ``w += lr * d``.

    State: ``"accumulated_grads"`` (a), ``"accumulated_delta_vars"`` (b).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho = _real("rho", rho, low=0.0, high=1.0)
        self.epsilon = _real("epsilon", epsilon, low=0.0)

    def _init_slots(self, params, paths):
        return {"accumulated_grads": _zeros(params), "accumulated_delta_vars": _zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        rho, one_rho, eps = f32(self.rho), f32(1 - self.rho), f32(self.epsilon)
        a = rho * st["accumulated_grads"][i] + one_rho * np.square(g)
        st["accumulated_grads"][i] = a
        b = st["accumulated_delta_vars"][i]
        d = -((np.sqrt(b + eps) * g) / np.sqrt(a + eps))
        st["accumulated_delta_vars"][i] = rho * b + one_rho * np.square(d)
        return w + lr * d


class Adamax(_AdamLike):
    """Adamax (Adam with the infinity norm); mirrors ``keras.optimizers.Adamax``.

    ``m += (g - m) * (1 - beta_1)``; ``u = max(beta_2 * u, |g|)``;
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``, ``t = iterations + 1``.

    State: ``"m"``, ``"u"``.
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self._betas(beta_1, beta_2, epsilon)

    def _init_slots(self, params, paths):
        return {"m": _zeros(params), "u": _zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        b1p = np.power(f32(self.beta_1), f32(iterations + 1))
        m = st["m"][i] + (g - st["m"][i]) * f32(1 - self.beta_1)
        u = np.maximum(f32(self.beta_2) * st["u"][i], np.abs(g))
        st["m"][i], st["u"][i] = m, u
        return w - (lr * m) / ((_ONE - b1p) * (u + f32(self.epsilon)))


class Nadam(_AdamLike):
    """Nadam (Adam with Nesterov momentum and the momentum schedule of Dozat);
    mirrors ``keras.optimizers.Nadam``.

    ``mu_t = beta_1 * (1 - 0.5 * 0.96**t)``, ``t = iterations + 1``; the
    product ``P_t = mu_1 ... mu_t`` is kept in the state (once per update);
    ``m += (g - m)(1 - beta_1)``, ``v += (g**2 - v)(1 - beta_2)``;
    ``m_hat = mu_{t+1} m / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t)``;
    ``w -= lr * m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon)``.

    State: ``"momentums"``, ``"velocities"``, ``"u_product"`` (a float32).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self._betas(beta_1, beta_2, epsilon)

    def _init_slots(self, params, paths):
        return {"momentums": _zeros(params), "velocities": _zeros(params), "u_product": f32(1.0)}

    def _before_updates(self, st, iterations):
        t = f32(iterations + 1)
        st["u_product"] = st["u_product"] * f32(self.beta_1) * (_ONE - f32(0.5) * np.power(f32(0.96), t))

    def _update_step(self, i, g, w, lr, st, iterations):
        t, nt = f32(iterations + 1), f32(iterations + 2)
        decay, b1, b2 = f32(0.96), f32(self.beta_1), f32(self.beta_2)
        half = f32(0.5)
        u_t = b1 * (_ONE - half * np.power(decay, t))
        u_t_1 = b1 * (_ONE - half * np.power(decay, nt))
        up_t = st["u_product"]
        up_t_1 = up_t * u_t_1
        b2p = np.power(b2, t)
        m = st["momentums"][i] + (g - st["momentums"][i]) * (_ONE - b1)
        v = st["velocities"][i] + (np.square(g) - st["velocities"][i]) * (_ONE - b2)
        st["momentums"][i], st["velocities"][i] = m, v
        m_hat = (u_t_1 * m) / (_ONE - up_t_1) + ((_ONE - u_t) * g) / (_ONE - up_t)
        v_hat = v / (_ONE - b2p)
        return w - (m_hat * lr) / (np.sqrt(v_hat) + f32(self.epsilon))


class Ftrl(Optimizer):
    """FTRL-Proximal; mirrors ``keras.optimizers.Ftrl``.

    With ``p = -learning_rate_power``, ``l2 = l2_regularization_strength +
    beta / (2 lr)`` and ``g' = g + 2 * l2_shrinkage_regularization_strength * w``:
    ``n' = n + g**2``; ``z += g' - (n'**p - n**p) / lr * w``;
    ``w = (clip(z, -l1, l1) - z) / (n'**p / lr + 2 * l2)``; ``n = n'``
    (``n`` starts at ``initial_accumulator_value``).

    State: ``"accumulators"`` (n), ``"linears"`` (z).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.learning_rate_power = _real("learning_rate_power", learning_rate_power, high=0.0)
        self.initial_accumulator_value = _real("initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.l1_regularization_strength = _real("l1_regularization_strength", l1_regularization_strength, low=0.0)
        self.l2_regularization_strength = _real("l2_regularization_strength", l2_regularization_strength, low=0.0)
        self.l2_shrinkage_regularization_strength = _real(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, low=0.0)
        self.beta = _real("beta", beta, low=0.0)

    def _init_slots(self, params, paths):
        return {"accumulators": [np.full_like(p, f32(self.initial_accumulator_value)) for p in params],
                "linears": _zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        power = f32(-self.learning_rate_power)
        l2_reg = f32(self.l2_regularization_strength) + f32(self.beta) / (f32(2.0) * lr)
        grad_to_use = g + f32(2 * self.l2_shrinkage_regularization_strength) * w
        accum = st["accumulators"][i]
        new_accum = accum + np.square(g)
        new_pow = np.power(new_accum, power)
        linear = st["linears"][i] + (grad_to_use - ((new_pow - np.power(accum, power)) / lr) * w)
        quadratic = new_pow / lr + f32(2) * l2_reg
        l1 = f32(self.l1_regularization_strength)
        clipped = np.clip(linear, -l1, l1)
        st["linears"][i], st["accumulators"][i] = linear, new_accum
        return (clipped - linear) / quadratic


class Lion(Optimizer):
    """Lion (sign of an interpolated momentum); mirrors ``keras.optimizers.Lion``.

    ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``;
    ``m = beta_2 * m + (1 - beta_2) * g``. ``beta_1`` must be in (0, 1].

    State: ``"momentums"``.
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1 = _real("beta_1", beta_1, low=0.0, low_open=True, high=1.0)
        self.beta_2 = _real("beta_2", beta_2, low=0.0, high=1.0)

    def _init_slots(self, params, paths):
        return {"momentums": _zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        b1, b2 = f32(self.beta_1), f32(self.beta_2)
        m = st["momentums"][i]
        w = w - lr * np.sign(m * b1 + g * (_ONE - b1))
        st["momentums"][i] = m * b2 + g * (_ONE - b2)
        return w


class Lamb(_AdamLike):
    """LAMB (Adam direction, layer-wise trust ratio); mirrors ``keras.optimizers.Lamb``.

    ``m``, ``v`` as in Adam; ``u = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)``;
    ``r = ||w|| / ||u||`` if both norms are > 0 else 1 (norms over the whole
    tensor, ``w`` after weight decay); ``w -= r * lr * u``.

    State: ``"momentums"``, ``"velocities"``.
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self._betas(beta_1, beta_2, epsilon)

    def _init_slots(self, params, paths):
        return {"momentums": _zeros(params), "velocities": _zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        b1p = np.power(f32(self.beta_1), t)
        b2p = np.power(f32(self.beta_2), t)
        m = st["momentums"][i] + (g - st["momentums"][i]) * f32(1 - self.beta_1)
        v = st["velocities"][i] + (np.square(g) - st["velocities"][i]) * f32(1 - self.beta_2)
        st["momentums"][i], st["velocities"][i] = m, v
        update = (m / (_ONE - b1p)) / (np.sqrt(v / (_ONE - b2p)) + f32(self.epsilon))
        w_norm = np.sqrt(np.sum(np.square(w), dtype=f32))
        g_norm = np.sqrt(np.sum(np.square(update), dtype=f32))
        ratio = w_norm / g_norm if (w_norm > 0 and g_norm > 0) else _ONE
        return w - ratio * lr * update


class Adafactor(Optimizer):
    """Adafactor (factored second moments); mirrors ``keras.optimizers.Adafactor``.

    ``t = iterations + 1``; ``rho = min(lr, 1 / sqrt(t))``;
    ``alpha = max(epsilon_2, rms(w)) * rho``; ``b = 1 - t**beta_2_decay``;
    ``s = g**2 + epsilon_1``. For ``w`` with >= 2 dimensions (factored over
    the last two): ``r = b r + (1 - b) mean(s, -1)``,
    ``c = b c + (1 - b) mean(s, -2)``, ``v = (r / mean(r, -1))[..., None] * c[..., None, :]``;
    else ``v = b v + (1 - b) s``. ``u = g / sqrt(v)``;
    ``w -= alpha * u / max(1, rms(u) / clip_threshold)``.

    ``relative_step`` changes nothing in Keras 3.15.1: it caps the rate at
    ``1 / sqrt(t)``, which ``rho`` does anyway.

    State: ``"r"``, ``"c"`` (``None`` for < 2-D parameters), ``"v"``.
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_2_decay = _real("beta_2_decay", beta_2_decay, high=0.0)
        self.epsilon_1 = _real("epsilon_1", epsilon_1, low=0.0)
        self.epsilon_2 = _real("epsilon_2", epsilon_2, low=0.0)
        self.clip_threshold = _real("clip_threshold", clip_threshold, low=0.0, low_open=True)
        self.relative_step = _bool("relative_step", relative_step)

    def _init_slots(self, params, paths):
        r = [np.zeros(p.shape[:-1], f32) if p.ndim >= 2 else None for p in params]
        c = [np.zeros(p.shape[:-2] + p.shape[-1:], f32) if p.ndim >= 2 else None for p in params]
        return {"r": r, "c": c, "v": _zeros(params)}

    @staticmethod
    def _rms(x):
        return np.sqrt(np.mean(np.square(x), dtype=f32))

    def _update_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        inv_sqrt_t = _ONE / np.sqrt(t)
        if not callable(self.learning_rate) and self.relative_step:
            lr = np.minimum(lr, inv_sqrt_t)
        rho_t = np.minimum(lr, inv_sqrt_t)
        alpha_t = np.maximum(f32(self.epsilon_2), self._rms(w)) * rho_t
        s = np.square(g) + f32(self.epsilon_1)
        b = _ONE - np.power(t, f32(self.beta_2_decay))
        one_b = _ONE - b
        if w.ndim >= 2:
            r = b * st["r"][i] + one_b * np.mean(s, axis=-1, dtype=f32)
            c = b * st["c"][i] + one_b * np.mean(s, axis=-2, dtype=f32)
            v = np.expand_dims(r / np.mean(r, axis=-1, keepdims=True, dtype=f32), -1) * np.expand_dims(c, -2)
            st["r"][i], st["c"][i] = r, c
        else:
            v = b * st["v"][i] + one_b * s
        st["v"][i] = v
        u = g / np.sqrt(v)
        u_hat = u / np.maximum(_ONE, self._rms(u) / f32(self.clip_threshold))
        return w - alpha_t * u_hat


class Muon(Optimizer):
    """Muon (momentum orthogonalized by Newton-Schulz) with an AdamW fallback;
    mirrors ``keras.optimizers.Muon``.

    Muon step (2-D parameters not excluded): ``m += g + (momentum - 1) m``;
    ``G = g + momentum * m`` (Nesterov) or ``m``; ``X = NS5(G)``: ``X = G / (||G||_F + 1e-7)``
    (transposed if it has more rows than columns), then ``ns_steps`` times
    ``A = X X^T``, ``X = a X + (b A + c A A) X``;
    ``w -= lr * X * sqrt(max(rows, cols)) * rms_rate`` (no last factor when
    ``rms_rate`` is None).

    AdamW step (every parameter that is not 2-D, whose path contains
    ``"embedding"`` (case-insensitive) when ``exclude_embeddings``, or whose
    path matches a regular expression of ``exclude_layers``): Adam without
    amsgrad with ``lr * adam_lr_ratio`` and ``beta_1 = adam_beta_1``,
    ``beta_2 = adam_beta_2``.

    Weight decay (before either step): ``adam_weight_decay`` for AdamW
    parameters, ``weight_decay`` for Muon parameters (skipped when that one is
    None), times the learning rate (not ``adam_lr_ratio``).

    Keras decides by the variable's ``path``: pass the paths to
    :meth:`~Optimizer.init` (``paths=[v.path for v in variables]``); without
    them only the shape decides.

    State: ``"momentums"``, ``"adam_velocities"`` (``None`` for Muon
    parameters), ``"use_adamw"`` (a tuple of bools).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004,
                 epsilon=1e-7, weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None, exclude_embeddings=True,
                 muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5,
                 nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.adam_beta_1 = _real("adam_beta_1", adam_beta_1, low=0.0, high=1.0)
        self.adam_beta_2 = _real("adam_beta_2", adam_beta_2, low=0.0, high=1.0)
        self.adam_weight_decay = _opt_real("adam_weight_decay", adam_weight_decay, low=0.0)
        self.epsilon = _real("epsilon", epsilon, low=0.0)
        if exclude_layers is not None and (isinstance(exclude_layers, str) or
                                           any(not isinstance(k, str) for k in exclude_layers)):
            raise ArgumentTypeError(f"`exclude_layers` must be a list of str or None, got {exclude_layers!r}")
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = _bool("exclude_embeddings", exclude_embeddings)
        self.muon_a = _real("muon_a", muon_a)
        self.muon_b = _real("muon_b", muon_b)
        self.muon_c = _real("muon_c", muon_c)
        self.adam_lr_ratio = _real("adam_lr_ratio", adam_lr_ratio, low=0.0)
        self.momentum = _real("momentum", momentum, low=0.0, high=1.0)
        self.ns_steps = _int("ns_steps", ns_steps, low=0)
        self.nesterov = _bool("nesterov", nesterov)
        self.rms_rate = _opt_real("rms_rate", rms_rate, low=0.0)

    def should_use_adamw(self, shape: tuple, path: str = "") -> bool:
        """Whether a parameter of this shape and Keras path gets the AdamW step."""
        if len(shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(k, path) for k in self.exclude_layers)

    def _init_slots(self, params, paths):
        use = tuple(self.should_use_adamw(p.shape, path) for p, path in zip(params, paths))
        return {"momentums": _zeros(params),
                "adam_velocities": [np.zeros_like(p) if u else None for p, u in zip(params, use)],
                "use_adamw": use}

    def _weight_decay_value(self, index, shape, path):
        return self.adam_weight_decay if self.should_use_adamw(shape, path) else self.weight_decay

    def _update_step(self, i, g, w, lr, st, iterations):
        if st["use_adamw"][i]:
            return self._adamw_step(i, g, w, lr * f32(self.adam_lr_ratio), st, iterations)
        m = st["momentums"][i]
        m = m + (g + m * f32(self.momentum - 1))
        st["momentums"][i] = m
        G = g + f32(self.momentum) * m if self.nesterov else m
        update = self._newton_schulz5(G)
        x = lr * update
        if self.rms_rate is not None:
            x = x * np.sqrt(f32(max(x.shape[0], x.shape[1]))) * f32(self.rms_rate)
        return w - x

    def _newton_schulz5(self, x):
        a, b, c = f32(self.muon_a), f32(self.muon_b), f32(self.muon_c)
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = np.swapaxes(x, -1, -2)
        x = x / (np.sqrt(np.sum(x * x, axis=(-2, -1), keepdims=True, dtype=f32)) + f32(1e-7))
        for _ in range(self.ns_steps):
            A = x @ np.swapaxes(x, -1, -2)
            B = b * A + (c * A) @ A
            x = a * x + B @ x
        if tall:
            x = np.swapaxes(x, -1, -2)
        return np.ascontiguousarray(x, dtype=f32)

    def _adamw_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        b1p = np.power(f32(self.adam_beta_1), t)
        b2p = np.power(f32(self.adam_beta_2), t)
        alpha = lr * np.sqrt(_ONE - b2p) / (_ONE - b1p)
        m = st["momentums"][i] + (g - st["momentums"][i]) * f32(1 - self.adam_beta_1)
        v = st["adam_velocities"][i] + (np.square(g) - st["adam_velocities"][i]) * f32(1 - self.adam_beta_2)
        st["momentums"][i], st["adam_velocities"][i] = m, v
        return w - (m * alpha) / (np.sqrt(v) + f32(self.epsilon))


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW; mirrors ``keras.optimizers.ScheduleFreeAdamW``.

    The parameters hold ``y`` (where gradients are taken); the state holds
    ``z`` (``"momentums"``, initialized to the parameters) and the second
    moment ``v``. With ``t = iterations + 1`` and ``lr`` scaled by
    ``min(t / warmup_steps, 1)`` if ``warmup_steps > 0``:
    ``v += (g**2 - v)(1 - beta_2)``;
    ``z -= lr * g / (sqrt(v / (1 - beta_2**t)) + epsilon)``;
    ``x = (y - (1 - beta_1) z) / beta_1`` (Keras reads ``z`` here *after* its
    update, although its comment says the old value);
    ``x = (1 - 1/t) x + z / t``; ``y = (1 - beta_1) z + beta_1 x``.
    The averaged ``x`` is not stored (Keras recovers it from ``y`` and ``z``).

    State: ``"momentums"`` (z), ``"velocities"`` (v).
    """ + _BASE_DOC

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1 = _real("beta_1", beta_1, low=0.0, low_open=True, high=1.0)
        self.beta_2 = _real("beta_2", beta_2, low=0.0, high=1.0)
        self.epsilon = _real("epsilon", epsilon, low=0.0)
        self.warmup_steps = _int("warmup_steps", warmup_steps, low=0)

    def _init_slots(self, params, paths):
        return {"momentums": [p.copy() for p in params], "velocities": _zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        b1, b2, eps = f32(self.beta_1), f32(self.beta_2), f32(self.epsilon)
        if self.warmup_steps > 0:
            lr = lr * np.minimum(t / f32(self.warmup_steps), _ONE)
        bc2 = _ONE - np.power(b2, t)
        v = st["velocities"][i] + (np.square(g) - st["velocities"][i]) * (_ONE - b2)
        denom = np.sqrt(v / bc2) + eps
        z = st["momentums"][i] - (lr * g) / denom
        st["velocities"][i], st["momentums"][i] = v, z
        weight = _ONE / t
        x_old = (w - (_ONE - b1) * z) / b1
        x_new = (_ONE - weight) * x_old + weight * z
        return (_ONE - b1) * z + b1 * x_new


_CLASSES = {cls.__name__: cls for cls in (
    Adadelta, Adafactor, Adagrad, Adam, AdamW, Adamax, Ftrl, Lamb, Lion, Muon, Nadam, RMSprop, SGD,
    ScheduleFreeAdamW)}


def get(name: str, **kwargs: Any) -> Optimizer:
    """Build a reference optimizer by its Keras class name (case-insensitive).

    Args:
        name: A Keras optimizer class name, e.g. ``"Adam"`` or ``"adamw"``.
        **kwargs: Constructor keywords.

    Returns:
        The optimizer.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).

    >>> print(type(get("RMSPROP", learning_rate=0.01)).__name__)
    RMSprop
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"`name` must be a str, got {type(name).__name__} {name!r}")
    for key, cls in _CLASSES.items():
        if key.lower() == name.lower():
            return cls(**kwargs)
    raise ValueError(f"Unknown optimizer `name` {name!r}; valid names (case-insensitive): "
                     f"{', '.join(sorted(_CLASSES))}")
