"""The machinery every optimizer shares: Keras's ``BaseOptimizer`` in NumPy.

:class:`Optimizer` does what Keras's ``BaseOptimizer.apply`` does around the
update rule (loss scaling, gradient accumulation, clipping, weight decay, the
moving average of the weights, the iteration counters); a subclass adds its
slots (:meth:`Optimizer._init_slots`) and its rule
(:meth:`Optimizer._update_step`). The argument checks are those of
:mod:`tfopt_docs._validation`, shared with the schedules.
"""

from __future__ import annotations

import inspect
import numbers
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

import numpy as np

from tfopt_docs._validation import (
    ArgumentTypeError,
    check_bool,
    check_int,
    check_optional_real,
    check_real,
)

__all__ = ["BASE_KEYWORDS", "ArgumentTypeError", "Optimizer", "OptimizerState", "base_arguments"]

f32 = np.float32
ONE = f32(1.0)

#: The optimizer state: a plain dict (keys described in the package docstring).
OptimizerState = dict[str, Any]
#: A list of per-parameter arrays (``None`` where a slot does not apply).
Slot = list[Any]

#: The keywords of :class:`Optimizer` that every optimizer passes on unchanged.
BASE_KEYWORDS = (
    "weight_decay",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "use_ema",
    "ema_momentum",
    "ema_overwrite_frequency",
    "loss_scale_factor",
    "gradient_accumulation_steps",
    "name",
)


def base_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The base keywords (and the extra ``**kwargs``) out of a constructor's ``locals()``.

    A subclass writes its full Keras signature, then
    ``super().__init__(learning_rate=learning_rate, **base_arguments(locals()))``:
    every base argument passed by keyword, none repeated by hand.
    """
    return {key: arguments[key] for key in BASE_KEYWORDS} | dict(arguments.get("kwargs", {}))


def zeros(params: Sequence[np.ndarray]) -> list[np.ndarray]:
    """One float32 array of zeros per parameter."""
    return [np.zeros_like(p) for p in params]


def _as_float_array(name: str, value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ArgumentTypeError(f"`{name}` must be a real NumPy array, got {type(value).__name__} of dtype {arr.dtype}")
    return np.array(arr, dtype=f32)  # a float32 copy


def _caller_level(optimizer: object) -> int:
    """The ``stacklevel`` of the code that built ``optimizer``, above its chain of ``__init__`` calls."""
    level = 2
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is optimizer:
        level, frame = level + 1, frame.f_back
    return level


def _call_learning_rate(fn: Callable[..., Any], step: int) -> Any:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn(step)
    try:
        sig.bind(step)
    except TypeError:
        return fn()  # a callable of no arguments, as Keras calls it
    return fn(step)


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

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=_caller_level(self)
            )
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if isinstance(learning_rate, (bool, np.bool_)) or not (
            callable(learning_rate) or isinstance(learning_rate, numbers.Real)
        ):
            raise ArgumentTypeError(
                "`learning_rate` must be a float, a learning-rate schedule, or a callable of the step; "
                f"got {type(learning_rate).__name__} {learning_rate!r}"
            )
        if not callable(learning_rate):
            learning_rate = check_real("learning_rate", learning_rate, low=0.0, floats_only=True)
        self.learning_rate = learning_rate
        self.weight_decay = check_optional_real("weight_decay", weight_decay, low=0.0)
        self.clipnorm = check_optional_real("clipnorm", clipnorm, low=0.0)
        self.clipvalue = check_optional_real("clipvalue", clipvalue, low=0.0)
        self.global_clipnorm = check_optional_real("global_clipnorm", global_clipnorm, low=0.0)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.use_ema = check_bool("use_ema", use_ema)
        if self.use_ema:
            self.ema_momentum = check_real("ema_momentum", ema_momentum, low=0.0, high=1.0)
            if ema_overwrite_frequency is not None and ema_overwrite_frequency != 0:
                check_int("ema_overwrite_frequency", ema_overwrite_frequency, low=1)
        else:
            self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = check_optional_real("loss_scale_factor", loss_scale_factor, low=0.0, low_open=True)
        if gradient_accumulation_steps is not None:
            gradient_accumulation_steps = check_int("gradient_accumulation_steps", gradient_accumulation_steps, low=2)
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.name = type(self).__name__.lower() if name is None else name
        self._exclude_indices: set[int] = set()
        self._exclude_pattern: re.Pattern[str] | None = None

    # ----- public API ------------------------------------------------------

    def exclude_from_weight_decay(
        self, var_list: Sequence[int] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Exclude variables from weight decay, as Keras's method of that name.

        Args:
            var_list: Indices (into ``params``) of the variables to exclude
                (Keras takes the variables themselves).
            var_names: Strings; a variable whose name (the last component of
                its path given to :meth:`init`) contains one of them, as a
                regular expression, is excluded.
        """
        self._exclude_indices = {check_int("var_list[i]", i, low=0) for i in (var_list or [])}
        names = list(var_names or [])
        if any(not isinstance(n, str) for n in names):
            raise ArgumentTypeError(f"`var_names` must be a list of str, got {var_names!r}")
        self._exclude_pattern = re.compile("|".join(set(names))) if names else None

    def init(self, params: Sequence[Any], paths: Sequence[str] | None = None) -> OptimizerState:
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

    def step(
        self, params: Sequence[Any], grads: Sequence[Any], state: OptimizerState
    ) -> tuple[list[np.ndarray], OptimizerState]:
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
            raise ValueError(
                f"`grads` must have one entry per parameter: got {len(grads)} gradients for {len(params)} parameters"
            )
        gs: list[Any] = []  # arrays, None where no gradient
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
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss.", stacklevel=2)

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
                ema[i] = m * ema[i] + (ONE - m) * p
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

    def finalize_variable_values(self, params: Sequence[Any], state: OptimizerState) -> list[np.ndarray]:
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

    def _check_state(self, state: Any, params: list[np.ndarray]) -> OptimizerState:
        if not isinstance(state, dict) or "raw_iterations" not in state or "shapes" not in state:
            raise ArgumentTypeError("`state` must be the dict returned by `init` or `step`")
        shapes = tuple(p.shape for p in params)
        if shapes != tuple(state["shapes"]):
            raise ValueError(f"`params` have shapes {list(shapes)} but `state` was built for {list(state['shapes'])}")
        # A shallow copy with fresh lists: arrays are never modified in place.
        return {k: (list(v) if isinstance(v, list) else v) for k, v in state.items()}

    def _use_weight_decay(self, index: int, path: str) -> bool:
        if index in self._exclude_indices:
            return False
        name = path.rsplit("/", 1)[-1]
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(name))

    def _clip(self, gs: list[Any], active: list[int]) -> None:
        if self.clipnorm:
            c = f32(self.clipnorm)
            for i in active:
                g = gs[i]
                l2sum = np.sum(g * g, dtype=f32)
                l2norm = np.sqrt(l2sum) if l2sum > 0 else l2sum
                gs[i] = (g * c) / np.maximum(l2norm, c)
        elif self.global_clipnorm:
            limit = self.global_clipnorm
            sq = np.array([np.sum(gs[i] * gs[i], dtype=f32) for i in active], dtype=f32)
            use_norm = np.sqrt(np.sum(sq, dtype=f32))
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = f32(limit) * np.minimum(ONE / use_norm, f32(1.0 / limit)) + (use_norm - use_norm)
            for i in active:
                gs[i] = gs[i] * scale
        elif self.clipvalue:
            v = f32(self.clipvalue)
            for i in active:
                gs[i] = np.clip(gs[i], -v, v)

    def _weight_decay_value(self, index: int, shape: tuple[int, ...], path: str) -> float | None:
        return self.weight_decay

    def _update(
        self, params: list[np.ndarray], gs: list[Any], active: list[int], st: OptimizerState, raw: int, iterations: int
    ) -> list[np.ndarray]:
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

    def _init_slots(self, params: list[np.ndarray], paths: tuple[str, ...]) -> dict[str, Any]:
        """The optimizer's own state entries (Keras's ``build``), one slot per variable kind."""
        return {}

    def _before_updates(self, st: OptimizerState, iterations: int) -> None:
        """Called once per update, before the per-parameter steps (Nadam's product)."""

    def _update_step(
        self, i: int, g: np.ndarray, w: np.ndarray, lr: np.float32, st: OptimizerState, iterations: int
    ) -> np.ndarray:
        """The update rule for parameter ``i``: return the new ``w``, write the slots in ``st``."""
        raise NotImplementedError
