# Needs tfopt_docs, not on PyPI yet: pip install "tfopt_docs[tf]" --find-links <this site>/en/_downloads/tfopt_docs/
r"""
The block-diagonal Jacobian of a batch, and ``batch_jacobian``
==============================================================

A layer applied to a batch treats every example on its own: output row
:math:`b` depends only on input row :math:`b`. ``tape.jacobian`` does not
know that and returns every partial derivative, including the ones between
different examples, which are all zero. ``tape.batch_jacobian`` returns only
the per-example blocks. This example shows both as images.
"""

# %%
# One dense layer on a batch of four
# -----------------------------------
# A batch of 4 examples with 3 features goes through
# :math:`y = \tanh(x W + b)` with 2 outputs, so ``x`` has shape ``(4, 3)``
# and ``y`` has shape ``(4, 2)``.
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
x = tf.constant(rng.normal(size=(4, 3)), dtype=tf.float32)
W = tf.constant(rng.normal(scale=0.7, size=(3, 2)), dtype=tf.float32)
b = tf.constant([0.1, -0.2])

with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = tf.tanh(x @ W + b)
full = tape.jacobian(y, x)
per_example = tape.batch_jacobian(y, x)
del tape

print("y:", y.shape, " jacobian:", full.shape, " batch_jacobian:", per_example.shape)

# %%
# ``jacobian`` has the shape of the target followed by the shape of the
# source, ``(4, 2) + (4, 3)``: 96 numbers. ``batch_jacobian`` drops the
# second batch axis, ``(4, 2, 3)``: 24 numbers, one 2 x 3 block per example.
#
# The full Jacobian is block-diagonal
# -----------------------------------
# Flatten the full Jacobian into an 8 x 12 matrix (rows: the 8 outputs, columns:
# the 12 inputs, both ordered example by example). Entry ``[b, i, c, j]``
# can be nonzero only when ``b == c``, and the diagonal blocks are exactly
# what ``batch_jacobian`` returns:
full_np = full.numpy()
for b_out in range(4):
    for b_in in range(4):
        block = full_np[b_out, :, b_in, :]
        if b_out == b_in:
            np.testing.assert_allclose(block, per_example[b_out], rtol=1e-6)
        else:
            assert not np.any(block)
print("off-diagonal blocks all zero; diagonal blocks equal batch_jacobian")

# %%
# The closed form of each block is
# :math:`\partial y_{bi} / \partial x_{bj} = (1 - y_{bi}^2)\, W_{ji}`:
expected = (1 - y.numpy()[:, :, None] ** 2) * W.numpy().T[None, :, :]
np.testing.assert_allclose(per_example, expected, rtol=1e-5, atol=1e-7)

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained", gridspec_kw={"width_ratios": [12, 5]})
matrix = full_np.reshape(8, 12)
limit = np.abs(matrix).max()
image = axes[0].imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[0].set_title("jacobian(y, x) as 8 × 12")
axes[0].set_xlabel("input (example, feature)")
axes[0].set_ylabel("output (example, unit)")
for edge in (2.5, 5.5, 8.5):
    axes[0].axvline(edge, color="0.5", lw=0.6)
for edge in (1.5, 3.5, 5.5):
    axes[0].axhline(edge, color="0.5", lw=0.6)
axes[1].imshow(per_example.numpy().reshape(8, 3), cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[1].set_title("batch_jacobian(y, x)\nas 4 blocks of 2 × 3")
axes[1].set_xlabel("feature")
for edge in (1.5, 3.5, 5.5):
    axes[1].axhline(edge, color="0.5", lw=0.6)
fig.colorbar(image, ax=axes, shrink=0.8, label="partial derivative")

# %%
# In the left image only the four 2 x 3 blocks on the diagonal are coloured;
# everything else is the exact zeros between different examples. The right
# image stacks the same four blocks: it is the left image with the zeros
# removed. By the closed form, every block is :math:`W^\top` with its rows
# scaled by :math:`1 - y^2`, so all blocks share one pattern and differ in
# strength: a pale row is a unit whose tanh is close to saturation
# (:math:`1 - y^2` printed below, one row per example). For a batch of :math:`B` examples the full Jacobian
# has :math:`B` times more entries than ``batch_jacobian``, almost all zero,
# so for per-example derivatives ``batch_jacobian`` is the one to ask for.
print("entries:", full_np.size, "vs", per_example.numpy().size, "ratio", full_np.size // per_example.numpy().size)
print(np.round(1 - y.numpy() ** 2, 3))
