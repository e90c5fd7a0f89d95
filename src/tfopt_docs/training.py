"""Training plumbing for the pages: whole trainings compiled into one graph.

``model.fit`` pays Python overhead on every epoch and batch (tens of
milliseconds per epoch here); pages that compare whole trainings run them with
:func:`train_compiled` instead, which loops over epochs and batches inside a
single ``tf.function``, compiled by XLA with ``jit_compile=True``. The step itself is the plain tape-and-optimizer step
the pages teach:

.. code-block:: python

    with tf.GradientTape() as tape:
        loss = loss_fn(y_batch, model(x_batch, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

>>> import keras
>>> from tfopt_docs.data import square_dataset
>>> x, y = square_dataset(n=32)
>>> keras.utils.set_random_seed(0)
>>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
>>> losses = train_compiled(model, keras.optimizers.SGD(1e-3), x, y, epochs=5, batch_size=8)
>>> print(losses.shape, losses.dtype, bool(losses[-1] < losses[0]))
(5,) float32 True
>>> keras.utils.set_random_seed(0)
>>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
>>> xla = train_compiled(model, keras.optimizers.SGD(1e-3), x, y, epochs=5, batch_size=8, jit_compile=True)
>>> print(bool(np.allclose(xla, losses, rtol=1e-4)))
True
"""

from __future__ import annotations

import numpy as np

from tfopt_docs._validation import check_positive_int

__all__ = ["train_compiled"]


def train_compiled(
    model, optimizer, x, y, *, epochs: int, batch_size: int, loss="mse", jit_compile: bool = False
) -> np.ndarray:
    """Train ``model`` for ``epochs`` passes over ``(x, y)`` in one compiled graph.

    The batches are taken in order (no shuffling), like
    ``model.fit(x, y, shuffle=False)``, so the result is deterministic and
    matches that call: each epoch's loss is the mean of the batch losses
    weighted by batch size, as Keras reports it.

    Args:
        model: a built Keras model (its variables must exist: give it a
            ``keras.Input``, or call a subclassed model once on a batch).
        optimizer: a Keras optimizer; it is built on the model's trainable
            variables before tracing, because a traced step cannot create them.
        x: inputs, an array whose first axis is the sample axis.
        y: targets, with as many samples as ``x``.
        epochs: number of passes over the data, an int > 0.
        batch_size: samples per step, an int > 0; the last batch may be
            smaller.
        loss: anything ``keras.losses.get`` accepts (a name or a callable
            ``loss(y_true, y_pred)`` returning per-sample or scalar losses).
        jit_compile: if True, XLA compiles the whole training (every epoch
            and batch, the optimizer's updates included) into one fused
            program; the compilation costs a fraction of a second once, and
            the float results may differ from the graph's in the last digits
            because XLA fuses and reorders operations.

    Returns:
        The mean training loss of each epoch, a float32 array of shape
        ``(epochs,)``.
    """
    import keras
    import tensorflow as tf

    if not isinstance(jit_compile, bool):
        raise TypeError(f"`jit_compile` must be True or False, got {type(jit_compile).__name__} {jit_compile!r}")
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}")
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"`optimizer` must be a keras.optimizers.Optimizer, got {type(optimizer).__name__}")
    if not model.built:
        raise ValueError("`model` must be built before training: give it a keras.Input or call it once")
    inputs = getattr(model, "inputs", None)  # a subclassed model has none
    x = tf.convert_to_tensor(x, dtype=inputs[0].dtype if inputs else None)
    y = tf.convert_to_tensor(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"`x` and `y` must hold as many samples, got {x.shape[0]} and {y.shape[0]}")
    loss_fn = keras.losses.get(loss)

    variables = model.trainable_variables
    optimizer.build(variables)
    n = int(x.shape[0])
    n_full = n // batch_size
    # Full batches stacked on a leading axis (one graph loop over them), and
    # the smaller last batch, if any, as its own static-shape step.
    x_full = tf.reshape(x[: n_full * batch_size], [n_full, batch_size, *x.shape[1:]])
    y_full = tf.reshape(y[: n_full * batch_size], [n_full, batch_size, *y.shape[1:]])
    x_rest, y_rest = x[n_full * batch_size :], y[n_full * batch_size :]

    def step(x_batch, y_batch):
        with tf.GradientTape() as tape:
            batch_loss = tf.reduce_mean(loss_fn(y_batch, model(x_batch, training=True)))
        grads = tape.gradient(batch_loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return tf.cast(batch_loss, tf.float32) * float(x_batch.shape[0])

    @tf.function(jit_compile=jit_compile)
    def train():
        epoch_losses = tf.TensorArray(tf.float32, size=epochs)
        for epoch in tf.range(epochs):
            total = tf.constant(0.0)
            for i in tf.range(n_full):
                total += step(x_full[i], y_full[i])
            if x_rest.shape[0]:
                total += step(x_rest, y_rest)
            epoch_losses = epoch_losses.write(epoch, total / n)
        return epoch_losses.stack()

    # Each call traces a new function on purpose (one trace per training);
    # TensorFlow's "triggered tf.function retracing" warning, which a page
    # calling train_compiled five times would print, is not news here.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        return train().numpy()
    finally:
        logger.setLevel(level)
