# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
The Keras optimizers race on Himmelblau's function
==================================================

Himmelblau's function :math:`f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2` has
four minima, all with :math:`f = 0`, around a local maximum near
:math:`(-0.27, -0.92)`. Started next to that maximum, every optimizer has to
pick a way down. This example runs the Keras optimizers from the same start
for the same number of steps and shows which minimum each one reaches, and
how fast.
"""

# %%
# The contestants
# ---------------
# Each optimizer gets one learning rate, tuned but honestly: the value from
# the grid 0.001, 0.003, 0.01, ..., 1, 3 with which the loss first drops
# below :math:`10^{-4}` and ends there after 200 steps; for the optimizers that
# reach that with no value of the grid, the value with the lowest final loss
# (each optimizer was run with every value of the grid). Every other argument keeps its Keras default (``momentum=0.9`` is the one
# addition, and it makes the second contestant).
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from tfopt_docs.functions import HIMMELBLAU_MINIMA, himmelblau
from tfopt_docs.plotting import optimizer_cycler, plot_loss_curves, plot_trajectories_on_contour

START = (-0.27, -0.9)
STEPS = 200
opt = keras.optimizers
optimizers = {
    "SGD": opt.SGD(learning_rate=0.01),
    "SGD+momentum": opt.SGD(learning_rate=0.003, momentum=0.9),
    "RMSprop": opt.RMSprop(learning_rate=1.0),
    "Adam": opt.Adam(learning_rate=0.3),
    "AdamW": opt.AdamW(learning_rate=1.0),
    "Adadelta": opt.Adadelta(learning_rate=3.0),
    "Adagrad": opt.Adagrad(learning_rate=1.0),
    "Adamax": opt.Adamax(learning_rate=0.3),
    "Nadam": opt.Nadam(learning_rate=1.0),
    "Ftrl": opt.Ftrl(learning_rate=1.0),
    "Lion": opt.Lion(learning_rate=0.03),
    "Lamb": opt.Lamb(learning_rate=0.03),
    "Adafactor": opt.Adafactor(learning_rate=0.1),
}

# %%
# ``keras.optimizers.Muon`` is not in the race: it orthogonalizes the update
# of 2-D weight *matrices*, and any variable that is not a matrix, such as
# the point :math:`(x, y)` here, gets a plain AdamW step instead. Built on
# our point, Muon allocates AdamW's second-moment slot for it:
point = tf.Variable(START)
muon = opt.Muon()
muon.build([point])
print("Muon uses its AdamW step for a shape-(2,) variable:", muon.adam_velocities[0] is not None)

# %%
# The race
# --------
# One point per optimizer, all starting at ``START``. The loop computes each
# gradient with a tape and hands it to ``apply_gradients``, exactly as a
# training loop does; it runs as one compiled ``tf.function`` graph, so the
# 13 x 200 steps pay no Python overhead per step.
points = [tf.Variable(START) for _ in optimizers]
for optimizer, point in zip(optimizers.values(), points):
    optimizer.build([point])


@tf.function
def race():
    path = tf.TensorArray(tf.float32, size=STEPS + 1).write(0, tf.stack(points))
    for step in tf.range(STEPS):
        for optimizer, point in zip(optimizers.values(), points):
            with tf.GradientTape() as tape:
                loss = himmelblau(point)
            optimizer.apply_gradients([(tape.gradient(loss, point), point)])
        path = path.write(step + 1, tf.stack(points))
    return path.stack()


paths = race().numpy().transpose(1, 0, 2)  # (optimizer, step, xy)
paths = dict(zip(optimizers, paths))
losses = {name: himmelblau(path.T) for name, path in paths.items()}

# %%
# The results
# -----------
# For each optimizer: where it ended, its loss, the nearest of the four
# minima (numbered as in ``HIMMELBLAU_MINIMA``) and the first step at which
# the loss was below :math:`10^{-4}`.
print("minima:", *(f"#{i} ({x:.3f}, {y:.3f})" for i, (x, y) in enumerate(HIMMELBLAU_MINIMA)))
print(f"{'optimizer':13s} {'lr':>5s} {'final (x, y)':>20s} {'loss':>9s}  minimum  loss<1e-4 at")
reached, first_below = {}, {}
for name, path in paths.items():
    distances = np.linalg.norm(HIMMELBLAU_MINIMA - path[-1], axis=1)
    reached[name] = int(np.argmin(distances))
    below = np.flatnonzero(losses[name] < 1e-4)
    first_below[name] = int(below[0]) if below.size else None
    first = str(below[0]) if below.size else "never"
    lr = float(optimizers[name].learning_rate)
    print(
        f"{name:13s} {lr:5g} ({path[-1, 0]:8.4f}, {path[-1, 1]:8.4f}) "
        f"{losses[name][-1]:9.2e}  #{reached[name]}       {first}"
    )

# %%
# Two camps: plain SGD and RMSprop roll down to minimum #3 at
# :math:`(3.584, -1.848)`, every other optimizer to minimum #0 at
# :math:`(3, 2)`. Near the local maximum the gradient is small, so the first
# steps decide the basin. The negative gradient at the start points up and to
# the right, mostly up; SGD's steps are proportional to it and tiny, so SGD
# follows the curve of steepest descent, which from here bends right and
# then down into #3. The optimizers that divide by a running root mean square
# of the gradient take first steps of about the same size in both
# coordinates, diagonally up-right, towards #0; momentum keeps carrying a
# point in the direction it first took. RMSprop divides too, but its running
# average starts at 0 and gives the first square only the weight
# ``1 - rho = 0.1``, so its first step moves each coordinate by
# :math:`1/\sqrt{0.1} \approx 3.16` times the learning rate and throws the
# point over the ridge (it leaves the plot below for a few steps):
for name in ("SGD", "SGD+momentum", "Adam", "RMSprop"):
    print(f"first step of {name:13s}", np.round(paths[name][1] - paths[name][0], 4))
np.testing.assert_allclose(np.abs(paths["RMSprop"][1] - paths["RMSprop"][0]), 1 / np.sqrt(0.1), rtol=1e-3)
np.testing.assert_allclose(paths["Adam"][1] - paths["Adam"][0], 0.3, rtol=1e-3)
assert reached["SGD"] == reached["RMSprop"] == 3
assert all(reached[name] == 0 for name in optimizers if name not in ("SGD", "RMSprop"))

# %%
# The paths on the contour lines of :math:`f` (spaced on a log scale); the red
# stars are the four minima. Each family of optimizers has its own line style
# (solid: SGD; dashed: Adagrad, Adadelta, RMSprop, Ftrl; dash-dot: the Adam
# family; dotted: Lion, Lamb, Adafactor), and the legend lists the
# optimizers from the lowest final loss to the highest:
ranked = sorted(paths, key=lambda name: (losses[name][-1], first_below[name] or STEPS))
fig, ax = plt.subplots(figsize=(8.0, 6.0), layout="constrained")
ax.set_prop_cycle(optimizer_cycler(ranked))
plot_trajectories_on_contour(
    himmelblau, {name: paths[name] for name in ranked}, xlim=(-5, 5), ylim=(-5, 5), minima=HIMMELBLAU_MINIMA, ax=ax
)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", title="lowest final loss first")
ax.set_title(f"{STEPS} steps on Himmelblau's function from {START}")

# %%
# Most paths bend from the start towards :math:`(3, 2)` in a smooth arc.
# The wide zig-zags belong to the optimizers whose step size does not shrink
# with the gradient: Lion, whose every step moves each coordinate by exactly
# its learning rate (it steps along the *sign* of a momentum), and Lamb, whose
# "trust ratio" rescales each step to the learning rate times the length of
# the parameter vector. Both keep stepping around the minimum instead of
# settling, which the numbers confirm:
lion_steps = np.abs(np.diff(paths["Lion"], axis=0))
print("Lion: every coordinate step equals lr = 0.03:", np.allclose(lion_steps, 0.03, atol=1e-5))
lamb_steps = np.linalg.norm(np.diff(paths["Lamb"], axis=0), axis=1)
lamb_ratio = lamb_steps / np.linalg.norm(paths["Lamb"][:-1], axis=1)
print("Lamb: step length / |(x, y)| =", np.round([lamb_ratio.min(), lamb_ratio.max()], 6))
np.testing.assert_allclose(lion_steps, 0.03, atol=1e-5)
np.testing.assert_allclose(lamb_ratio, 0.03, rtol=1e-3)

# %%
# AdamW is Adam plus decoupled weight decay (``weight_decay=0.004`` by
# default): each step also shrinks the point by ``learning_rate *
# weight_decay`` times itself. Its loss drops below :math:`10^{-4}` (at the
# step the table gives) and then rises back above it, settling where the pull
# towards the origin balances the gradient: slightly inside
# :math:`(3, 2)`.
print(f"AdamW ends at distance {np.linalg.norm(paths['AdamW'][-1]):.4f} from the origin; "
      f"the minimum is at {np.linalg.norm(HIMMELBLAU_MINIMA[0]):.4f}")
assert np.linalg.norm(paths["AdamW"][-1]) < np.linalg.norm(HIMMELBLAU_MINIMA[0])

# %%
# Loss against step
# -----------------
# On a log scale; a loss of exactly 0 (reached in float32 by several
# optimizers) is drawn at :math:`10^{-14}`. Same styles and legend order as
# above.
fig, ax = plt.subplots(figsize=(8.5, 4.5), layout="constrained")
ax.set_prop_cycle(optimizer_cycler(ranked))
plot_loss_curves(
    {name: losses[name] for name in ranked}, floor=1e-14, ax=ax, lw=1.4,
    loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
)
ax.get_legend().set_title("lowest final loss first")

# %%
# The curves sort the optimizers by speed on this problem, with these
# learning rates (the table's last column gives the step at which each loss
# first drops below :math:`10^{-4}`): Adagrad, Ftrl and RMSprop within the
# first 15 steps, Nadam soon after, the other adaptive methods and both SGDs
# within about 50 to 125 steps. Lion and Lamb plateau, for the reasons above,
# and AdamW levels off above :math:`10^{-4}`. The ranking says little about
# other problems: the next example, on Rosenbrock's narrow valley, reorders
# it.

# sphinx_gallery_start_ignore
# The paragraph above, checked with margins.
assert all(first_below[name] <= 15 for name in ("Adagrad", "Ftrl", "RMSprop"))
assert first_below["Nadam"] <= 30
middle = ("SGD", "SGD+momentum", "Adam", "AdamW", "Adadelta", "Adamax", "Adafactor")
assert all(40 <= first_below[name] <= 140 for name in middle)
assert first_below["Lion"] is None and first_below["Lamb"] is None
assert losses["AdamW"][-1] > 1e-4
# sphinx_gallery_end_ignore
