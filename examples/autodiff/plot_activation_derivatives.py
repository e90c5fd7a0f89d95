# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
First and second derivatives of sigmoid, tanh and softplus
==========================================================

A tape gives the derivative of ``tf.nn.sigmoid`` and ``tf.nn.tanh`` on a few
points, to be compared with the closed forms
:math:`\sigma' = \sigma(1 - \sigma)` and :math:`\tanh' = 1 - \tanh^2`. This
example checks those closed forms, adds softplus, goes one order further with
nested tapes, and plots each function with its first and second derivatives.
"""

# %%
# The tape calls
# --------------
# The tape watches a ``tf.linspace`` tensor (a constant, so it needs
# ``tape.watch``) and gets ``[a]`` as the sources, so the tape returns a
# list with one tensor. Each output depends only on the input at the same
# position, so the gradient of the sum is the elementwise derivative.
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

a = tf.linspace(-10.0, 10.0, 10)
with tf.GradientTape() as tape:
    tape.watch(a)
    y = tf.nn.sigmoid(a)
grads = tape.gradient(y, [a])
np.testing.assert_allclose(grads[0], y * (1 - y), rtol=1e-5, atol=1e-7)

a = tf.linspace(-5.0, 5.0, 10)
with tf.GradientTape() as tape:
    tape.watch(a)
    y = tf.nn.tanh(a)
grads = tape.gradient(y, [a])
np.testing.assert_allclose(grads[0], 1 - y**2, rtol=1e-5, atol=1e-7)
print(np.round(grads[0].numpy(), 5))

# %%
# Both gradients agree with the closed forms (the ``assert_allclose`` calls
# above would stop the example otherwise). The printed tanh derivatives are
# largest, about 0.75, at the two grid points closest to 0
# (:math:`\pm 0.56`), and fall to about :math:`2 \times 10^{-4}` at
# :math:`\pm 5`.
#
# Second derivatives with nested tapes
# ------------------------------------
# The inner tape computes the first derivative while the outer tape records
# that computation, so the outer tape can differentiate it once more. The
# computation runs in float64 on 601 points from -6 to 6.
x = tf.constant(np.linspace(-6.0, 6.0, 601))
activations = {"sigmoid": tf.nn.sigmoid, "tanh": tf.nn.tanh, "softplus": tf.nn.softplus}
curves = {}
for name, fn in activations.items():
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = fn(x)
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    curves[name] = (y.numpy(), dy.numpy(), d2y.numpy())

# %%
# The closed forms
# ----------------
# With :math:`s = \sigma(x)` and :math:`t = \tanh(x)`:
#
# .. math::
#
#    \sigma' = s(1 - s), \qquad \sigma'' = s(1 - s)(1 - 2s),
#
#    \tanh' = 1 - t^2, \qquad \tanh'' = -2t(1 - t^2),
#
#    \operatorname{softplus}' = \sigma(x), \qquad \operatorname{softplus}'' = s(1 - s).
#
# The tape's values must match them at every grid point:
xs = x.numpy()
s = 1 / (1 + np.exp(-xs))
t = np.tanh(xs)
closed = {
    "sigmoid": (s * (1 - s), s * (1 - s) * (1 - 2 * s)),
    "tanh": (1 - t**2, -2 * t * (1 - t**2)),
    "softplus": (s, s * (1 - s)),
}
for name, (first, second) in closed.items():
    _, dy, d2y = curves[name]
    np.testing.assert_allclose(dy, first, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(d2y, second, rtol=1e-10, atol=1e-12)
    print(f"{name}: max |f' - closed form| = {np.max(np.abs(dy - first)):.1e}, "
          f"max |f'' - closed form| = {np.max(np.abs(d2y - second)):.1e}")

# %%
# In float64 the tape and the closed forms agree to about the last digit
# (the largest differences are printed above). The second derivative of
# softplus is the first derivative of sigmoid, as the closed forms say,
# because softplus' is sigmoid:
np.testing.assert_allclose(curves["softplus"][2], curves["sigmoid"][1], rtol=1e-10, atol=1e-12)
print("softplus'' == sigmoid':", np.allclose(curves["softplus"][2], curves["sigmoid"][1], rtol=1e-10, atol=1e-12))

# %%
# The curves
# ----------
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), layout="constrained", sharex=True)
for ax, (name, (y, dy, d2y)) in zip(axes, curves.items()):
    ax.plot(xs, y, label="$f$")
    ax.plot(xs, dy, label="$f'$")
    ax.plot(xs, d2y, label="$f''$")
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.set_title(name)
    ax.set_xlabel("$x$")
    ax.legend(loc="upper left", fontsize="small")

# %%
# The first derivatives of sigmoid and tanh are bells that vanish for large
# :math:`|x|`: these functions *saturate*, so a unit far from 0 passes almost
# no gradient back. The derivative of softplus is a step from 0 to 1 instead
# (it is sigmoid), so softplus keeps a gradient of nearly 1 for large positive
# inputs, as ReLU does. tanh' peaks at 1 and sigmoid' at only 1/4 (printed
# below), the reason a stack of sigmoid layers shrinks gradients faster than a
# stack of tanh layers. The second derivatives of sigmoid and tanh change sign
# at 0, where the first derivatives peak and the functions are steepest; that
# of softplus stays positive (softplus is convex) and peaks at 0.
print("peak of sigmoid':", curves["sigmoid"][1].max(), " peak of tanh':", curves["tanh"][1].max())
assert curves["sigmoid"][1].max() == 0.25 and curves["tanh"][1].max() == 1.0
assert np.all(curves["softplus"][2] > 0)

# %%
# .. admonition:: Code written for older TensorFlow, run on TensorFlow |tf_version|
#    :class: seed-note
#
#    The tape calls of the first section are those of
#    :ref:`article 004 <about-articles>` ("TensorFlow 2.0 notes (4):
#    stochastic gradient descent"); they run unchanged on TensorFlow
#    |tf_version|. The derivations behind the closed forms are on
#    :doc:`/explanation/activation-and-loss-derivatives`; for code of that era
#    that needs changes, see the :doc:`porting guide </how-to/port-tf2-code>`.
