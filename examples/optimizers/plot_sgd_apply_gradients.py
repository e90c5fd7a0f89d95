# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
Two SGD loops with ``apply_gradients``, and what replaced ``minimize``
======================================================================

Two descents drive ``keras.optimizers.SGD`` by hand, with a
``GradientTape`` for the gradient and ``apply_gradients`` for the step: one
on :math:`x^2 + 1`, one on :math:`3x^2 + 2x - 1`. The example shows what
to write where older code called ``optimizer.minimize``, and checks every
iterate against its closed form.
"""

# %%
# ``minimize`` is gone
# --------------------
# Keras 3 optimizers have no ``minimize`` method: compute the gradient with a
# tape and pass it to ``apply_gradients``.
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

print("SGD has minimize:", hasattr(keras.optimizers.SGD(), "minimize"))


def minimize(optimizer, loss_fn, var_list):
    with tf.GradientTape() as tape:
        loss = loss_fn()
    optimizer.apply_gradients(zip(tape.gradient(loss, var_list), var_list))


# %%
# ``minimize(optimizer, loss_fn, var_list)`` does what the old method did for
# a plain optimizer: record ``loss_fn()`` on a tape, take the gradient with
# respect to ``var_list``, apply it. A ``minimize`` loop of 1000 steps with
# learning rate 0.01 from :math:`x = 1`, compiled into one graph:
x0 = tf.Variable(1.0)
sgd0 = keras.optimizers.SGD(learning_rate=0.01)
sgd0.build([x0])


@tf.function
def descend_square(steps):
    path = tf.TensorArray(tf.float32, size=steps + 1).write(0, x0)
    for i in tf.range(steps):
        minimize(sgd0, lambda: tf.pow(x0, 2) + 1, [x0])
        path = path.write(i + 1, x0)
    return path.stack()


path_000 = descend_square(1000).numpy()
print("x^2 + 1, x after 1000 steps:", path_000[-1])

# %%
# Each SGD step on :math:`x^2 + 1` is :math:`x \leftarrow x - 0.01 \cdot 2x =
# 0.98\,x`, so :math:`x_n = 0.98^n` and the fixed point is the minimum
# :math:`x = 0`. After 1000 steps :math:`x = 0.98^{1000} \approx 1.68 \cdot
# 10^{-9}`; from :math:`x = 10` the same loop ends ten times higher.
n = np.arange(1001)
np.testing.assert_allclose(path_000, 0.98**n, rtol=1e-4)
print(f"closed form 0.98**1000 = {0.98**1000:.7e}; from x = 10: {10 * 0.98**1000:.7e}")

# %%
# The descent on :math:`3x^2 + 2x - 1`
# -------------------------------------
# From :math:`x = 0` with learning rate 0.1, for 100 steps, with the tape and
# ``apply_gradients`` in the open:
x1 = tf.Variable(0.0)
sgd1 = keras.optimizers.SGD(learning_rate=0.1)
sgd1.build([x1])


@tf.function
def descend_quadratic(steps):
    path = tf.TensorArray(tf.float32, size=steps + 1).write(0, x1)
    for i in tf.range(steps):
        with tf.GradientTape() as tape:
            z = 3.0 * x1**2 + 2.0 * x1 - 1
        sgd1.apply_gradients([(tape.gradient(z, x1), x1)])
        path = path.write(i + 1, x1)
    return path.stack()


path_001 = descend_quadratic(100).numpy()
print("3x^2 + 2x - 1, x after 100 steps:", path_001[-1])

# %%
# A step is :math:`x \leftarrow x - 0.1\,(6x + 2) = 0.4\,x - 0.2`, whose
# fixed point is :math:`x^* = -0.2 / (1 - 0.4) = -1/3`, the minimum; the
# distance to it shrinks by the factor 0.4 per step,
# :math:`x_n = -\tfrac13 (1 - 0.4^n)`. Within about 20 steps :math:`x` is
# :math:`-1/3` to float32 precision, and it stays there:
n = np.arange(101)
np.testing.assert_allclose(path_001, -(1 - 0.4**n) / 3, rtol=1e-6, atol=1e-7)
np.testing.assert_allclose(path_001[-1], -1 / 3, rtol=1e-6)
print("first step with |x + 1/3| < 1e-7:", int(np.argmax(np.abs(path_001 + 1 / 3) < 1e-7)))

# %%
# The two descents
# ----------------
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9.0, 3.6), layout="constrained")
ax0.semilogy(path_000, label="SGD, $x^2 + 1$")
ax0.semilogy(0.98 ** np.arange(1001), ls="--", color="black", lw=0.8, label="$0.98^n$")
ax0.set_xlabel("step")
ax0.set_ylabel("$x$")
ax0.legend()
ax0.set_title("x² + 1: x → 0")
ax1.plot(path_001, marker=".", label="SGD, $3x^2 + 2x - 1$")
ax1.axhline(-1 / 3, ls="--", color="black", lw=0.8, label="$x^* = -1/3$")
ax1.set_xlim(0, 30)
ax1.set_xlabel("step")
ax1.legend()
ax1.set_title("3x² + 2x − 1: x → −1/3")

# %%
# On the left, a straight line on the log scale: the distance to the
# minimum shrinks by the same factor 0.98 every step, so 1000 steps buy
# about nine orders of magnitude. On the right, the factor is 0.4 and the
# descent is over within the first 20 of the 100 steps; the other 80
# change nothing. Both are the linear convergence of gradient descent on a
# quadratic, with the factor :math:`|1 - \eta f''|`.

# %%
# .. admonition:: Code written for older TensorFlow, run on TensorFlow |tf_version|
#    :class: seed-note
#
#    The two descents are those of :ref:`articles 000 <about-articles>`
#    ("Optimizer sample") and 001 ("TensorFlow 2.X: using
#    ``tf.GradientTape()`` together with optimizers"). Article 000 calls
#    ``optimizer.minimize(lambda: tf.pow(x, 2) + 1, [x])``, which raises
#    ``AttributeError`` in Keras 3 (printed above: SGD has no ``minimize``);
#    it prints ``1.6829661e-09`` after its ``minimize`` loop and
#    ``1.68296665e-08`` after its ``apply_gradients`` loop, which starts from
#    :math:`x = 10`: the two closed forms printed above. Article 001's
#    ``SGD(lr=learning_rate)`` fails too: write ``learning_rate=``. For these
#    and the other code changes, see the :doc:`porting guide </how-to/port-tf2-code>`.
