"""Argument checks shared by the public functions (clear errors, one place).

Every check names the argument in its message and raises
:class:`ArgumentTypeError` (a ``TypeError`` that is also a ``ValueError``) for
a value of the wrong type, ``ValueError`` for a value of the right type out of
range. The optimizers, the schedules, the objectives, the derivatives and the
TensorFlow helpers all use these, so one mistake gives one kind of error.

>>> check_real("rho", 0.5, low=0.0, high=1.0)
0.5
>>> try:
...     check_real("rho", 1.5, low=0.0, high=1.0)
... except ValueError as e:
...     print(type(e).__name__, e)
ValueError `rho` must be in [0, 1], got 1.5
>>> try:
...     check_positive_int("epochs", 2.0)
... except TypeError as e:
...     print(type(e).__name__, e)
ArgumentTypeError `epochs` must be an int > 0, got float 2.0
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "check_bool",
    "check_int",
    "check_optional_real",
    "check_positive_int",
    "check_real",
]


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type.

    A ``TypeError`` that is also a ``ValueError``: Keras raises ``ValueError``
    for some of these (e.g. an int ``learning_rate``), so code written for
    Keras's exception keeps working.
    """


def _is_bool(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


def check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    floats_only: bool = False,
) -> float:
    """Return ``value`` as a float if it is a finite real number in range.

    Args:
        name: The argument's name, for the message.
        value: The value to check (a bool is not a number here).
        low: The lower bound, or None.
        high: The upper bound, or None.
        low_open: Whether ``low`` itself is refused.
        high_open: Whether ``high`` itself is refused.
        floats_only: Refuse ints too (as Keras does for some arguments).

    Raises:
        ArgumentTypeError: if ``value`` is not a real number (or an int with
            ``floats_only``).
        ValueError: if it is not finite or out of range.
    """
    kinds = "a float" if floats_only else "a real number"
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"`{name}` must be {kinds}, got {type(value).__name__} {value!r}")
    if floats_only and isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            f"`{name}` must be a float (as Keras requires; write {float(value)!r}), got int {value!r}"
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"`{name}` must be finite, got {number!r}")
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        if low is not None and high is not None:
            rng = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            rng = f"{'>' if low_open else '>='} {low:g}"
        else:
            rng = f"{'<' if high_open else '<='} {high:g}"
        raise ValueError(f"`{name}` must be {rng}, got {number!r}")
    return number


def check_optional_real(name: str, value: object, **bounds: float | bool | None) -> float | None:
    """None, or :func:`check_real` of ``value`` with the same keywords."""
    return None if value is None else check_real(name, value, **bounds)  # type: ignore[arg-type]


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is True or False (NumPy's too), else raise naming ``name``."""
    if not _is_bool(value):
        raise ArgumentTypeError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def check_int(name: str, value: object, *, low: int) -> int:
    """Return ``value`` if it is an int >= ``low``, else raise naming ``name``."""
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"`{name}` must be an int >= {low}, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"`{name}` must be an int >= {low}, got {value!r}")
    return int(value)


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int > 0, else raise naming ``name``."""
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"`{name}` must be an int > 0, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"`{name}` must be an int > 0, got {value!r}")
    return int(value)
