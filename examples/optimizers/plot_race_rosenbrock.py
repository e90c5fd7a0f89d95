# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
The Keras optimizers race along Rosenbrock's valley
===================================================

Rosenbrock's function :math:`f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2` has one
minimum, :math:`f(1, 1) = 0`, at the end of a long, narrow, curved valley:
the function curves far more strongly across the valley than along it (the
ratio is computed below). This
example races the Keras optimizers from the classic start
:math:`(-1.2, 1)`, as in the Himmelblau race, and animates the race.
"""

# %%
# The contestants
# ---------------
# Learning rates chosen by the same rule as in the Himmelblau race, for
# 1000 steps: from the grid 0.0001, 0.0003, 0.001, ..., 1, 3, the value with
# which the loss first drops below :math:`10^{-4}` and ends there; for the
# optimizers that reach that with no value of the grid, the value with the
# lowest final loss (each optimizer was run with every value of the grid). Other
# arguments keep their Keras defaults. Muon is left
# out for the reason given in the Himmelblau race (it needs weight matrices).
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from matplotlib import animation

from tfopt_docs.functions import rosenbrock
from tfopt_docs.plotting import optimizer_cycler, plot_loss_curves, plot_trajectories_on_contour
from tfopt_docs.training import race

START = (-1.2, 1.0)
STEPS = 1000
opt = keras.optimizers
optimizers = {
    "SGD": opt.SGD(learning_rate=0.003),
    "SGD+momentum": opt.SGD(learning_rate=0.003, momentum=0.9),
    "RMSprop": opt.RMSprop(learning_rate=0.01),
    "Adam": opt.Adam(learning_rate=0.3),
    "AdamW": opt.AdamW(learning_rate=0.1),
    "Adadelta": opt.Adadelta(learning_rate=3.0),
    "Adagrad": opt.Adagrad(learning_rate=1.0),
    "Adamax": opt.Adamax(learning_rate=1.0),
    "Nadam": opt.Nadam(learning_rate=1.0),
    "Ftrl": opt.Ftrl(learning_rate=1.0),
    "Lion": opt.Lion(learning_rate=0.003),
    "Lamb": opt.Lamb(learning_rate=0.03),
    "Adafactor": opt.Adafactor(learning_rate=1.0),
}

# %%
# The race
# --------
# The same compiled loop as in the Himmelblau race: a tape per optimizer and
# step, then ``apply_gradients``.
paths = race(rosenbrock, optimizers, START, STEPS)
losses = {name: rosenbrock(path.T) for name, path in paths.items()}

print(f"{'optimizer':13s} {'lr':>6s} {'final (x, y)':>20s} {'loss':>9s} {'|p - (1, 1)|':>12s}  loss<1e-4 at")
for name, path in paths.items():
    below = np.flatnonzero(losses[name] < 1e-4)
    first = str(below[0]) if below.size else "never"
    lr = float(optimizers[name].learning_rate)
    distance = np.linalg.norm(path[-1] - 1.0)
    print(
        f"{name:13s} {lr:6g} ({path[-1, 0]:8.4f}, {path[-1, 1]:8.4f}) "
        f"{losses[name][-1]:9.2e} {distance:12.4f}  {first}"
    )

# sphinx_gallery_start_ignore
# The paragraph below, checked with a margin for Nadam.
assert {name for name, loss in losses.items() if loss.min() < 1e-4} == {"SGD+momentum", "Adam"}
assert 1e-4 <= losses["Nadam"][-1] < 1e-3
# sphinx_gallery_end_ignore

# %%
# Only SGD with momentum and Adam get below :math:`10^{-4}` within the 1000
# steps (the last column gives the step); Nadam ends just above it. Compare
# with the race on Himmelblau's function: in this valley the ranking changes.

# %%
# Why plain SGD is slow here
# --------------------------
# Gradient descent with learning rate :math:`\eta` is stable near a minimum
# only if :math:`\eta \lambda_{\max} < 2`, where :math:`\lambda_{\max}` is the
# largest eigenvalue of the Hessian; with momentum :math:`\mu` (heavy
# ball, as Keras's ``SGD(momentum=...)``) the bound is
# :math:`\eta \lambda_{\max} < 2(1 + \mu)`. The Hessian, from two nested
# tapes, at the minimum and at the point where SGD ended:


def curvatures(xy):
    """The Hessian's two eigenvalues at ``xy``, smallest first."""
    p = tf.Variable(xy, dtype=tf.float32)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            f = rosenbrock(p)
        g = inner.gradient(f, p)
    return np.linalg.eigvalsh(outer.jacobian(g, p).numpy())


lam_min, lam_across = curvatures([1.0, 1.0])
lam_sgd = curvatures(paths["SGD"][-1])[1]
print(f"eigenvalues at (1, 1): {lam_min:.3f} along the valley, {lam_across:.1f} across it "
      f"(ratio {lam_across / lam_min:.0f})")
print(f"SGD needs lr < {2 / lam_across:.5f}, with momentum 0.9 lr < {2 * 1.9 / lam_across:.5f}")
print(f"at SGD's end point: lr * largest eigenvalue = {0.003 * lam_sgd:.2f}")
assert 2 / lam_across < 0.003 < 2 * 1.9 / lam_across
assert 2000 < lam_across / lam_min < 3000
assert 1.8 < 0.003 * lam_sgd < 2.2

# %%
# At the minimum the function curves about 2500 times more strongly across
# the valley than along it (the ratio printed above). Plain SGD with the chosen rate 0.003 is not stable at the
# minimum: it walks along the floor until the walls get steep enough that
# :math:`\eta \lambda_{\max}` reaches about 2, and there it stalls, bouncing
# across the floor (a smaller rate that could settle at :math:`(1, 1)`
# crawls more slowly everywhere). Momentum relaxes the bound by the factor
# :math:`1 + \mu = 1.9`, so the same rate is stable at the minimum, and the
# velocity it accumulates along the floor carries it the whole way.
# The adaptive methods rescale each coordinate, which helps less here than
# it seems: the valley is curved, so "across" and "along" are not the
# coordinate axes. Adagrad and Ftrl accumulate every squared gradient of the
# steep start and so take ever smaller steps; Lion again moves every
# coordinate by exactly its learning rate per step.
lion_steps = np.abs(np.diff(paths["Lion"], axis=0))
print("Lion: every coordinate step equals lr = 0.003:", np.allclose(lion_steps, 0.003, atol=1e-5))
np.testing.assert_allclose(lion_steps, 0.003, atol=1e-5)

# %%
# The paths
# ---------
# Line styles by family and the legend order, lowest final loss first, as in
# the Himmelblau race:
ranked = sorted(paths, key=lambda name: losses[name][-1])
fig, ax = plt.subplots(figsize=(8.0, 5.5), layout="constrained")
ax.set_prop_cycle(optimizer_cycler(ranked))
plot_trajectories_on_contour(
    rosenbrock, {name: paths[name] for name in ranked}, xlim=(-2, 2), ylim=(-1, 3), minima=[(1.0, 1.0)], ax=ax
)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", title="lowest final loss first")
ax.set_title(f"{STEPS} steps on Rosenbrock's function from {START}")

# %%
# All paths first fall steeply from the start into the valley floor (the
# parabola :math:`y = x^2`), often overshooting across it, then turn and
# follow it towards :math:`(1, 1)`. The zig-zags across the floor are the
# steps that the steep walls make too long.

# %%
# Loss against step
# -----------------
fig, ax = plt.subplots(figsize=(8.5, 4.5), layout="constrained")
ax.set_prop_cycle(optimizer_cycler(ranked))
plot_loss_curves(
    {name: losses[name] for name in ranked}, floor=1e-14, ax=ax, lw=1.4,
    loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
)
ax.get_legend().set_title("lowest final loss first")

# %%
# The loss starts at 24.2. Within 20 steps most optimizers are below 6:
# they have fallen into the valley. The rest of the race is the walk along
# the floor, where the loss falls slowly and, for the methods that
# overshoot, not monotonically.
print(f"loss at the start: {rosenbrock(START):.1f}")
in_valley = [name for name, loss in losses.items() if loss[20] < 6]
print(f"below 6 after 20 steps: {len(in_valley)} of {len(losses)}")
assert len(in_valley) > len(losses) / 2

# %%
# The race, animated
# ------------------
# 30 frames, one about every 33 steps; each point drags the last 100 steps of its
# path behind it.
FRAMES = np.linspace(0, STEPS, 31).astype(int)[1:]
fig, ax = plt.subplots(figsize=(4.4, 3.0), dpi=60, layout="constrained")
ax.set_prop_cycle(optimizer_cycler(ranked))
X, Y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-1, 3, 200))
ax.contour(X, Y, rosenbrock(np.stack([X, Y])), levels=np.geomspace(0.01, 2500, 15), colors="0.8", linewidths=0.6)
ax.plot(1.0, 1.0, "*", color="red", ms=10)
trails = [ax.plot([], [], lw=1.0)[0] for _ in ranked]
heads = [ax.plot([], [], "o", ms=4, color=trail.get_color(), label=name)[0] for trail, name in zip(trails, ranked)]
ax.set_xlim(-2, 2)
ax.set_ylim(-1, 3)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6)
title = ax.set_title("")


def draw(step):
    for trail, head, path in zip(trails, heads, (paths[name] for name in ranked)):
        trail.set_data(path[max(0, step - 100) : step + 1].T)
        head.set_data(path[step : step + 1].T)
    title.set_text(f"step {step}")
    return [*trails, *heads, title]


ani = animation.FuncAnimation(fig, draw, frames=FRAMES, interval=150, blit=False)
# sphinx_gallery_start_ignore
# The page embeds every frame; JPEG frames weigh a third of PNG ones.
plt.rcParams["animation.frame_format"] = "jpeg"
# The frames only move points: lay the figure out once (with a title), not per frame.
draw(FRAMES[-1])
fig.canvas.draw()
fig.set_layout_engine("none")
# sphinx_gallery_end_ignore

# %%
# The animation shows what the static paths hide: how long each optimizer
# spends where. SGD with momentum and Adam arrive and stop; the others are
# still on their way along the floor when the race ends, several of them
# bouncing from wall to wall.
