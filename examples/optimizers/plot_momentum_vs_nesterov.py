# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
Momentum and Nesterov momentum in a narrow valley
=================================================

On the ill-conditioned quadratic :math:`f(x, y) = \tfrac12 (x^2 + 50 y^2)`
the curvature is 50 times larger along :math:`y` than along :math:`x`. Plain
gradient descent must keep its learning rate small for the steep direction
and then crawls along the flat one; momentum speeds up the crawl but
overshoots; Nesterov momentum damps the overshoot. This example runs
``keras.optimizers.SGD`` in its three forms on it.
"""

# %%
# The runs
# --------
# Same learning rate for all three, ``0.01`` (so :math:`\eta \lambda = 0.5`
# along :math:`y` and :math:`0.01` along :math:`x`), momentum ``0.9`` for the
# two momentum variants, 100 steps from :math:`(-8, 1)`.
import keras
import numpy as np
import tensorflow as tf

from tfopt_docs.plotting import plot_loss_curves, plot_trajectories_on_contour
from tfopt_docs.training import race

START = (-8.0, 1.0)
STEPS = 100


def valley(p):
    return 0.5 * (p[0] ** 2 + 50.0 * p[1] ** 2)


optimizers = {
    "SGD": keras.optimizers.SGD(learning_rate=0.01),
    "momentum": keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
    "Nesterov": keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
}
paths = race(valley, optimizers, START, STEPS)
losses = {name: valley(path.T) for name, path in paths.items()}
for name, path in paths.items():
    print(f"{name:9s} after {STEPS} steps: ({path[-1, 0]: .2e}, {path[-1, 1]: .2e}), loss {losses[name][-1]:.2e}")

# %%
# The paths
# ---------
fig, ax = plot_trajectories_on_contour(valley, paths, xlim=(-9, 3), ylim=(-1.5, 1.5), minima=[(0.0, 0.0)])
ax.set_title("SGD, momentum and Nesterov on 0.5 (x² + 50 y²)")

# %%
# Plain SGD drops straight to the valley floor: each step multiplies the
# :math:`y` coordinate by :math:`1 - \eta \cdot 50 = 0.5`, so it is gone after
# a few steps. Along :math:`x` each step multiplies by :math:`1 - \eta = 0.99`,
# so after 100 steps :math:`x` is still :math:`-8 \cdot 0.99^{100}`:
print(f"SGD x after 100 steps: {paths['SGD'][-1, 0]:.4f}, -8 * 0.99**100 = {-8 * 0.99**100:.4f}")
np.testing.assert_allclose(paths["SGD"][-1, 0], -8 * 0.99**100, rtol=1e-4)

# %%
# Momentum accumulates speed along :math:`x` and crosses the minimum, turns,
# crosses again: the spiral in the plot. Across the valley its velocity keeps
# carrying the point past the floor, so the :math:`y` oscillation lasts much
# longer than for plain SGD. Nesterov's variant evaluates the step as if the
# velocity had already been applied (Keras writes it as
# ``variable += momentum * m - lr * g`` after updating ``m``), which corrects
# the velocity before it overshoots: across the valley its swings die out
# within a few dozen steps, and along it the overshoot past the minimum is
# smaller.
#
# The size of the swings shows the damping: the largest overshoot past
# :math:`x = 0`, and the largest :math:`|y|` after step 30:
for name, path in paths.items():
    print(f"{name:9s} largest x: {path[:, 0].max(): .3f}   largest |y| after step 30: {np.abs(path[30:, 1]).max():.2e}")
assert np.abs(paths["Nesterov"][30:, 1]).max() < 1e-3 * np.abs(paths["momentum"][30:, 1]).max()
assert 0 < paths["Nesterov"][:, 0].max() < paths["momentum"][:, 0].max()

# %%
# The losses
# ----------
fig, ax = plot_loss_curves(losses)

# %%
# The momentum loss does not fall monotonically: it rises each time the
# point swings out again. Nesterov's loss falls faster and ends far below
# both others after the same 100 steps:
print(f"final loss: momentum {losses['momentum'][-1]:.2e}, Nesterov {losses['Nesterov'][-1]:.2e}, "
      f"SGD {losses['SGD'][-1]:.2e}")
assert losses["Nesterov"][-1] < losses["momentum"][-1]
assert losses["Nesterov"][-1] < losses["SGD"][-1]

# %%
# Nesterov is not always the safer choice
# ---------------------------------------
# The damping has a price in the steep direction. For a quadratic with
# curvature :math:`\lambda`, heavy-ball momentum is stable for
# :math:`\eta\lambda < 2(1 + \beta) = 3.8` and Nesterov momentum only for
# :math:`\eta\lambda < 2(1 + \beta)/(1 + 2\beta) \approx 1.36`. With
# ``learning_rate=0.03`` (:math:`\eta\lambda = 1.5` along :math:`y`) momentum
# still converges and Nesterov blows up. Twenty steps on the :math:`y`
# coordinate alone, eagerly:
for nesterov in (False, True):
    y = tf.Variable(1.0)
    sgd = keras.optimizers.SGD(learning_rate=0.03, momentum=0.9, nesterov=nesterov)
    for _ in range(20):
        with tf.GradientTape() as tape:
            loss = 25.0 * y**2
        sgd.apply_gradients([(tape.gradient(loss, y), y)])
    print(f"nesterov={nesterov!s:5s} |y| after 20 steps: {abs(float(y)):.3g}")
    assert (abs(float(y)) > 1.0) == nesterov
