"""Keras and the NumPy reference side by side (the optimizer pages' and tests' helpers).

:mod:`tfopt_docs.reference` never imports TensorFlow; this module does, but
only when one of its functions runs (or :data:`BASE_DEFAULTS` is read), so
importing it stays cheap.

* :data:`BASE_OPTIMIZER`, :data:`BASE_DEFAULTS`: Keras's ``BaseOptimizer`` and
  its own arguments with their defaults;
* :func:`show_signature`: print a Keras optimizer's signature and the defaults
  that are its own (the optimizer reference pages);
* :func:`max_relative_difference`: a short side-by-side run on random
  gradients (the optimizer reference pages);
* :func:`schedule_rates`: a Keras schedule's rate at every step, compiled
  (the schedules reference page);
* :func:`run_side_by_side`: the thorough run the tests make for every case,
  comparing after every step; :func:`main` prints its largest difference per
  optimizer (``python tests/test_reference_optimizers.py`` calls it).
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from tfopt_docs.reference import optimizers as ref
from tfopt_docs.reference import schedules as rsched

__all__ = [
    "ATOL",
    "BASE_DEFAULTS",  # noqa: F822 (module __getattr__: read lazily)
    "BASE_OPTIMIZER",  # noqa: F822
    "RTOL",
    "STEPS",
    "main",
    "max_relative_difference",
    "run_side_by_side",
    "schedule_rates",
    "show_signature",
    "without_constant_folding",
]

STEPS = 100
RTOL = 1e-5
ATOL = 1e-6  # times max(1, max|w|) of the tensor
SHAPES = [(), (5,), (4, 3), (2, 3, 4)]
NAMES = ["scalar", "vector", "matrix", "tensor3"]
# Muon: several matrices (tall, wide, square), one named like an embedding,
# one like an output layer, plus non-2-D tensors (AdamW step).
MUON_SHAPES = [(6, 4), (3, 7), (5,), (4, 4), (5, 3), (2, 3, 4), ()]
MUON_NAMES = ["dense_kernel", "wide_kernel", "dense_bias", "token_embedding", "output_dense_kernel", "conv", "s"]

#: A learning-rate schedule given by name and keywords, built on either side.
ScheduleSpec = tuple[str, dict[str, Any]]


def _base_optimizer() -> type:
    # keras.optimizers.Optimizer is a thin backend subclass of BaseOptimizer,
    # whose signature is *args, **kwargs: the arguments are BaseOptimizer's.
    import keras

    return next(c for c in keras.optimizers.Optimizer.__mro__ if c.__name__ == "BaseOptimizer")


def __getattr__(name: str) -> Any:
    """``BASE_OPTIMIZER`` and ``BASE_DEFAULTS``, computed (importing Keras) when first read."""
    if name == "BASE_OPTIMIZER":
        return _base_optimizer()
    if name == "BASE_DEFAULTS":
        return {key: p.default for key, p in inspect.signature(_base_optimizer()).parameters.items() if key != "kwargs"}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def show_signature(cls: type) -> None:
    """Print the Keras signature, then the arguments whose defaults are this optimizer's own.

    Args:
        cls: A Keras optimizer class, e.g. ``keras.optimizers.Adam``.
    """
    if not isinstance(cls, type):
        raise TypeError(f"`cls` must be a Keras optimizer class, got {type(cls).__name__} {cls!r}")
    base_defaults = __getattr__("BASE_DEFAULTS")
    print(textwrap.fill(f"keras.optimizers.{cls.__name__}{inspect.signature(cls)}", 88, subsequent_indent="    "))
    own = [
        (name, p.default)
        for name, p in inspect.signature(cls).parameters.items()
        if p.default is not inspect.Parameter.empty
        and (name not in base_defaults or name == "learning_rate" or p.default != base_defaults[name])
    ]
    width = max(len(name) for name, _ in own) + 2
    print(f"\n{'argument':{width}s}default")
    for name, default in own:
        print(f"{name:{width}s}{default!r}")


def max_relative_difference(
    name: str,
    steps: int = 50,
    shapes: Sequence[tuple[int, ...]] = ((4, 3), (3,)),
    seed: int = 0,
    **kwargs: Any,
) -> float:
    """Run Keras and the NumPy reference side by side on random gradients.

    Args:
        name: A Keras optimizer class name (``"Adam"``).
        steps: How many ``apply`` calls.
        shapes: The parameter shapes.
        seed: Seeds the parameters and gradients.
        **kwargs: The optimizer's keywords, passed to both.

    Returns:
        The largest difference over all steps, relative to the largest entry
        of each parameter tensor.
    """
    import keras

    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s).astype(np.float32) for s in shapes]
    variables = [keras.Variable(p) for p in params]
    keras_optimizer = getattr(keras.optimizers, name)(**kwargs)
    numpy_optimizer = ref.get(name, **kwargs)
    state = numpy_optimizer.init(params)
    worst = 0.0
    for _ in range(steps):
        grads = [rng.normal(size=s).astype(np.float32) for s in shapes]
        keras_optimizer.apply(grads, variables)
        params, state = numpy_optimizer.step(params, grads, state)
        for variable, p in zip(variables, params):
            expected = variable.numpy()
            worst = max(worst, float(np.max(np.abs(p - expected)) / np.max(np.abs(expected))))
    return worst


@contextlib.contextmanager
def without_constant_folding() -> Iterator[None]:
    """Compile Keras's ``apply`` without Grappler's constant folding, inside the block.

    Constant folding rewrites ``x / c`` into ``x * (1 / c)`` for a constant
    ``c`` (e.g. ``step / decay_steps`` in ``ExponentialDecay``), which changes
    the last bit of some learning rates compared with eager Keras; on these
    deliberately rough problems such a bit grows to ~2e-5 relative over 100
    steps. With it off, compiled Keras computes what eager Keras computes
    (checked: same results as eager ``apply``), only ~5x faster.
    """
    import tensorflow as tf

    saved = tf.config.optimizer.get_experimental_options().get("constant_folding", True)
    tf.config.optimizer.set_experimental_options({"constant_folding": False})
    try:
        yield
    finally:
        tf.config.optimizer.set_experimental_options({"constant_folding": saved})


def schedule_rates(schedule: Callable[[Any], Any], steps: Sequence[int] | np.ndarray) -> np.ndarray:
    """``schedule(step)`` for every step, one scalar step per call as an optimizer calls it.

    The calls run in one compiled loop built for this schedule (1001 eager
    calls take seconds) and called as a concrete function, so that it never
    retraces, without constant folding, so that every rate equals the eager
    call's to the last bit.

    Raises:
        TypeError: if ``schedule`` is not callable.
        ValueError: if ``steps`` is not a non-empty 1-D sequence of integers.
    """
    import tensorflow as tf

    if not callable(schedule):
        raise TypeError(f"schedule: expected a callable (a Keras LearningRateSchedule), got {type(schedule).__name__}")
    steps = np.asarray(steps)
    if steps.ndim != 1 or steps.size == 0 or not np.issubdtype(steps.dtype, np.integer):
        raise ValueError(f"steps: expected a non-empty 1-D sequence of integers, got shape {steps.shape} {steps.dtype}")
    with without_constant_folding():
        loop = tf.function(lambda t: tf.map_fn(schedule, t, fn_output_signature=tf.float32))
        concrete = loop.get_concrete_function(tf.TensorSpec([None], tf.int64))
        return concrete(tf.constant(steps, tf.int64)).numpy()


def _compiled_apply(kopt: Any, kvars: list[Any], has_grad: list[bool]) -> Callable[[list[Any]], None]:
    """``kopt.apply`` compiled once per case (eager Keras costs ~20-60 ms a step)."""
    import tensorflow as tf

    @tf.function(autograph=False)
    def apply(grads: list[Any]) -> None:
        it = iter(grads)
        kopt.apply([next(it) if h else None for h in has_grad], kvars)

    return apply


def _learning_rate(spec: ScheduleSpec, module: Any) -> Any:
    name, kwargs = spec
    return getattr(module, name)(**kwargs)


def run_side_by_side(
    name: str,
    kwargs: dict[str, Any],
    lr: ScheduleSpec | None = None,
    *,
    none_grads: Sequence[int] = (),
    exclude_names: list[str] | None = None,
    exclude_indices: list[int] | None = None,
    steps: int = STEPS,
    seed: int = 0,
    check: bool = True,
) -> float:
    """Run Keras and the reference together; return the largest relative difference.

    Both start from the same parameters; every step feeds both the gradients
    of a noisy quadratic at the Keras parameters, scaled per tensor and step by
    1e-3 ... 1e3, with whole tensors and scattered entries set to zero now and
    then; after every step the parameters (and ``iterations``, and the moving
    averages with ``use_ema``) are compared. The difference of an entry is
    ``|ref - keras| / (|keras| + atol / rtol)``, the quantity
    ``assert_allclose(rtol, atol)`` keeps below ``rtol``.

    Args:
        name: A Keras optimizer class name.
        kwargs: Its keywords, for both sides.
        lr: A schedule ``(name, keywords)`` built on both sides, or None.
        none_grads: Indices of the parameters that get ``None`` gradients.
        exclude_names: ``var_names`` for ``exclude_from_weight_decay``.
        exclude_indices: Parameter indices for ``exclude_from_weight_decay``.
        steps: How many steps.
        seed: Seeds the parameters and gradients.
        check: Raise ``AssertionError`` as soon as a difference exceeds the
            tolerance (else only measure).

    Returns:
        The largest relative difference seen.
    """
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    shapes, names = (MUON_SHAPES, MUON_NAMES) if name == "Muon" else (SHAPES, NAMES)
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    target = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    kkw, rkw = dict(kwargs), dict(kwargs)
    if lr is not None:
        kkw["learning_rate"] = _learning_rate(lr, keras.optimizers.schedules)
        rkw["learning_rate"] = _learning_rate(lr, rsched)
    kopt = getattr(keras.optimizers, name)(**kkw)
    ropt = ref.get(name, **rkw)
    kvars = [keras.Variable(p, name=n) for p, n in zip(start, names)]
    if exclude_names or exclude_indices:
        kopt.exclude_from_weight_decay(var_list=[kvars[i] for i in exclude_indices or []], var_names=exclude_names)
        ropt.exclude_from_weight_decay(var_list=exclude_indices, var_names=exclude_names)
    params = [p.copy() for p in start]
    state = ropt.init(params, paths=[v.path for v in kvars])
    kopt.build(kvars)
    keras_apply = _compiled_apply(kopt, kvars, [i not in none_grads for i in range(len(kvars))])
    scales = np.logspace(-3, 3, 7)
    worst = 0.0

    def compare(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
        nonlocal worst
        scale = max(1.0, float(np.max(np.abs(theirs))))
        diff = np.abs(ours.astype(np.float64) - theirs) / (np.abs(theirs) + ATOL * scale / RTOL)
        worst = max(worst, float(np.max(diff, initial=0.0)))
        if check and not np.all(diff <= RTOL):  # assert_allclose only for its message (it is slow)
            np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL * scale, err_msg=what)

    for t in range(steps):
        current = [v.numpy() for v in kvars]
        grads: list[np.ndarray | None] = []
        for i, (w, goal) in enumerate(zip(current, target)):
            g = scales[rng.integers(len(scales))] * (rng.standard_normal(w.shape) + (w - goal))
            u = rng.random()
            if u < 0.1:
                g = np.zeros_like(g)
            elif u < 0.4 and w.ndim:
                g = np.where(rng.random(w.shape) < 0.2, 0.0, g)
            grads.append(None if i in none_grads else g.astype(np.float32))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Gradients do not exist" for None gradients, on both sides
            keras_apply([tf.constant(g) for g in grads if g is not None])
            params, state = ropt.step(params, grads, state)
        assert state["iterations"] == int(kopt.iterations.numpy()), f"iterations after step {t}"
        assert state["raw_iterations"] == int(kopt._iterations.numpy()), f"raw iterations after step {t}"
        for i, v in enumerate(kvars):
            compare(params[i], v.numpy(), f"{name}: params[{i}] {shapes[i]} after step {t}")
        if kwargs.get("use_ema"):
            for i, avg in enumerate(kopt._model_variables_moving_average):
                compare(state["ema"][i], avg.numpy(), f"{name}: ema[{i}] after step {t}")
    if kwargs.get("use_ema"):
        kopt.finalize_variable_values(kvars)
        for ours, v in zip(ropt.finalize_variable_values(params, state), kvars):
            compare(ours, v.numpy(), f"{name}: finalize_variable_values")
    return worst


def main(cases: Sequence[tuple[str, dict[str, Any], ScheduleSpec | None, dict[str, Any]]]) -> dict[str, float]:
    """Print (and return) the largest relative difference against Keras, per optimizer.

    Args:
        cases: ``(name, kwargs, schedule or None, extra keywords of
            run_side_by_side)`` tuples, as ``CASES`` in the tests.
    """
    worst: dict[str, float] = {}
    with without_constant_folding():
        for name, kwargs, lr, extras in cases:
            worst[name] = max(worst.get(name, 0.0), run_side_by_side(name, kwargs, lr, check=False, **extras))
    for name in sorted(worst):
        print(f"{name:18s} {worst[name]:.2e}")
    return worst
