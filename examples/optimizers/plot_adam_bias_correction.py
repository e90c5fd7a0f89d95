# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
Adam's bias correction, made visible
====================================

Adam keeps two exponential moving averages, of the gradient (:math:`m_t`)
and of its square (:math:`v_t`), both started at 0. Early on they are biased
towards 0, and Adam divides them by :math:`1 - \beta_1^t` and
:math:`1 - \beta_2^t` to remove the bias. This example computes the moments
with NumPy, following the update in Keras 3's ``keras/src/optimizers/adam.py``,
checks the resulting steps against ``keras.optimizers.Adam``, and shows what
the steps would be without the correction.
"""

# %%
# The gradients and the moments
# -----------------------------
# A noisy gradient with mean 1 and standard deviation 0.5, so
# :math:`E[g] = 1` and :math:`E[g^2] = 1.25`. Keras's Adam, for step
# :math:`t = 1, 2, \dots`:
#
# .. math::
#
#    m_t = m_{t-1} + (1 - \beta_1)(g_t - m_{t-1}), \qquad
#    v_t = v_{t-1} + (1 - \beta_2)(g_t^2 - v_{t-1}),
#
#    \alpha_t = \eta \, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
#    \theta_t = \theta_{t-1} - \frac{\alpha_t \, m_t}{\sqrt{v_t} + \epsilon}.
#
# The bias-corrected moments are :math:`\hat m_t = m_t / (1 - \beta_1^t)` and
# :math:`\hat v_t = v_t / (1 - \beta_2^t)`; the step is
# :math:`\eta \hat m_t / (\sqrt{\hat v_t} + \epsilon / \sqrt{1 - \beta_2^t})`:
# Keras adds :math:`\epsilon` to :math:`\sqrt{v_t}`, not to
# :math:`\sqrt{\hat v_t}` as in the paper's Algorithm 1 (the docstring calls
# it "epsilon hat").
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

LR, BETA_1, BETA_2, EPSILON = 0.001, 0.9, 0.999, 1e-7  # Keras's defaults
T = 3000
rng = np.random.default_rng(0)
g = (1.0 + 0.5 * rng.standard_normal(T)).astype(np.float32)

t = np.arange(1, T + 1)
m = np.zeros(T)
v = np.zeros(T)
m_prev = v_prev = 0.0
for i in range(T):
    m_prev = m[i] = m_prev + (1 - BETA_1) * (g[i] - m_prev)
    v_prev = v[i] = v_prev + (1 - BETA_2) * (g[i] ** 2 - v_prev)
m_hat = m / (1 - BETA_1**t)
v_hat = v / (1 - BETA_2**t)
alpha = LR * np.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
step = alpha * m / (np.sqrt(v) + EPSILON)

# %%
# Check against Keras
# -------------------
# Feed the same gradients to ``keras.optimizers.Adam`` for the first 200
# steps and compare its steps with the NumPy ones.
K = 200
theta = tf.Variable(0.0)
adam = keras.optimizers.Adam()
adam.build([theta])


@tf.function
def keras_steps(gradients):
    out = tf.TensorArray(tf.float32, size=K)
    for i in tf.range(K):
        before = tf.identity(theta)
        adam.apply_gradients([(gradients[i], theta)])
        out = out.write(i, before - theta)
    return out.stack()


keras_step = keras_steps(tf.constant(g[:K])).numpy()
print("first steps, Keras:", keras_step[:3])
print("first steps, NumPy:", step[:3].astype(np.float32))
np.testing.assert_allclose(keras_step, step[:K], rtol=1e-4)
print("Keras's Adam and the NumPy formulas agree on all", K, "steps")

# %%
# The moments
# -----------
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
ax1.plot(t, m, label="$m_t$ (raw)")
ax1.plot(t, m_hat, label=r"$m_t / (1 - \beta_1^t)$")
ax1.axhline(1.0, color="black", lw=0.8, ls="--", label="$E[g] = 1$")
ax1.set_xlim(1, 60)
ax1.set_xlabel("step $t$")
ax1.set_title("first moment")
ax1.legend()
ax2.plot(t, v, label="$v_t$ (raw)")
ax2.plot(t, v_hat, label=r"$v_t / (1 - \beta_2^t)$")
ax2.axhline(1.25, color="black", lw=0.8, ls="--", label="$E[g^2] = 1.25$")
ax2.set_xscale("log")
ax2.set_xlabel("step $t$")
ax2.set_title("second moment")
ax2.legend()

# %%
# The raw averages start at 0 and creep up: :math:`m_t` needs about
# :math:`1/(1 - \beta_1) = 10` steps to get near the mean gradient,
# :math:`v_t` about :math:`1/(1 - \beta_2) = 1000` steps (note the log axis).
# The corrected estimates are unbiased from the first step: at :math:`t = 1`
# they equal :math:`g_1` and :math:`g_1^2` exactly, and afterwards they
# fluctuate around the true values. In numbers:
for k in (1, 10, 100, 1000):
    print(f"t={k:4d}  m={m[k - 1]:.3f}  m_hat={m_hat[k - 1]:.3f}  v={v[k - 1]:.4f}  v_hat={v_hat[k - 1]:.3f}")
np.testing.assert_allclose([m_hat[0], v_hat[0]], [g[0], g[0] ** 2], rtol=1e-6)

# %%
# Without the correction
# ----------------------
# The raw first moment is too small by the factor :math:`1 - \beta_1^t`: at
# the first step, correcting only :math:`v_t` and not :math:`m_t` would give
# a step :math:`1 - \beta_1 = 0.1` times the real one. Correcting neither is
# worse in the other direction: the raw :math:`\sqrt{v_t}` is too small by
# :math:`\sqrt{1 - \beta_2^t}`, which wins, so the first step would be
# :math:`(1 - \beta_1)/\sqrt{1 - \beta_2} \approx 3.16` times too large, and
# the ratio keeps growing while :math:`m_t` catches up and :math:`v_t` does
# not yet:
step_m_raw = LR * m / (np.sqrt(v_hat) + EPSILON)
step_raw = LR * m / (np.sqrt(v) + EPSILON)
ratio_m_raw = step_m_raw / step
ratio_raw = step_raw / step
print(f"t=1: m uncorrected -> {ratio_m_raw[0]:.4f} x the Adam step; both uncorrected -> {ratio_raw[0]:.4f} x")
print(f"both uncorrected: largest ratio {ratio_raw.max():.2f} at t={t[np.argmax(ratio_raw)]}, "
      f"at t=100: {ratio_raw[99]:.2f}, at t=1000: {ratio_raw[999]:.2f}, at t={T}: {ratio_raw[-1]:.2f}")
np.testing.assert_allclose(ratio_m_raw[0], 1 - BETA_1, rtol=1e-5)
np.testing.assert_allclose(ratio_raw[0], (1 - BETA_1) / np.sqrt(1 - BETA_2), rtol=1e-4)

# %%
# The ratio does not depend on the gradients at all: :math:`m_t` and
# :math:`v_t` cancel, leaving :math:`(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}`
# (up to :math:`\epsilon`), whatever the noise:
formula = (1 - BETA_1**t) / np.sqrt(1 - BETA_2**t)
peak = int(np.argmax(formula))
print(f"(1 - beta_1^t) / sqrt(1 - beta_2^t): largest {formula[peak]:.2f} at t={t[peak]}, "
      f"at t=1000: {formula[999]:.2f}")
np.testing.assert_allclose(ratio_raw, formula, rtol=1e-3)
# sphinx_gallery_start_ignore
# The numbers the prose below states.
assert round(formula[peak], 1) == 6.6 and t[peak] == 12 and 1.2 < formula[999] < 1.3
# sphinx_gallery_end_ignore

fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
ax.plot(t, ratio_m_raw, label="$m_t$ uncorrected")
ax.plot(t, ratio_raw, label="$m_t$ and $v_t$ uncorrected")
ax.axhline(1.0, color="black", lw=0.8, ls="--")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("step $t$")
ax.set_ylabel("step / Adam's step")
ax.legend()
ax.set_title("uncorrected steps relative to Adam's")

# %%
# With only :math:`m_t` uncorrected, the first steps are up to 10 times too
# small and the deficit is gone after a few dozen steps. With both
# uncorrected, the steps are up to about 6.6 times too large (around step 12)
# and still about a quarter too large at step 1000: too large exactly when
# the parameters are furthest from any minimum. The
# two corrections are what makes Adam's first step have length close to the
# learning rate, whatever the scale of the gradient.
