"""The Keras learning-rate schedules, re-implemented in NumPy.

Same class names, keywords and defaults as ``keras.optimizers.schedules`` of
the pinned Keras. A schedule maps a step (an int, or a NumPy array of steps)
to a learning rate (a float, or an array).

Keras computes a schedule in the dtype of ``initial_learning_rate``: float32
for a Python float. These classes do the same arithmetic in float32, in the
same order, so that they agree with Keras even at the steps where a float32
rounding decides which piece of a schedule applies (the restarts of
:class:`CosineDecayRestarts`, the stairs of ``staircase=True``).

>>> sched = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> print(round(sched(10), 6), round(sched(20), 6))
0.05 0.025
>>> print(np.round(sched(np.array([0, 5, 10])), 6))
[0.1      0.070711 0.05    ]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tfopt_docs._validation import ArgumentTypeError, check_bool, check_real

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
]

_DTYPE = np.float32  # Keras's dtype for a Python-float initial_learning_rate
_PI = _DTYPE(math.pi)


def _fraction(name: str, value: Any) -> float:
    """A real number in [0, 1]; the message names the bound crossed (``>= 0`` or ``<= 1``)."""
    return check_real(name, check_real(name, value, low=0.0), high=1.0)


class LearningRateSchedule:
    """Base class: ``sched(step)`` validates the steps and calls ``_rate``."""

    _config: dict[str, Any]  # the constructor keywords, set by every subclass

    def __call__(self, step: Any) -> float | np.ndarray:
        steps = np.asarray(step)
        if steps.dtype == bool or not (
            np.issubdtype(steps.dtype, np.integer) or np.issubdtype(steps.dtype, np.floating)
        ):
            raise ArgumentTypeError(f"`step` must be an int or an array of numbers, got {step!r}")
        if np.any(~np.isfinite(steps)) or np.any(steps < 0):
            raise ValueError(f"`step` must be finite and >= 0, got {step!r}")
        rate = np.asarray(self._rate(steps.astype(_DTYPE)), dtype=_DTYPE)
        return float(rate) if rate.ndim == 0 else rate.astype(np.float64)

    def _rate(self, step: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor keywords, as Keras's ``get_config`` returns them."""
        return dict(self._config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Build a schedule from :meth:`get_config`'s dict (Keras's ``from_config``)."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config.items())
        return f"{type(self).__name__}({args})"


class _RateDecay(LearningRateSchedule):
    """Shared by the two schedules driven by ``decay_rate`` and the progress
    ``step / decay_steps`` (floored with ``staircase=True``)."""

    _decay_rate_low_open = True  # whether decay_rate = 0 is refused

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        self.initial_learning_rate = check_real("initial_learning_rate", initial_learning_rate, low=0.0)
        self.decay_steps = check_real("decay_steps", decay_steps, low=0.0, low_open=True)
        self.decay_rate = check_real("decay_rate", decay_rate, low=0.0, low_open=self._decay_rate_low_open)
        self.staircase = check_bool("staircase", staircase)
        self.name = name
        self._config = dict(
            initial_learning_rate=initial_learning_rate,
            decay_steps=decay_steps,
            decay_rate=decay_rate,
            staircase=staircase,
            name=name,
        )

    def _progress(self, step):
        p = step / _DTYPE(self.decay_steps)
        return np.floor(p) if self.staircase else p


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is floored, so the rate drops once
    every ``decay_steps`` steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _rate(self, step):
        return _DTYPE(self.initial_learning_rate) * np.power(_DTYPE(self.decay_rate), self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including ``boundaries[0]``, ``values[1]`` up to
    ``boundaries[1]``, ..., ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "`boundaries` must have one element less than `values`, got "
                f"{len(boundaries)} boundaries and {len(values)} values"
            )
        self.boundaries = [check_real(f"boundaries[{i}]", b) for i, b in enumerate(boundaries)]
        self.values = [check_real(f"values[{i}]", v) for i, v in enumerate(values)]
        if any(b >= c for b, c in zip(self.boundaries, self.boundaries[1:])):
            raise ValueError(f"`boundaries` must be strictly increasing, got {list(boundaries)!r}")
        self.name = name
        self._config = dict(boundaries=list(boundaries), values=list(values), name=name)

    def _rate(self, step):
        # Number of boundaries strictly below the step = index of the value.
        index = np.searchsorted(np.asarray(self.boundaries, dtype=_DTYPE), step, side="left")
        return np.asarray(self.values, dtype=_DTYPE)[index]


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` along
    ``(1 - step / decay_steps) ** power``; constant afterwards, or, with
    ``cycle=True``, over a horizon stretched to the next multiple of
    ``decay_steps``."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        self.initial_learning_rate = check_real("initial_learning_rate", initial_learning_rate, low=0.0)
        self.decay_steps = check_real("decay_steps", decay_steps, low=0.0, low_open=True)
        self.end_learning_rate = check_real("end_learning_rate", end_learning_rate, low=0.0)
        self.power = check_real("power", power, low=0.0, low_open=True)
        self.cycle = check_bool("cycle", cycle)
        self.name = name
        self._config = dict(
            initial_learning_rate=initial_learning_rate,
            decay_steps=decay_steps,
            end_learning_rate=end_learning_rate,
            power=power,
            cycle=cycle,
            name=name,
        )

    def _rate(self, step):
        decay_steps: Any = _DTYPE(self.decay_steps)  # an array of horizons with cycle=True
        if self.cycle:
            multiplier = np.where(step == 0, _DTYPE(1.0), np.ceil(step / decay_steps)).astype(_DTYPE)
            decay_steps = decay_steps * multiplier
        else:
            step = np.minimum(step, decay_steps)
        p = step / decay_steps
        initial, end = _DTYPE(self.initial_learning_rate), _DTYPE(self.end_learning_rate)
        return (initial - end) * np.power(_DTYPE(1) - p, _DTYPE(self.power)) + end


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; the
    ratio is floored with ``staircase=True``.

    This is the schedule that replaced the ``decay=`` argument of the old
    optimizers (``decay_steps=1, decay_rate=decay``).
    """

    _decay_rate_low_open = False  # decay_rate = 0 is a constant rate

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _rate(self, step):
        return _DTYPE(self.initial_learning_rate) / (_DTYPE(1) + _DTYPE(self.decay_rate) * self._progress(step))


def _cosine(fraction, alpha):
    """``(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha``, in Keras's order."""
    return (_DTYPE(1) - _DTYPE(alpha)) * (_DTYPE(0.5) * (_DTYPE(1) + np.cos(_PI * fraction))) + _DTYPE(alpha)


class CosineDecay(LearningRateSchedule):
    """Half a cosine from the peak rate down to ``alpha`` times it over
    ``decay_steps``, after an optional linear warmup.

    Without ``warmup_target`` the peak is ``initial_learning_rate``. With it,
    the rate first climbs linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps`` steps, then decays from
    ``warmup_target``.
    """

    def __init__(
        self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None, warmup_steps=0
    ):
        self.initial_learning_rate = check_real("initial_learning_rate", initial_learning_rate, low=0.0)
        self.decay_steps = check_real("decay_steps", decay_steps, low=0.0, low_open=True)
        self.alpha = _fraction("alpha", alpha)
        self.warmup_target = None if warmup_target is None else check_real("warmup_target", warmup_target, low=0.0)
        self.warmup_steps = check_real("warmup_steps", warmup_steps, low=0.0)
        self.name = name
        self._config = dict(
            initial_learning_rate=initial_learning_rate,
            decay_steps=decay_steps,
            alpha=alpha,
            name=name,
            warmup_target=warmup_target,
            warmup_steps=warmup_steps,
        )

    def _rate(self, step):
        initial, decay_steps = _DTYPE(self.initial_learning_rate), _DTYPE(self.decay_steps)
        if self.warmup_target is None:
            step = np.minimum(step, decay_steps)
            return initial * _cosine(step / decay_steps, self.alpha)
        target, warmup_steps = _DTYPE(self.warmup_target), _DTYPE(self.warmup_steps)
        step = np.minimum(step, decay_steps + warmup_steps)
        with np.errstate(divide="ignore", invalid="ignore"):  # warmup_steps may be 0: branch unused then
            warming = (target - initial) * (step / warmup_steps) + initial
        decaying = target * _cosine((step - warmup_steps) / decay_steps, self.alpha)
        return np.where(step < warmup_steps, warming, decaying)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay that restarts (SGDR, Loshchilov & Hutter 2017).

    The first period lasts ``first_decay_steps``; each next one lasts ``t_mul``
    times longer and starts from a peak ``m_mul`` times lower.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = check_real("initial_learning_rate", initial_learning_rate, low=0.0)
        self.first_decay_steps = check_real("first_decay_steps", first_decay_steps, low=0.0, low_open=True)
        self.t_mul = check_real("t_mul", t_mul, low=0.0, low_open=True)
        self.m_mul = check_real("m_mul", m_mul, low=0.0)
        self.alpha = _fraction("alpha", alpha)
        self.name = name
        self._config = dict(
            initial_learning_rate=initial_learning_rate,
            first_decay_steps=first_decay_steps,
            t_mul=t_mul,
            m_mul=m_mul,
            alpha=alpha,
            name=name,
        )

    def _rate(self, step):
        fraction = step / _DTYPE(self.first_decay_steps)
        t_mul = _DTYPE(self.t_mul)
        if self.t_mul == 1.0:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            # Periods grow geometrically: restart i starts at (1 - t^i) / (1 - t).
            restart = np.floor(np.log(_DTYPE(1) - fraction * (_DTYPE(1) - t_mul)) / np.log(t_mul))
            start = (_DTYPE(1) - np.power(t_mul, restart)) / (_DTYPE(1) - t_mul)
            fraction = (fraction - start) / np.power(t_mul, restart)
        peak = np.power(_DTYPE(self.m_mul), restart)
        cosine = _DTYPE(0.5) * peak * (_DTYPE(1) + np.cos(_PI * fraction))
        alpha = _DTYPE(self.alpha)
        return _DTYPE(self.initial_learning_rate) * ((_DTYPE(1) - alpha) * cosine + alpha)
