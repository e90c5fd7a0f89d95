# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
Adam on :math:`(x - 50)^2`, starting from :math:`x = 3`
=======================================================

Adam with learning rate 1 minimizes the stand-in loss
:math:`f(x) = (x - 50)^2` for 200 steps from :math:`x = 3`, with a
``GradientTape`` for the gradient and ``apply_gradients`` for the step. The
example plots every point the descent visits, and shows why Adam's first
steps are about one unit long whatever the gradient.
"""

# %%
# The loss and its gradient
# -------------------------
# :math:`f'(x) = 2(x - 50)`, so at the start :math:`f'(3) = -94`. The
# ``grads`` helper passes ``sources=[x]``, a list, so the tape returns a list
# with one gradient.
import keras
import numpy as np
import tensorflow as tf

from tfopt_docs.functions import shifted_square
from tfopt_docs.plotting import plot_descent_1d, plot_loss_curve


def grads(x):
    with tf.GradientTape() as tape:
        result = shifted_square(x)
    return tape.gradient(target=result, sources=[x])


print(grads(tf.Variable(3.0)))

# %%
# The list holds one tensor, ``-94.0``.
#
# The learning rate is a float
# ----------------------------
# Keras 3 accepts a float, a schedule or a callable as the learning rate, but
# not an int:
try:
    keras.optimizers.Adam(1)
except ValueError as error:
    print(f"ValueError: {error}")

# %%
# Pass a float, ``Adam(1.0)``, or better, name it: ``Adam(learning_rate=1.0)``.
#
# The descent
# -----------
# The loop records each point before it steps.
optimizer = keras.optimizers.Adam(learning_rate=1.0)
x = tf.Variable(3.0)
visited = []
for step in range(200):
    visited.append(float(x))
    optimizer.apply_gradients(zip(grads(x), [x]))
visited = np.array(visited)

print(f"first steps: {np.round(np.diff(visited[:4]), 4)}")
print(f"first step past x = 50: {np.argmax(visited > 50)}")
print(f"largest x visited: {visited.max():.3f} (step {np.argmax(visited)})")
print(f"crossings of x = 50: {np.count_nonzero(np.diff(np.sign(visited - 50)))}")
print(f"x after 200 steps: {float(x):.4f}, f(x) = {float(shifted_square(x)):.2e}")

# %%
# Adam divides the running mean of the gradients by the square root of the
# running mean of their squares, so its first steps have length close to the
# learning rate (1.0) whatever the size of the gradient: the descent creeps
# from 3 towards 50 at about one unit per step. As :math:`x` nears 50 the
# gradients shrink but the second-moment average still remembers the large
# early ones, so the steps shrink too. The descent overshoots 50 by about half
# a unit, turns back, and the oscillation dies out within the 200 steps (the
# numbers are in the output above).
fig, ax = plot_descent_1d(shifted_square, visited, domain=(0.0, 100.0), label="$(x - 50)^2$")
ax.set_title("Adam(learning_rate=1.0) on (x − 50)² from x = 3")

# %%
# The loss against the step, on a log scale, shows the same story: a slow
# approach, with :math:`x` nearing 50 at about one unit per step, so that the
# loss falls like the square :math:`d^2` of the distance :math:`d` left, then
# a fast fall once the steps shrink near the minimum.
fig, ax = plot_loss_curve(shifted_square(visited))
ax.set_title("loss along the descent")

# %%
# .. admonition:: Code written for older TensorFlow, run on TensorFlow |tf_version|
#    :class: seed-note
#
#    :ref:`Article 003 <about-articles>` ("Gradient descent in TensorFlow 2") runs this
#    descent with ``tf.keras.optimizers.Adam(1)``: an int learning rate, which
#    Keras 2 accepted and Keras 3 refuses, as above (both side by side in
#    :ref:`on the porting page <port-int-lr>`). Its web page shows ``[]`` where ``grads`` prints its
#    list: the page lost the text between ``<`` and ``>``, which the browser
#    took for an HTML tag; the list always held the one tensor printed above.
#    For the code changes, see the :doc:`porting guide </how-to/port-tf2-code>`.
