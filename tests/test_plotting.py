import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from tfopt_docs.functions import shifted_square
from tfopt_docs.plotting import plot_descent_1d, plot_loss_curve


def test_plot_descent_marks_every_visited_point():
    xs = np.array([3.0, 4.0, 5.5])
    fig, ax = plot_descent_1d(shifted_square, xs, domain=(0, 100))
    visited = ax.collections[0].get_offsets()
    np.testing.assert_allclose(visited[:, 0], xs)
    np.testing.assert_allclose(visited[:, 1], shifted_square(xs))
    assert ax.get_xlim()[0] <= 0 and ax.get_xlim()[1] >= 100


def test_plot_loss_curve_uses_log_scale_for_positive_losses():
    _, ax = plot_loss_curve([4.0, 2.0, 1.0])
    assert ax.get_yscale() == "log"
    _, ax = plot_loss_curve([1.0, 0.0])
    assert ax.get_yscale() == "linear"


@pytest.mark.parametrize("bad", [[], [[1.0, 2.0]]])
def test_plots_reject_non_1d_input(bad):
    with pytest.raises(ValueError, match="`xs`"):
        plot_descent_1d(shifted_square, bad)
    with pytest.raises(ValueError, match="`losses`"):
        plot_loss_curve(bad)


from tfopt_docs.functions import HIMMELBLAU_MINIMA, himmelblau, rosenbrock
from tfopt_docs.plotting import plot_trajectories_on_contour


def test_contour_draws_each_path_with_its_label_and_the_minima():
    paths = {"A": [[0.0, 0.0], [1.0, 1.0], [3.0, 2.0]], "B": np.array([[0.0, 0.0], [-1.0, 2.0]])}
    fig, ax = plot_trajectories_on_contour(
        himmelblau, paths, xlim=(-5, 5), ylim=(-4, 4.5), minima=HIMMELBLAU_MINIMA
    )
    lines = {line.get_label(): line for line in ax.lines}
    assert list(lines)[:2] == ["A", "B"]
    np.testing.assert_allclose(lines["A"].get_xydata(), paths["A"])
    np.testing.assert_allclose(lines["B"].get_xydata(), paths["B"])
    np.testing.assert_allclose(lines["start"].get_xydata(), [[0.0, 0.0]])
    np.testing.assert_allclose(lines["minima"].get_xydata(), HIMMELBLAU_MINIMA)
    assert ax.get_xlim() == (-5.0, 5.0) and ax.get_ylim() == (-4.0, 4.5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["A", "B", "start", "minima"]
    assert len(ax.collections) >= 1  # the contour set


def test_contour_list_with_labels_and_explicit_levels_on_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out_fig, out_ax = plot_trajectories_on_contour(
        rosenbrock, [[[-1.0, 1.0], [1.0, 1.0]]], xlim=(-2, 2), ylim=(-1, 3), labels=["p"], levels=[1, 10, 100], ax=ax
    )
    assert out_ax is ax and out_fig is fig
    assert [line.get_label() for line in ax.lines] == ["p", "start"]
    np.testing.assert_allclose(ax.collections[0].levels, [1, 10, 100])


def test_contour_log_levels_for_positive_function():
    _, ax = plot_trajectories_on_contour(
        lambda p: p[0] ** 2 + p[1] ** 2 + 1.0, [[[0.0, 0.0]]], xlim=(-1, 1), ylim=(-1, 1), levels=5
    )
    levels = ax.collections[0].levels
    np.testing.assert_allclose(levels[1:] / levels[:-1], levels[1] / levels[0])  # geometric


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(trajectories="path"), TypeError, "`trajectories`"),
        (dict(trajectories=[]), ValueError, "`trajectories`"),
        (dict(trajectories=[[1.0, 2.0, 3.0]]), ValueError, r"`trajectories`\[0\]"),
        (dict(trajectories={"a": np.zeros((3, 3))}), ValueError, r"`trajectories`\['a'\]"),
        (dict(trajectories={"a": [[0.0, 0.0]]}, labels=["x"]), ValueError, "`labels`"),
        (dict(trajectories=[[[0.0, 0.0]]], labels=["x", "y"]), ValueError, "`labels`"),
        (dict(xlim=(1, -1)), ValueError, "`xlim`"),
        (dict(ylim="ab"), TypeError, "`ylim`"),
        (dict(levels=0), ValueError, "`levels`"),
    ],
)
def test_contour_rejects_bad_arguments(kwargs, error, match):
    args = dict(trajectories=[[[0.0, 0.0]]], xlim=(-1, 1), ylim=(-1, 1)) | kwargs
    trajectories = args.pop("trajectories")
    with pytest.raises(error, match=match):
        plot_trajectories_on_contour(himmelblau, trajectories, **args)


from tfopt_docs.plotting import plot_functions_and_derivatives, plot_heatmaps


def test_heatmaps_share_one_symmetric_scale():
    matrices = [np.array([[0.2, -0.1], [-0.1, 0.2]]), np.array([[0.5, -0.5], [-0.5, 0.5]])]
    fig, axes = plot_heatmaps(matrices, titles=["a", "b"], colorbar_label="J", xlabel="j", ylabel="i")
    assert len(axes) == 2 and [ax.get_title() for ax in axes] == ["a", "b"]
    assert [ax.get_xlabel() for ax in axes] == ["j", "j"] and axes[0].get_ylabel() == "i"
    for ax, m in zip(axes, matrices):
        image = ax.images[0]
        np.testing.assert_allclose(image.get_array(), m)
        assert image.get_clim() == (-0.5, 0.5)
        assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in m.ravel()]


def test_heatmaps_accept_a_stack_and_never_print_minus_zero():
    stack = np.array([[[1e-4, -1e-4], [0.0, 1.0]]] * 3)
    _, axes = plot_heatmaps(stack)
    assert len(axes) == 3
    assert [t.get_text() for t in axes[0].texts] == ["0.00", "0.00", "0.00", "1.00"]
    _, axes = plot_heatmaps(stack[:1], annotate=False)
    assert not axes[0].texts


@pytest.mark.parametrize(
    ("matrices", "kwargs", "match"),
    [
        ([], {}, "`matrices`"),
        ([np.zeros(3)], {}, r"`matrices`\[0\]"),
        ([np.eye(2), np.full((2, 2), np.nan)], {}, r"`matrices`\[1\]"),
        ([np.eye(2)], {"titles": ["a", "b"]}, "`titles`"),
    ],
)
def test_heatmaps_reject_bad_arguments(matrices, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_heatmaps(matrices, **kwargs)


def test_functions_and_derivatives_draw_each_curve():
    x = np.linspace(-2, 2, 9)
    curves = {"tanh": (np.tanh(x), 1 - np.tanh(x) ** 2), "square": (x**2, 2 * x)}
    fig, axes = plot_functions_and_derivatives(x, curves, markers={"square": (x[::2], 2 * x[::2])})
    assert [ax.get_title() for ax in axes] == ["tanh", "square"]
    for ax, (y, dy) in zip(axes, curves.values()):
        lines = {line.get_label(): line for line in ax.lines}
        np.testing.assert_allclose(lines["f"].get_ydata(), y)
        np.testing.assert_allclose(lines["f'"].get_ydata(), dy)
    assert "tape" not in {line.get_label() for line in axes[0].lines}
    tape = [line for line in axes[1].lines if line.get_label() == "tape"][0]
    np.testing.assert_allclose(tape.get_xydata(), np.column_stack([x[::2], 2 * x[::2]]))


@pytest.mark.parametrize(
    ("x", "curves", "markers", "match"),
    [
        (np.zeros((2, 2)), {"f": (np.zeros(2), np.zeros(2))}, None, "`x`"),
        (np.linspace(0, 1, 3), {}, None, "`curves`"),
        (np.linspace(0, 1, 3), {"f": (np.zeros(2), np.zeros(3))}, None, r"`curves`\['f'\]"),
        (np.linspace(0, 1, 3), {"f": np.zeros(3)}, None, r"`curves`\['f'\]"),
        (np.linspace(0, 1, 3), {"f": (np.zeros(3), np.zeros(3))}, {"g": ([0.0], [0.0])}, "`markers`"),
    ],
)
def test_functions_and_derivatives_reject_bad_arguments(x, curves, markers, match):
    with pytest.raises(ValueError, match=match):
        plot_functions_and_derivatives(x, curves, markers=markers)
