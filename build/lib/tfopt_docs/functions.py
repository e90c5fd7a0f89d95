"""Objective functions used by the pages and examples.

Each function uses only arithmetic operators, so it accepts Python floats,
NumPy arrays and TensorFlow tensors alike (and ``tf.GradientTape`` can
differentiate it).

>>> import numpy as np
>>> print(shifted_square(3.0))
2209.0
>>> print(float(himmelblau(np.array([3.0, 2.0]))))
0.0
>>> print(float(rosenbrock(np.array([1.0, 1.0]))))
0.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfopt_docs._validation import check_real

__all__ = [
    "HIMMELBLAU_MINIMA",
    "himmelblau",
    "quadratic",
    "rosenbrock",
    "shifted_square",
]

#: The four global minima of Himmelblau's function, where it equals 0
#: (one exact, three to the precision of a float64 root finder).
HIMMELBLAU_MINIMA = np.array(
    [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.283185991286170],
        [3.584428340330492, -1.848126526964404],
    ]
)


def quadratic(x: Any, a: float = 1.0, b: float = 0.0, c: float = 0.0) -> Any:
    """Return ``a * x**2 + b * x + c``.

    Seed 000 minimizes ``quadratic(x, c=1.0)`` (x^2 + 1) and seed 001
    ``quadratic(x, 3.0, 2.0, -1.0)`` (3x^2 + 2x - 1, minimum at x = -1/3).

    >>> print(quadratic(2.0, c=1.0))
    5.0
    >>> print(round(quadratic(-1 / 3, 3.0, 2.0, -1.0), 6))
    -1.333333
    """
    a, b, c = check_real("a", a), check_real("b", b), check_real("c", c)
    return a * x**2 + b * x + c


def shifted_square(x: Any, center: float = 50.0) -> Any:
    """Return ``(x - center)**2``, seed 003's stand-in for a loss (minimum at ``center``).

    >>> print(shifted_square(50.0))
    0.0
    """
    center = check_real("center", center)
    return (x - center) ** 2


def himmelblau(p: Any) -> Any:
    """Himmelblau's function ``(x^2 + y - 11)^2 + (x + y^2 - 7)^2``.

    Args:
        p: a pair ``(x, y)``; ``p[0]`` and ``p[1]`` may be arrays or tensors
            of any (matching) shape, so a mesh grid evaluates in one call.
    """
    x, y = p[0], p[1]
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def rosenbrock(p: Any, a: float = 1.0, b: float = 100.0) -> Any:
    """Rosenbrock's valley ``(a - x)^2 + b (y - x^2)^2``, minimum 0 at ``(a, a^2)``.

    >>> print(rosenbrock((0.0, 0.0)))
    1.0
    """
    a, b = check_real("a", a), check_real("b", b)
    x, y = p[0], p[1]
    return (a - x) ** 2 + b * (y - x**2) ** 2
