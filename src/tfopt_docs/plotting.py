"""Figure helpers shared by the examples; each returns ``(fig, ax)``.

Plot text is English or symbolic: figures are shared by both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["plot_descent_1d", "plot_loss_curve", "plot_trajectories_on_contour"]


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


def _check_limits(name: str, value) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a pair of numbers (low, high), got {value!r}") from None
    if not low < high:
        raise ValueError(f"`{name}` must satisfy low < high, got {value!r}")
    return low, high


def plot_trajectories_on_contour(
    func: Callable[[np.ndarray], np.ndarray],
    trajectories: Sequence[Sequence[Sequence[float]]],
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    levels: int | Sequence[float] = 30,
    labels: Sequence[str] | None = None,
    log_levels: bool = True,
    resolution: int = 300,
    ax=None,
):
    """Draw the contours of a 2-D function and the paths of descents over it.

    Args:
        func: called as ``func((X, Y))`` on a mesh grid, as
            :func:`tfopt_docs.functions.himmelblau` accepts.
        trajectories: one array of shape ``(steps, 2)`` per descent, the
            points in the order visited. Each path starts with a circle and
            ends with a cross.
        xlim, ylim: the ``(low, high)`` window of the plot.
        levels: the number of contour levels, or the levels themselves.
        labels: one legend entry per trajectory (no legend if ``None``).
        log_levels: with an int ``levels``, space the levels
            logarithmically between the smallest positive and the largest
            value on the grid (suits functions with a minimum near 0).
        resolution: grid points per axis.
        ax: draw into these axes instead of a new figure.

    Returns:
        ``(fig, ax)``; the trajectories are the axes' lines, in order.
    """
    xlim, ylim = _check_limits("xlim", xlim), _check_limits("ylim", ylim)
    paths = [np.asarray(t, dtype=float) for t in trajectories]
    if not paths:
        raise ValueError("`trajectories` must hold at least one trajectory")
    for i, path in enumerate(paths):
        if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] == 0:
            raise ValueError(f"`trajectories[{i}]` must have shape (steps, 2), got {path.shape}")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(paths):
            raise ValueError(f"`labels` must have one entry per trajectory ({len(paths)}), got {len(labels)}")
    fig, ax = _new_axes(ax)
    X, Y = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    Z = np.asarray(func((X, Y)), dtype=float)
    if isinstance(levels, int):
        if log_levels and np.any(Z > 0):
            low = max(Z[Z > 0].min(), 1e-3)
            levels = np.geomspace(low, Z.max(), levels)
        else:
            levels = np.linspace(Z.min(), Z.max(), levels)
    ax.contour(X, Y, Z, levels=levels, cmap="Greys_r", linewidths=0.6)
    for i, path in enumerate(paths):
        label = None if labels is None else labels[i]
        (line,) = ax.plot(path[:, 0], path[:, 1], "-", lw=1.5, label=label)
        ax.plot(path[:1, 0], path[:1, 1], "o", color=line.get_color(), ms=6)
        ax.plot(path[-1:, 0], path[-1:, 1], "x", color="black", ms=8, mew=2)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if labels is not None:
        ax.legend(loc="best", fontsize="small")
    return fig, ax
