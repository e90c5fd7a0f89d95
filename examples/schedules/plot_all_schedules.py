# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
"""
All learning-rate schedules side by side
========================================

Keras 3 has six learning-rate schedules in ``keras.optimizers.schedules``.
Here each one runs for the same 1000 steps from the same peak rate, 0.1, so
their shapes can be compared directly. The formulas are on the reference
page :doc:`/reference/schedules`.
"""

# %%
# Six schedules, one horizon
# --------------------------
# Each panel holds one schedule class, with its arguments in the legend.
# Every schedule is called once per step, as an optimizer calls it. (Most
# Keras schedules also accept an array of steps, but ``CosineDecay`` with a
# warmup does not: its ``ops.cond`` needs a single step.)

import keras
import matplotlib.pyplot as plt
import numpy as np

from tfopt_docs.keras_compare import schedule_rates
from tfopt_docs.reference import schedules as ref

S = keras.optimizers.schedules
steps = np.arange(1001)
panels = {
    "ExponentialDecay": {
        "decay_steps=250, decay_rate=0.5": dict(initial_learning_rate=0.1, decay_steps=250, decay_rate=0.5),
        "same, staircase=True": dict(initial_learning_rate=0.1, decay_steps=250, decay_rate=0.5, staircase=True),
    },
    "PiecewiseConstantDecay": {
        "boundaries=[300, 700]": dict(boundaries=[300, 700], values=[0.1, 0.03, 0.01]),
    },
    "PolynomialDecay": {
        "to 0.01 in 1000 steps, power=1": dict(initial_learning_rate=0.1, decay_steps=1000, end_learning_rate=0.01),
        "same, power=3": dict(initial_learning_rate=0.1, decay_steps=1000, end_learning_rate=0.01, power=3.0),
    },
    "InverseTimeDecay": {
        "decay_steps=100, decay_rate=1": dict(initial_learning_rate=0.1, decay_steps=100, decay_rate=1.0),
    },
    "CosineDecay": {
        "100 warmup steps from 0": dict(initial_learning_rate=0.0, decay_steps=900, warmup_target=0.1, warmup_steps=100),
    },
    "CosineDecayRestarts": {
        "first period 100, t_mul=2": dict(initial_learning_rate=0.1, first_decay_steps=100),
    },
}
# schedule_rates calls a schedule at every step, one scalar step per call as an
# optimizer does, in one compiled loop (a thousand eager calls take seconds).
rates = {
    (name, label): schedule_rates(getattr(S, name)(**kwargs), steps)
    for name, curves in panels.items()
    for label, kwargs in curves.items()
}

fig, axes = plt.subplots(2, 3, figsize=(11, 5.5), sharex=True, sharey=True, layout="constrained")
for ax, (name, curves) in zip(axes.flat, panels.items()):
    for style, label in zip(["-", "--"], curves):
        ax.plot(steps, rates[name, label], style, label=label)
    ax.set_title(name)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
for ax in axes[1]:
    ax.set_xlabel("step")
for ax in axes[:, 0]:
    ax.set_ylabel("learning rate")
plt.show()

# %%
# The curves differ most in how fast they leave the peak. After 100 steps
# inverse-time decay has already halved the rate and exponential decay has
# lost a quarter of it, the polynomial less than a tenth, and the cosine has
# only just finished its warmup. At step 1000 the cosine has reached zero,
# the others keep a small rate, and the restarting cosine is in the middle of
# its third period.

for t in (100, 500, 1000):
    print(f"step {t:4d}:", ", ".join(f"{name} {rates[name, next(iter(curves))][t]:.4f}" for name, curves in panels.items()))

# %%
# The same curves from the NumPy reference
# ----------------------------------------
# ``tfopt_docs.reference.schedules`` recomputes every curve in NumPy from the
# formulas, with Keras's names and arguments. The largest relative difference
# from Keras over all 1001 steps is printed for each curve and asserted below
# :math:`10^{-5}`.

for (name, label), keras_rates in rates.items():
    numpy_rates = getattr(ref, name)(**panels[name][label])(steps)
    relative = np.max(np.abs(numpy_rates - keras_rates) / np.abs(keras_rates).clip(min=1e-12))
    print(f"{name:22s} {label:34s} {relative:.1e}")
    assert relative < 1e-5, (name, label)
