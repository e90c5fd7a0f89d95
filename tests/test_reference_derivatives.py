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


# --- Three witnesses: closed form, tape, central finite differences -------------------------------

SHAPES = [(7,), (3, 4), (2, 3, 5)]
ACTIVATIONS = {
    "sigmoid": (d.sigmoid_grad, tf.sigmoid),
    "tanh": (d.tanh_grad, tf.tanh),
    "relu": (d.relu_grad, tf.nn.relu),
    "leaky_relu": (d.leaky_relu_grad, keras.activations.leaky_relu),
}


def tape_grad_of_sum(fn, x, dtype):
    x = tf.constant(x, dtype=dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x).numpy()


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_three_ways(name, shape, dtype):
    closed_form, fn = ACTIVATIONS[name]
    x = rng.normal(scale=3.0, size=shape)
    x[np.abs(x) < 1e-3] = 0.5  # finite differences straddle no kink
    x = x.astype(dtype)
    closed = closed_form(x)
    assert closed.dtype == dtype and closed.shape == shape
    tape = tape_grad_of_sum(fn, x, dtype)
    numeric = d.central_difference(lambda v: fn(tf.constant(v)).numpy(), x.astype(np.float64))
    # float32: the tape rounds to float32; float64: only the leaky slope is float32 inside TF.
    tape_tol = 1e-6 if dtype == np.float32 else (1e-8 if name == "leaky_relu" else 1e-14)
    np.testing.assert_allclose(closed, tape, rtol=0, atol=tape_tol)
    np.testing.assert_allclose(closed_form(x.astype(np.float64)), numeric, rtol=0, atol=1e-8)


def test_activation_edges():
    # The kink: TensorFlow's convention is the left derivative, and the closed forms follow it.
    zero = np.zeros(3)
    np.testing.assert_array_equal(d.relu_grad(zero), tape_grad_of_sum(tf.nn.relu, zero, tf.float64))
    np.testing.assert_allclose(d.leaky_relu_grad(zero), tape_grad_of_sum(tf.nn.leaky_relu, zero, tf.float64), rtol=1e-7)
    assert np.all(d.relu_grad(zero) == 0) and np.all(d.leaky_relu_grad(zero) == 0.2)
    # Saturation: no overflow (and no warning), derivatives exactly 0 far out.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        far = np.array([-800.0, 800.0])
        assert np.all(d.sigmoid_grad(far) == 0) and np.all(d.tanh_grad(far) == 0)
        np.testing.assert_array_equal(d.sigmoid_grad(far), tape_grad_of_sum(tf.sigmoid, far, tf.float64))


def jacobian_blocks(a, dtype):
    at = tf.constant(a, dtype=dtype)
    with tf.GradientTape() as tape:
        tape.watch(at)
        p = tf.nn.softmax(at, axis=-1)
    full = tape.jacobian(p, at).numpy()
    n, batch = a.shape[-1], int(np.prod(a.shape[:-1]))
    return full.reshape(batch, n, batch, n)[np.arange(batch), :, np.arange(batch), :]


@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 2, 3)])
@pytest.mark.parametrize("scale", [1.0, 300.0])  # ordinary and large logits
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_jacobian_three_ways(shape, scale, dtype):
    a = (scale * rng.normal(size=shape)).astype(dtype)
    n, batch = shape[-1], int(np.prod(shape[:-1]))
    closed = d.softmax_jacobian(a)
    assert closed.dtype == dtype and closed.shape == (*shape, n)
    assert np.all(np.isfinite(closed))
    np.testing.assert_allclose(closed.reshape(batch, n, n), jacobian_blocks(a, dtype), atol=1e-6 if dtype == np.float32 else 1e-14)
    rows = a.reshape(batch, n).astype(np.float64)
    numeric = np.stack([d.numerical_jacobian(lambda v: tf.nn.softmax(tf.constant(v)).numpy(), row) for row in rows])
    np.testing.assert_allclose(d.softmax_jacobian(rows), numeric, atol=1e-8)


LOSSES = {
    "mse": (lambda t, p: d.mse_grad(t, p), lambda t, p: keras.losses.mean_squared_error(t, p)),
    "cce": (
        lambda t, p: d.categorical_crossentropy_grad(t, p),
        lambda t, p: keras.losses.categorical_crossentropy(t, p),
    ),
    "cce_logits": (
        lambda t, p: d.categorical_crossentropy_grad(t, p, from_logits=True),
        lambda t, p: keras.losses.categorical_crossentropy(t, p, from_logits=True),
    ),
    "bce": (lambda t, p: d.binary_crossentropy_grad(t, p), lambda t, p: keras.losses.binary_crossentropy(t, p)),
    "bce_logits": (
        lambda t, p: d.binary_crossentropy_grad(t, p, from_logits=True),
        lambda t, p: keras.losses.binary_crossentropy(t, p, from_logits=True),
    ),
}


def loss_inputs(name, shape, scale=1.0):
    n = shape[-1]
    if name.startswith("cce"):
        t = np.eye(n)[rng.integers(0, n, size=shape[:-1])]
        p = scale * rng.normal(size=shape) if name.endswith("logits") else rng.dirichlet(np.ones(n), size=shape[:-1]) * 1.3
    elif name.startswith("bce"):
        t = rng.uniform(size=shape)
        p = scale * rng.normal(size=shape) if name.endswith("logits") else rng.uniform(0.05, 0.95, size=shape)
    else:
        t, p = rng.normal(size=shape), scale * rng.normal(size=shape)
    return t, p


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_gradients_three_ways(name, shape, dtype):
    closed_form, loss = LOSSES[name]
    t, p = loss_inputs(name, shape)
    p = p.astype(dtype)
    closed = closed_form(t.astype(dtype), p)
    assert closed.dtype == dtype and closed.shape == shape
    tp = tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch(tp)
        total = tf.reduce_sum(loss(tf.constant(t, dtype=dtype), tp))
    tape_grad = tape.gradient(total, tp).numpy()
    numeric = d.numerical_gradient(lambda v: tf.reduce_sum(loss(t, tf.constant(v))), p.astype(np.float64))
    scale = max(1.0, np.abs(closed).max())
    np.testing.assert_allclose(closed, tape_grad, atol=(1e-5 if dtype == np.float32 else 1e-12) * scale)
    np.testing.assert_allclose(closed_form(t, p.astype(np.float64)), numeric, atol=1e-6 * scale)


@pytest.mark.parametrize("name", ["cce_logits", "bce_logits"])
def test_loss_gradients_large_logits(name):
    closed_form, loss = LOSSES[name]
    t, z = loss_inputs(name, (4, 3), scale=500.0)
    closed = closed_form(t, z)
    assert np.all(np.isfinite(closed))
    tz = tf.constant(z)
    with tf.GradientTape() as tape:
        tape.watch(tz)
        total = tf.reduce_sum(loss(t, tz))
    np.testing.assert_allclose(closed, tape.gradient(total, tz).numpy(), atol=1e-12)
    # The losses are of order 500 here: the finite differences lose about 3 more digits.
    numeric = d.numerical_gradient(lambda v: tf.reduce_sum(loss(t, tf.constant(v))), z, h=1e-4)
    np.testing.assert_allclose(closed, numeric, atol=1e-6)


def test_binary_crossentropy_grad_outside_clipping():
    # Probabilities outside [eps, 1 - eps] are clipped by Keras: no gradient there.
    t = np.array([[1.0, 0.0, 1.0, 0.0]])
    q = np.array([[1e-9, 1 - 1e-9, 0.3, 0.0]])
    expected = loss_grad(keras.losses.binary_crossentropy, t, q)
    got = d.binary_crossentropy_grad(t, q)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)
    assert got[0, 0] == 0 and got[0, 1] == 0 and got[0, 3] == 0 and got[0, 2] != 0


def test_from_logits_keeps_the_signal_that_probabilities_lose():
    # Confidently wrong: the target class is 50 logits behind. The logits path gives p - t,
    # the probability path clips p_target to 1e-7 and its gradient vanishes.
    t = np.array([[0.0, 1.0, 0.0]])
    z = np.array([[50.0, 0.0, -10.0]])
    np.testing.assert_allclose(d.categorical_crossentropy_grad(t, z, from_logits=True), [[1.0, -1.0, 0.0]], atol=1e-20)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert np.all(d.categorical_crossentropy_grad(t, p) == 0)


@pytest.mark.parametrize("sizes", [(3, 2), (2, 4, 1), (3, 5, 4, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_grads_three_ways(sizes, dtype):
    x = rng.normal(size=(5, sizes[0])).astype(dtype)
    weights = [rng.normal(size=(a, b)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    biases = [rng.normal(size=b).astype(dtype) for b in sizes[1:]]
    t = rng.uniform(size=(5, sizes[-1])).astype(dtype)
    closed = d.mlp_grads(x, weights, biases, t)
    tape = tape_mlp_grads(x, weights, biases, t)
    n = len(weights)

    def error(*params):
        out = tf.constant(x, dtype=tf.float64)
        for w, b in zip(params[:n], params[n:]):
            out = tf.sigmoid(out @ w + b)
        return 0.5 * tf.reduce_sum((out - t.astype(np.float64)) ** 2)

    numeric = d.numerical_gradient(error, *[p.astype(np.float64) for p in weights + biases])
    closed64 = d.mlp_grads(x.astype(np.float64), [w.astype(np.float64) for w in weights],
                           [b.astype(np.float64) for b in biases], t.astype(np.float64))
    for layer, ((dw, db), (tw, tb)) in enumerate(zip(closed, tape)):
        assert dw.dtype == dtype and dw.shape == weights[layer].shape and db.shape == biases[layer].shape
        atol = 1e-5 if dtype == np.float32 else 1e-13
        np.testing.assert_allclose(dw, tw, atol=atol)
        np.testing.assert_allclose(db, tb, atol=atol)
        np.testing.assert_allclose(closed64[layer][0], numeric[layer], atol=1e-8)
        np.testing.assert_allclose(closed64[layer][1], numeric[n + layer], atol=1e-8)


# --- Finite differences and the three-way log ------------------------------------------------------


def test_numerical_jacobian_shapes_and_values():
    x = rng.normal(size=(2, 3))
    jac = d.numerical_jacobian(lambda v: v.sum(axis=1) ** 2, x)
    assert jac.shape == (2, 2, 3)
    expected = np.zeros((2, 2, 3))
    for i in range(2):
        expected[i, i, :] = 2 * x[i].sum()
    np.testing.assert_allclose(jac, expected, atol=1e-8)
    gw, gb = d.numerical_gradient(lambda w, b: np.sum(w**3) + np.sum(np.sin(b)), x, np.arange(3.0))
    np.testing.assert_allclose(gw, 3 * x**2, atol=1e-8)
    np.testing.assert_allclose(gb, np.cos(np.arange(3.0)), atol=1e-9)
    np.testing.assert_allclose(d.central_difference(np.exp, x), np.exp(x), rtol=1e-8)


def test_numerical_jacobian_does_not_mutate_its_input():
    x = np.array([1.0, 2.0])
    seen = []
    d.numerical_jacobian(lambda v: (seen.append(v), v * 2)[1], x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert all(v is not x for v in seen)


def test_three_way_checks_assert_and_log(capsys):
    checks = d.ThreeWayChecks()
    checks.check("ok", np.ones(3), np.ones(3) + 1e-16, np.ones(3) + 1e-10, tape_bound=1e-14, numeric_bound=1e-8)
    assert capsys.readouterr().out == "ok: closed form vs tape < 1e-14, vs finite differences < 1e-08\n"
    with pytest.raises(AssertionError, match="tape"):
        checks.check("bad tape", np.ones(3), np.ones(3) + 1e-9, np.ones(3), tape_bound=1e-14, numeric_bound=1e-8)
    with pytest.raises(AssertionError, match="finite differences"):
        checks.check("bad fd", np.ones(3), np.ones(3), np.ones(3) + 1e-3, tape_bound=1e-14, numeric_bound=1e-8)
    with pytest.raises(AssertionError):
        checks.check("nan", np.ones(3), np.full(3, np.nan), np.ones(3), tape_bound=1e-14, numeric_bound=1e-8)
    checks.check("lists", [np.ones(2), np.zeros(3)], [np.ones(2), np.zeros(3)], [np.ones(2), np.zeros(3)],
                 tape_bound=1e-14, numeric_bound=1e-8)
    assert [row["name"] for row in checks.rows] == ["ok", "lists"]
    assert checks.rows[0]["tape"] < 1e-14 and 0 < checks.rows[0]["numeric"] < 1e-8
    capsys.readouterr()
    checks.summary()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "formula" and [line.split()[0] for line in lines[1:]] == ["ok", "lists"]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: d.binary_crossentropy_grad(np.zeros((2, 3)), np.zeros((2, 4))), ValueError, "same shape"),
        (lambda: d.binary_crossentropy_grad(np.zeros(2), np.zeros(2), from_logits="yes"), TypeError, "from_logits"),
        (lambda: d.binary_crossentropy_grad(0.5, 0.5), ValueError, "`y_true`"),
        (lambda: d.categorical_crossentropy_grad(np.zeros((2, 3)), np.zeros((3, 3))), ValueError, "same shape"),
        (lambda: d.mse_grad(np.zeros(3), np.zeros(4)), ValueError, r"\(3,\) and \(4,\)"),
        (lambda: d.mlp_grads(np.zeros((2, 3)), [np.zeros((3, 2)), np.zeros((3, 1))], [np.zeros(2), np.zeros(1)],
                             np.zeros((2, 1))), ValueError, "layer 1"),
        (lambda: d.central_difference(np.sin, np.zeros(2), h=0), ValueError, "`h`"),
        (lambda: d.central_difference("sin", np.zeros(2)), TypeError, "`f`"),
        (lambda: d.numerical_jacobian(np.sin, "x"), TypeError, "`x`"),
        (lambda: d.numerical_gradient(np.sum), ValueError, "`arrays`"),
        (lambda: d.ThreeWayChecks().check("s", np.ones(2), np.ones(3), np.ones(2), tape_bound=1, numeric_bound=1),
         ValueError, "shape"),
        (lambda: d.ThreeWayChecks().check("b", 1.0, 1.0, 1.0, tape_bound=0, numeric_bound=1), ValueError, "bound"),
        (lambda: d.ThreeWayChecks().check("l", [1.0], [1.0, 2.0], [1.0], tape_bound=1, numeric_bound=1),
         ValueError, "closed forms"),
    ],
)
def test_bad_arguments_new(call, error, match):
    with pytest.raises(error, match=match):
        call()
