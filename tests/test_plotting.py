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


def test_plot_trajectories_on_contour_draws_each_path_in_order():
    from tfopt_docs.functions import himmelblau
    from tfopt_docs.plotting import plot_trajectories_on_contour

    paths = [np.array([[-4.0, 0.0], [-3.5, -2.0], [-3.78, -3.28]]), np.array([[0.0, 0.0], [3.0, 2.0]])]
    fig, ax = plot_trajectories_on_contour(himmelblau, paths, xlim=(-6, 6), ylim=(-5, 5), labels=["a", "b"])
    lines = [line for line in ax.get_lines() if line.get_label() in ("a", "b")]
    assert [line.get_label() for line in lines] == ["a", "b"]
    for line, path in zip(lines, paths):
        np.testing.assert_allclose(line.get_xydata(), path)
    assert ax.get_xlim() == (-6.0, 6.0) and ax.get_ylim() == (-5.0, 5.0)
    assert ax.collections  # the contour lines


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"trajectories": [], "xlim": (0, 1), "ylim": (0, 1)}, ValueError, "`trajectories`"),
        ({"trajectories": [[1.0, 2.0]], "xlim": (0, 1), "ylim": (0, 1)}, ValueError, "`trajectories\\[0\\]`"),
        ({"trajectories": [[[1.0, 2.0]]], "xlim": (1, 0), "ylim": (0, 1)}, ValueError, "`xlim`"),
        ({"trajectories": [[[1.0, 2.0]]], "xlim": (0, 1), "ylim": 3}, TypeError, "`ylim`"),
        ({"trajectories": [[[1.0, 2.0]]], "xlim": (0, 1), "ylim": (0, 1), "labels": ["a", "b"]}, ValueError, "`labels`"),
    ],
)
def test_plot_trajectories_on_contour_rejects_bad_arguments(kwargs, error, name):
    from tfopt_docs.functions import himmelblau
    from tfopt_docs.plotting import plot_trajectories_on_contour

    with pytest.raises(error, match=name):
        plot_trajectories_on_contour(himmelblau, **kwargs)
