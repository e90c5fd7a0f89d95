# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
A raw-tape descent on Himmelblau's function from eight starting points
======================================================================

Gradient descent needs nothing but a tape. This example minimizes
Himmelblau's function

.. math::

   f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

with no optimizer: the point is a ``tf.constant``, the loop watches it, asks
for the gradient and replaces the point by ``x - 0.01 * grad``, 200 times.
The function has four minima, all with :math:`f = 0`. The loop runs from
eight starting points, :math:`(-4, 0)` among them, and the example shows
which minimum each one reaches.
"""

# %%
# The loop, from several starting points
# --------------------------------------
# The loop records the points it visits. ``x -= 0.01 * grads`` creates a new tensor each step, so the tape
# must ``watch`` the new ``x`` every time: constants are not watched
# automatically.
import numpy as np
import tensorflow as tf

from tfopt_docs.functions import HIMMELBLAU_MINIMA, himmelblau
from tfopt_docs.plotting import plot_trajectories_on_contour


def descend(start, steps=200, learning_rate=0.01):
    x = tf.constant(start, dtype=tf.float32)
    path = [x.numpy()]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = himmelblau(x)
        grads = tape.gradient(y, [x])[0]
        x -= learning_rate * grads
        path.append(x.numpy())
    return np.array(path)


starts = [(-4.0, 0.0), (4.0, 0.0), (0.0, 4.0), (0.0, -4.0), (1.0, 1.0), (-1.0, -1.0), (-4.0, 4.0), (4.0, -4.0)]
paths = [descend(s) for s in starts]

# %%
# Where each descent ends
# -----------------------
# For each start: the nearest of the four minima in ``HIMMELBLAU_MINIMA``,
# the distance of the end point to it, and the first step after which the
# point no longer moved (float32 arithmetic stops changing it).
landed, stopped = [], []
for start, path in zip(starts, paths):
    distances = np.linalg.norm(HIMMELBLAU_MINIMA - path[-1], axis=1)
    k = int(distances.argmin())
    landed.append(k)
    still = next(i for i in range(len(path)) if np.array_equal(path[i], path[-1]))
    stopped.append(still)
    print(
        f"start {start}: minimum {k} {np.round(HIMMELBLAU_MINIMA[k], 3)}, "
        f"distance {distances[k]:.1e}, no move after step {still}"
    )
    assert distances[k] < 1e-6
print("minima reached:", sorted(set(landed)))
assert sorted(set(landed)) == [0, 1, 2, 3]

# %%
# Every descent ends within a float32 rounding error (distances below
# :math:`10^{-6}`) of one of the four minima, and together they reach all
# four: which one a start reaches depends only on the basin it starts in. The
# start :math:`(-4, 0)` lands on the minimum near
# :math:`(-3.78, -3.28)`. With a learning rate of 0.01 every descent settles
# in well under the 200 steps; the steps after which the points stop moving
# are in the output above.
#
# The trajectories on the contour plot
# ------------------------------------
# Contours are spaced logarithmically, so the four shallow basins around the
# minima (red stars; black dots mark the starts) are visible next to the
# steep walls far from them.
labels = [f"start ({s[0]:g}, {s[1]:g})" for s in starts]
fig, ax = plot_trajectories_on_contour(
    himmelblau, paths, xlim=(-6, 6), ylim=(-6, 6), labels=labels, minima=HIMMELBLAU_MINIMA
)
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")
ax.set_title("x -= 0.01 * grad, 200 steps")

# %%
# Each path runs almost straight down the steepest wall first (the gradient
# is large there, so the first steps are long) and then bends along the floor
# of a valley into a minimum. Two starts on opposite sides of a ridge, such
# as :math:`(0, 4)` and :math:`(4, 0)`, end in different minima even though
# they start at the same distance from the origin: plain gradient descent
# finds the minimum of the basin it starts in, not the global picture.
#
# The loss along each descent
# ---------------------------
# The same paths, as :math:`f` against the step on a log scale.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
for label, path in zip(labels, paths):
    values = himmelblau(path.T.astype(np.float64))
    ax.plot(np.arange(len(path)), np.maximum(values, 1e-16), label=label)
ax.set_yscale("log")
ax.set_xlabel("step")
ax.set_ylabel("$f(x, y)$")
ax.set_title("Himmelblau value along each descent")
ax.legend(fontsize="small", ncol=2)

# sphinx_gallery_start_ignore
# The paragraph below: "within about 70 steps", with a margin for other rounding.
assert max(stopped) <= 90
# sphinx_gallery_end_ignore

# %%
# Every curve falls by many orders of magnitude within about 70 steps (the
# last steps at which a point moved are printed above) and then goes flat:
# the point has stopped moving, and the value left over, far
# below 1 but not 0, is set by float32 rounding of the point rather than by
# the descent. Some curves first stay high for a while, where the path runs
# along the floor of a curved valley at a gentle slope, and then fall
# steeply. Near a minimum :math:`f` is close to quadratic, so the fall is a
# straight line on the log scale: each step multiplies the distance to the
# minimum by a roughly fixed factor.

# %%
# .. admonition:: Code written for older TensorFlow, run on TensorFlow |tf_version|
#    :class: seed-note
#
#    This is the loop of :ref:`article 004 <about-articles>` ("TensorFlow
#    2.0 notes (4): stochastic gradient descent"), from its start :math:`(-4, 0)`; it runs unchanged on
#    TensorFlow |tf_version|, and this example only adds the other seven starts
#    and records the points. For code of that era that needs changes, see
#    the :doc:`porting guide </how-to/port-tf2-code>`.
