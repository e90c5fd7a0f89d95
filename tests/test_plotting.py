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
