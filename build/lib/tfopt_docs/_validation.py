"""Argument checks shared by the public functions (clear errors, one place)."""

from __future__ import annotations

import numbers


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int > 0, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an int > 0, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"`{name}` must be an int > 0, got {value!r}")
    return int(value)


def check_real(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a real number, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {type(value).__name__} {value!r}")
    return float(value)
