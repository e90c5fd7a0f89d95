"""Each closed form of reference.derivatives against tf.GradientTape."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfopt_docs.reference import derivatives as d

rng = np.random.default_rng(0)
X = np.concatenate([rng.normal(scale=3.0, size=200), [0.0, -30.0, 30.0]])  # kink and saturation included


def tape_elementwise_grad(fn, x):
    x = tf.constant(x, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


@pytest.mark.parametrize(
    "closed_form, fn",
    [
        (d.sigmoid_grad, tf.sigmoid),
        (d.tanh_grad, tf.tanh),
        (d.relu_grad, tf.nn.relu),
        (d.leaky_relu_grad, lambda x: keras.activations.leaky_relu(x)),
        (lambda x: d.leaky_relu_grad(x, negative_slope=0.05), lambda x: keras.activations.leaky_relu(x, 0.05)),
    ],
)
def test_activation_derivatives(closed_form, fn):
    # TF keeps the leaky slope in float32 (rtol); 1 - y**2 rounds near saturation (atol).
    np.testing.assert_allclose(closed_form(X), tape_elementwise_grad(fn, X), rtol=1e-7, atol=1e-15)


@pytest.mark.parametrize("shape", [(3,), (4, 5), (2, 3, 6)])
def test_softmax_jacobian(shape):
    a = tf.constant(rng.normal(scale=2.0, size=shape))
    with tf.GradientTape() as tape:
        tape.watch(a)
        p = tf.nn.softmax(a, axis=-1)
    jacobian = tape.jacobian(p, a).numpy()
    # The tape's Jacobian is over all elements; keep the blocks within one softmax.
    n = shape[-1]
    batch = int(np.prod(shape[:-1]))
    blocks = jacobian.reshape(batch, n, batch, n)[np.arange(batch), :, np.arange(batch), :]
    np.testing.assert_allclose(d.softmax_jacobian(a.numpy()).reshape(batch, n, n), blocks, rtol=1e-10, atol=1e-15)


def loss_grad(loss, y_true, y_pred):
    y_pred = tf.constant(y_pred)
    with tf.GradientTape() as tape:
        tape.watch(y_pred)
        total = tf.reduce_sum(loss(tf.constant(y_true), y_pred))
    return tape.gradient(total, y_pred).numpy()


def test_mse_grad():
    y_true, y_pred = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(
        d.mse_grad(y_true, y_pred), loss_grad(keras.losses.mean_squared_error, y_true, y_pred), rtol=1e-12
    )


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("soft_targets", [False, True])
def test_categorical_crossentropy_grad(from_logits, soft_targets):
    y_true = rng.dirichlet(np.ones(4), size=6) if soft_targets else np.eye(4)[rng.integers(0, 4, size=6)]
    logits = rng.normal(scale=2.0, size=(6, 4))
    # Unnormalized positive "probabilities" exercise Keras's division by the sum.
    y_pred = logits if from_logits else np.exp(logits) * 1.7
    expected = loss_grad(lambda t, p: keras.losses.categorical_crossentropy(t, p, from_logits=from_logits), y_true, y_pred)
    np.testing.assert_allclose(d.categorical_crossentropy_grad(y_true, y_pred, from_logits), expected, rtol=1e-9)


def test_categorical_crossentropy_grad_inside_clipping():
    # A probability below epsilon is clipped: its log has no gradient.
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    y_pred = np.array([[1e-9, 0.5, 0.5 - 1e-9], [0.3, 0.3, 0.4]])
    expected = loss_grad(keras.losses.categorical_crossentropy, y_true, y_pred)
    np.testing.assert_allclose(d.categorical_crossentropy_grad(y_true, y_pred), expected, rtol=1e-9)


def tape_mlp_grads(x, weights, biases, t):
    variables = [tf.Variable(v) for pair in zip(weights, biases) for v in pair]
    with tf.GradientTape() as tape:
        out = tf.constant(x)
        for w, b in zip(variables[::2], variables[1::2]):
            out = tf.sigmoid(out @ w + b)
        error = 0.5 * tf.reduce_sum((out - t) ** 2)
    grads = [g.numpy() for g in tape.gradient(error, variables)]
    return list(zip(grads[::2], grads[1::2]))


@pytest.mark.parametrize("sizes", [(3, 1), (4, 3), (4, 5, 3), (2, 6, 4, 3)])
def test_mlp_and_perceptron_grads(sizes):
    x = rng.normal(size=(7, sizes[0]))
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    biases = [rng.normal(size=b) for b in sizes[1:]]
    t = rng.uniform(size=(7, sizes[-1]))
    expected = tape_mlp_grads(x, weights, biases, t)
    got = d.mlp_grads(x, weights, biases, t)
    assert len(got) == len(expected)
    for (dw, db), (ew, eb) in zip(got, expected):
        np.testing.assert_allclose(dw, ew, rtol=1e-10)
        np.testing.assert_allclose(db, eb, rtol=1e-10)
    if len(sizes) == 2:
        dw, db = d.perceptron_grads(x, weights[0], biases[0], t)
        np.testing.assert_allclose(dw, expected[0][0], rtol=1e-10)
        np.testing.assert_allclose(db, expected[0][1], rtol=1e-10)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: d.sigmoid_grad("abc"), TypeError, "`x`"),
        (lambda: d.leaky_relu_grad([1.0], negative_slope="0.1"), TypeError, "negative_slope"),
        (lambda: d.softmax_jacobian(1.0), ValueError, "`a`"),
        (lambda: d.mse_grad(np.zeros((2, 3)), np.zeros((3, 2))), ValueError, "same shape"),
        (lambda: d.categorical_crossentropy_grad(np.zeros((1, 2)), np.ones((1, 2)), from_logits=1), TypeError, "from_logits"),
        (lambda: d.perceptron_grads(np.zeros((2, 3)), np.zeros((4, 1)), np.zeros(1), np.zeros((2, 1))), ValueError, "layer 0"),
        (lambda: d.mlp_grads(np.zeros((2, 3)), [np.zeros((3, 2))], [], np.zeros((2, 2))), ValueError, "one array per layer"),
        (lambda: d.mlp_grads(np.zeros((2, 3)), [np.zeros((3, 2))], [np.zeros(2)], np.zeros((2, 3))), ValueError, "`t`"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_imports_no_tensorflow():
    import subprocess
    import sys

    code = "import sys, tfopt_docs.reference.derivatives; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
