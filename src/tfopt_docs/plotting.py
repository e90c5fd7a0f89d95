"""Figure helpers shared by the examples; each returns ``(fig, ax)``.

Plot text is English or symbolic: figures are shared by both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "OPTIMIZER_STYLES",
    "optimizer_cycler",
    "plot_descent_1d",
    "plot_functions_and_derivatives",
    "plot_heatmaps",
    "plot_loss_curve",
    "plot_loss_curves",
    "plot_trajectories_on_contour",
]


#: Colour and line style of each optimizer in the gallery's races: one line
#: style per family (solid: gradient descent; dashed: per-coordinate adaptive
#: steps; dash-dot: the Adam family; dotted: sign, trust-ratio and factored
#: methods) and a colour of its own for every optimizer.
OPTIMIZER_STYLES: dict[str, dict[str, str]] = {
    "SGD": {"color": "tab:blue", "linestyle": "-"},
    "SGD+momentum": {"color": "tab:orange", "linestyle": "-"},
    "RMSprop": {"color": "tab:green", "linestyle": "--"},
    "Adagrad": {"color": "tab:red", "linestyle": "--"},
    "Adadelta": {"color": "tab:purple", "linestyle": "--"},
    "Ftrl": {"color": "tab:brown", "linestyle": "--"},
    "Adam": {"color": "tab:pink", "linestyle": "-."},
    "AdamW": {"color": "tab:gray", "linestyle": "-."},
    "Adamax": {"color": "tab:olive", "linestyle": "-."},
    "Nadam": {"color": "tab:cyan", "linestyle": "-."},
    "Lion": {"color": "black", "linestyle": ":"},
    "Lamb": {"color": "#b8860b", "linestyle": ":"},
    "Adafactor": {"color": "#0b3d91", "linestyle": ":"},
}


def optimizer_cycler(names: Sequence[str]):
    """A property cycle giving each named optimizer its style from :data:`OPTIMIZER_STYLES`.

    Pass it to ``ax.set_prop_cycle`` before drawing one line per name, in the
    same order (for example sorted by final loss, so that the legend reads as
    a ranking).

    Args:
        names: Optimizer names, keys of :data:`OPTIMIZER_STYLES`.

    Returns:
        A ``cycler.Cycler`` over ``color`` and ``linestyle``.

    Raises:
        ValueError: if a name has no style.

    >>> cycle = optimizer_cycler(["Adam", "SGD"])
    >>> print([style["color"] for style in cycle], [style["linestyle"] for style in cycle])
    ['tab:pink', 'tab:blue'] ['-.', '-']
    """
    from matplotlib.rcsetup import cycler  # cycler.cycler, validated

    names = list(names)
    unknown = [name for name in names if name not in OPTIMIZER_STYLES]
    if unknown or not names:
        raise ValueError(f"`names` must be a non-empty list of {sorted(OPTIMIZER_STYLES)}, got unknown {unknown}")
    return cycler(
        color=[OPTIMIZER_STYLES[name]["color"] for name in names],
        linestyle=[OPTIMIZER_STYLES[name]["linestyle"] for name in names],
    )


def _new_axes(ax=None):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    else:
        fig = ax.figure
    return fig, ax


def plot_descent_1d(
    f: Callable[[np.ndarray], np.ndarray],
    xs: ArrayLike,
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
    ax.set_xlabel("$x$")
    ax.legend(loc="best")
    return fig, ax


def plot_loss_curve(losses: ArrayLike, *, ax=None, label: str | None = None, log: bool = True):
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


def plot_loss_curves(
    losses: Mapping[str, ArrayLike],
    *,
    floor: float | None = None,
    colors: Sequence[Any] | None = None,
    ax=None,
    figsize: tuple[float, float] = (6.4, 4.0),
    ylabel: str = "$f(x, y)$",
    title: str = "loss along each path",
    lw: float | None = None,
    **legend_kwargs: Any,
):
    """One loss curve per name against the step, on a log scale (the optimizer races).

    Args:
        losses: 1-D loss arrays by name (the legend's labels).
        floor: Draw values below it at it (a loss of exactly 0 has no place
            on a log scale); None draws them as they are.
        colors: Colours to cycle through (e.g. ``plt.cm.tab20.colors`` for
            more curves than the default cycle tells apart); None keeps the
            default cycle.
        ax: Axes to draw on; None makes a figure of ``figsize``.
        figsize: The new figure's size.
        ylabel: The y-axis label.
        title: The axes title.
        lw: Line width; None keeps matplotlib's.
        **legend_kwargs: Passed to ``ax.legend`` (e.g. ``ncol=2``).

    Returns:
        ``(fig, ax)``.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig, ax = plot_loss_curves({"a": [1.0, 0.1, 0.0]}, floor=1e-3)
    >>> print(ax.get_yscale(), ax.lines[0].get_ydata().tolist())
    log [1.0, 0.1, 0.001]
    """
    import matplotlib.pyplot as plt

    if not isinstance(losses, Mapping) or not losses:
        raise TypeError(f"`losses` must be a non-empty dict of loss arrays by name, got {type(losses).__name__}")
    curves = {}
    for name, loss in losses.items():
        values = np.asarray(loss)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"`losses[{name!r}]` must be a non-empty 1-D sequence, got shape {values.shape}")
        curves[name] = values if floor is None else np.maximum(values, floor)
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure
    if colors is not None:
        ax.set_prop_cycle(color=list(colors)[: len(curves)])
    style = {} if lw is None else {"lw": lw}
    for name, values in curves.items():
        ax.plot(values, label=name, **style)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.legend(**legend_kwargs)
    ax.set_title(title)
    return fig, ax


def _check_limits(name: str, value) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a pair of numbers (low, high), got {value!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"`{name}` must be finite with low < high, got {value!r}")
    return low, high


def plot_trajectories_on_contour(
    func: Callable[[np.ndarray], np.ndarray],
    trajectories,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    levels=30,
    labels: Sequence[str] | None = None,
    minima=None,
    ax=None,
):
    """Draw paths of 2-D descents over the contour lines of ``func``.

    Args:
        func: the objective; called once as ``func(np.stack([X, Y]))`` on a
            200 x 200 mesh grid, so it must work elementwise on NumPy arrays
            (as every function in :mod:`tfopt_docs.functions` does).
        trajectories: the paths, either a dict ``label -> points`` or a list
            of paths; each path is an ``(n, 2)`` array-like of ``(x, y)``
            points, ``n >= 1``, in the order visited.
        xlim: ``(low, high)`` of the x axis (and of the contour grid).
        ylim: ``(low, high)`` of the y axis.
        levels: passed to ``contour``: a number of levels or the increasing
            level values. The contour levels are spaced on a log scale when
            an int is given and ``func`` is positive on the grid.
        labels: one legend label per path when ``trajectories`` is a list
            (not allowed with a dict, whose keys are the labels).
        minima: optional ``(k, 2)`` array-like of points marked with a star.
        ax: the axes to draw on; a new figure is made when ``None``.

    Returns:
        ``(fig, ax)``. Each path is one ``Line2D`` in ``ax.lines`` (with its
        label), followed by black dots at the distinct starting points
        (label ``"start"``) and the red stars of ``minima``.

    Raises:
        TypeError: if ``trajectories`` is neither a dict nor a list/tuple, or
            ``xlim``/``ylim`` is not a pair of numbers.
        ValueError: if a path is not ``(n, 2)`` with ``n >= 1``, if
            ``labels`` does not match the paths, if a limit pair is not
            finite and increasing, or if ``levels`` is an int <= 0.
    """
    if isinstance(trajectories, dict):
        if labels is not None:
            raise ValueError("`labels` must be None when `trajectories` is a dict (its keys are the labels)")
        labels = [str(k) for k in trajectories]
        paths = list(trajectories.values())
    elif isinstance(trajectories, (list, tuple)):
        paths = list(trajectories)
        if labels is not None:
            labels = [str(label) for label in labels]
            if len(labels) != len(paths):
                raise ValueError(f"`labels` has {len(labels)} entries for {len(paths)} trajectories")
    else:
        raise TypeError(f"`trajectories` must be a dict or a list of (n, 2) arrays, got {type(trajectories).__name__}")
    if not paths:
        raise ValueError("`trajectories` is empty")
    arrays = []
    for i, path in enumerate(paths):
        arr = np.asarray(path, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
            name = labels[i] if labels is not None else i
            raise ValueError(f"`trajectories`[{name!r}] must have shape (n, 2), got {arr.shape}")
        arrays.append(arr)
    x0, x1 = _check_limits("xlim", xlim)
    y0, y1 = _check_limits("ylim", ylim)
    if minima is not None:
        minima = np.asarray(minima, dtype=float).reshape(-1, 2) if np.size(minima) else np.empty((0, 2))

    fig, ax = _new_axes(ax)
    X, Y = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    Z = np.asarray(func(np.stack([X, Y])), dtype=float)
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, bool):
        if levels <= 0:
            raise ValueError(f"`levels` must be > 0, got {levels}")
        if np.all(Z > 0):
            levels = np.geomspace(Z.min(), Z.max(), levels)
    ax.contour(X, Y, Z, levels=levels, colors="0.75", linewidths=0.6)
    for i, arr in enumerate(arrays):
        label = labels[i] if labels is not None else None
        ax.plot(arr[:, 0], arr[:, 1], lw=1.2, marker=".", ms=2, label=label)
    # Every distinct starting point, once: races share one start, restarts don't.
    starts = np.unique(np.array([arr[0] for arr in arrays]), axis=0)
    ax.plot(starts[:, 0], starts[:, 1], "o", color="black", ms=6, ls="none", label="start", zorder=4)
    if minima is not None and len(minima):
        ax.plot(minima[:, 0], minima[:, 1], "*", color="red", ms=11, ls="none", label="minima", zorder=4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(loc="best", fontsize="small")
    return fig, ax


def plot_heatmaps(
    matrices,
    *,
    titles: Sequence[str] | None = None,
    annotate: bool = True,
    cmap: str = "RdBu_r",
    colorbar_label: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
):
    """Draw square matrices side by side on one symmetric colour scale.

    Zero is white and the scale runs from ``-m`` to ``m``, ``m`` the largest
    absolute entry of all matrices, so signs and sizes compare across panels
    (a softmax Jacobian for several probability vectors, say).

    Args:
        matrices: a sequence of 2-D array-likes (or one 3-D array, one
            matrix per leading index).
        titles: one title per matrix.
        annotate: write each entry (2 decimals) in its cell.
        cmap: a diverging matplotlib colormap name.
        colorbar_label: label of the shared colour bar.
        xlabel: label of every panel's x axis (the column index).
        ylabel: label of the first panel's y axis (the row index).

    Returns:
        ``(fig, axes)``, ``axes`` a list with one ``Axes`` per matrix, each
        holding one image (``ax.images[0]``) of its matrix.

    Raises:
        ValueError: if there is no matrix, one is not 2-D or not finite, or
            ``titles`` does not match.
    """
    import matplotlib.pyplot as plt

    arrays = [np.asarray(m, dtype=float) for m in matrices]
    if not arrays:
        raise ValueError("`matrices` is empty")
    for i, m in enumerate(arrays):
        if m.ndim != 2 or m.size == 0:
            raise ValueError(f"`matrices`[{i}] must be a non-empty 2-D array, got shape {m.shape}")
        if not np.all(np.isfinite(m)):
            raise ValueError(f"`matrices`[{i}] has non-finite entries")
    if titles is not None:
        titles = [str(t) for t in titles]
        if len(titles) != len(arrays):
            raise ValueError(f"`titles` has {len(titles)} entries for {len(arrays)} matrices")
    limit = max(float(np.abs(m).max()) for m in arrays) or 1.0
    fig, panels = plt.subplots(
        1, len(arrays), figsize=(3.2 * len(arrays) + 1.0, 3.4), layout="constrained", squeeze=False
    )
    axes = list(panels[0])
    for i, (ax, m) in enumerate(zip(axes, arrays)):
        image = ax.imshow(m, cmap=cmap, vmin=-limit, vmax=limit)
        if annotate:
            for (r, c), value in np.ndenumerate(m):
                color = "white" if abs(value) > 0.6 * limit else "black"
                text = f"{value:.2f}"
                ax.text(
                    c, r, "0.00" if text == "-0.00" else text, ha="center", va="center", fontsize="x-small", color=color
                )
        ax.set_xticks(range(m.shape[1]))
        ax.set_yticks(range(m.shape[0]))
        if titles is not None:
            ax.set_title(titles[i], fontsize="small")
        if xlabel is not None:
            ax.set_xlabel(xlabel)
    if ylabel is not None:
        axes[0].set_ylabel(ylabel)
    fig.colorbar(image, ax=axes, shrink=0.8, label=colorbar_label)
    return fig, axes


def plot_functions_and_derivatives(x, curves, *, markers=None):
    """One panel per function: the function and its derivative over ``x``.

    Args:
        x: the 1-D grid.
        curves: a dict ``name -> (f(x), f'(x))``, arrays shaped like ``x``.
        markers: optional dict ``name -> (x_points, f'(x_points))`` drawn as
            dots on the derivative (e.g. the tape's values on a coarser grid).

    Returns:
        ``(fig, axes)``: a list of ``Axes``, one per function, in the order of
        ``curves``; each has the lines labelled ``"f"`` and ``"f'"`` (and
        ``"tape"`` for the markers).

    Raises:
        ValueError: if ``x`` is not 1-D, ``curves`` is empty, a curve does not
            match ``x`` or a marker names an unknown function.
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"`x` must be a 1-D grid of at least 2 points, got shape {x.shape}")
    if not isinstance(curves, dict) or not curves:
        raise ValueError("`curves` must be a non-empty dict name -> (f(x), f'(x))")
    markers = {} if markers is None else markers
    unknown = set(markers) - set(curves)
    if unknown:
        raise ValueError(f"`markers` names functions not in `curves`: {sorted(unknown)}")
    fig, panels = plt.subplots(
        1, len(curves), figsize=(2.9 * len(curves) + 0.6, 3.0), layout="constrained", sharex=True, squeeze=False
    )
    axes = list(panels[0])
    for ax, (name, pair) in zip(axes, curves.items()):
        try:
            y, dy = (np.asarray(c, dtype=float) for c in pair)
        except (TypeError, ValueError):
            raise ValueError(f"`curves`[{name!r}] must be a pair (f(x), f'(x))") from None
        if y.shape != x.shape or dy.shape != x.shape:
            raise ValueError(f"`curves`[{name!r}] must hold two arrays shaped like `x` {x.shape}")
        ax.axhline(0.0, color="0.8", lw=0.8)
        ax.plot(x, y, label="f")
        ax.plot(x, dy, label="f'")
        if name in markers:
            px, pdy = (np.asarray(c, dtype=float) for c in markers[name])
            ax.plot(px, pdy, "o", ms=3, color="black", label="tape")
        ax.set_title(str(name))
        ax.set_xlabel("$x$")
        ax.legend(loc="upper left", fontsize="small")
    return fig, axes
