"""Figure helpers shared by the examples; each returns ``(fig, ax)``.

Plot text is English or symbolic: figures are shared by both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["plot_descent_1d", "plot_loss_curve"]


def _new_axes(ax=None):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    else:
        fig = ax.figure
    return fig, ax


def plot_descent_1d(
    f: Callable[[np.ndarray], np.ndarray],
    xs: Sequence[float],
    *,
    domain: tuple[float, float] | None = None,
    ax=None,
    label: str = "f(x)",
):
    """Plot ``f`` over ``domain`` and the points ``(x, f(x))`` a descent visited.

    The start is marked red, the last point black, the rest are coloured
    by step so that the order of the visits can be read off the figure.
    """
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"`xs` must be a non-empty 1-D sequence, got shape {xs.shape}")
    if domain is None:
        pad = 0.1 * (np.ptp(xs) or 1.0)
        domain = (xs.min() - pad, xs.max() + pad)
    fig, ax = _new_axes(ax)
    grid = np.linspace(*domain, 400)
    ax.plot(grid, f(grid), color="0.6", label=label)
    points = ax.scatter(xs, f(xs), c=np.arange(xs.size), cmap="viridis", s=14, zorder=3, label="visited")
    ax.scatter(xs[:1], f(xs[:1]), color="red", s=40, zorder=4, label="start")
    ax.scatter(xs[-1:], f(xs[-1:]), color="black", marker="x", s=50, zorder=4, label="end")
    fig.colorbar(points, ax=ax, label="step")
    ax.set_xlabel("x")
    ax.legend(loc="best")
    return fig, ax


def plot_loss_curve(losses: Sequence[float], *, ax=None, label: str | None = None, log: bool = True):
    """Plot a loss against the step (log scale by default)."""
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"`losses` must be a non-empty 1-D sequence, got shape {losses.shape}")
    fig, ax = _new_axes(ax)
    ax.plot(np.arange(losses.size), losses, label=label)
    if log and np.all(losses > 0):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if label is not None:
        ax.legend(loc="best")
    return fig, ax
