"""train_compiled must give what model.fit gives, in one graph."""

import keras
import numpy as np
import pytest

from tfopt_docs.data import square_dataset
from tfopt_docs.training import train_compiled


def make_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])


@pytest.mark.parametrize("batch_size", [8, 10, 64])  # divides 40, leaves a remainder, exceeds it
def test_matches_fit_without_shuffling(batch_size):
    x, y = square_dataset(n=40, seed=1)
    y = y / 100.0
    fitted, compiled = make_model(), make_model()
    fitted.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = fitted.fit(x, y, epochs=4, batch_size=batch_size, shuffle=False, verbose=0)
    losses = train_compiled(compiled, keras.optimizers.Adam(0.01), x, y, epochs=4, batch_size=batch_size)
    np.testing.assert_allclose(losses, history.history["loss"], rtol=1e-5)
    for a, b in zip(fitted.get_weights(), compiled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_schedule_advances_once_per_step():
    x, y = square_dataset(n=30)
    optimizer = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(1e-4, 10, 0.5))
    train_compiled(make_model(), optimizer, x, y, epochs=3, batch_size=8)
    assert int(optimizer.iterations) == 3 * 4


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(epochs=0, batch_size=8), ValueError, "epochs"),
        (dict(epochs=2, batch_size=1.5), TypeError, "batch_size"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    x, y = square_dataset(n=10)
    with pytest.raises(error, match=match):
        train_compiled(make_model(), keras.optimizers.SGD(), x, y, **kwargs)


def test_mismatched_samples_and_wrong_types():
    x, y = square_dataset(n=10)
    with pytest.raises(ValueError, match="as many samples"):
        train_compiled(make_model(), keras.optimizers.SGD(), x, y[:5], epochs=1, batch_size=4)
    with pytest.raises(TypeError, match="optimizer"):
        train_compiled(make_model(), "sgd", x, y, epochs=1, batch_size=4)
    with pytest.raises(TypeError, match="model"):
        train_compiled(lambda t: t, keras.optimizers.SGD(), x, y, epochs=1, batch_size=4)


@pytest.mark.parametrize("batch_size", [8, 10])
def test_xla_matches_fit(batch_size):
    x, y = square_dataset(n=40, seed=1)
    y = y / 100.0
    fitted, compiled = make_model(), make_model()
    fitted.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = fitted.fit(x, y, epochs=4, batch_size=batch_size, shuffle=False, verbose=0)
    losses = train_compiled(compiled, keras.optimizers.Adam(0.01), x, y, epochs=4, batch_size=batch_size, jit_compile=True)
    np.testing.assert_allclose(losses, history.history["loss"], rtol=1e-4)
    for a, b in zip(fitted.get_weights(), compiled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_jit_compile_really_uses_xla():
    """XLA cannot compile a call back into Python; the plain graph can."""
    import tensorflow as tf

    def python_loss(y_true, y_pred):
        one = tf.numpy_function(lambda: np.float32(1.0), [], tf.float32)  # a Python call, no gradient
        return one * keras.losses.mean_squared_error(y_true, y_pred)

    x, y = square_dataset(n=8)
    losses = train_compiled(make_model(), keras.optimizers.SGD(1e-4), x, y, epochs=1, batch_size=4, loss=python_loss)
    assert losses.shape == (1,)
    with pytest.raises(Exception, match="(?i)xla|compil|PyFunc"):
        train_compiled(make_model(), keras.optimizers.SGD(1e-4), x, y, epochs=1, batch_size=4, loss=python_loss, jit_compile=True)


def test_jit_compile_must_be_a_bool():
    x, y = square_dataset(n=8)
    with pytest.raises(TypeError, match="jit_compile"):
        train_compiled(make_model(), keras.optimizers.SGD(), x, y, epochs=1, batch_size=4, jit_compile="auto")


def test_subclassed_model_matches_sequential():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(4, activation="tanh")
            self.out = keras.layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    x, y = square_dataset(n=16)
    y = y / 100.0
    keras.utils.set_random_seed(0)
    net = Net()
    net(x[:1])  # builds the layers
    sequential = make_model()
    sequential.set_weights(net.get_weights())
    a = train_compiled(net, keras.optimizers.Adam(0.01), x, y, epochs=3, batch_size=4)
    b = train_compiled(sequential, keras.optimizers.Adam(0.01), x, y, epochs=3, batch_size=4)
    np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_article_x2_fit_reaches_its_quality_with_xla(seed):
    """'Optimizer Sample' §1.3: Dense(50, relu) + Dense(1), Adam, batches of 20, 5000 epochs."""
    x, y = square_dataset(n=100, seed=seed)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(50, activation="relu"), keras.layers.Dense(1)])
    losses = train_compiled(model, keras.optimizers.Adam(), x, y, epochs=5000, batch_size=20, jit_compile=True)
    predictions = model.predict(np.array([[2.0], [10.0]]), verbose=0)[:, 0]
    assert losses[-1] < 0.01
    assert abs(predictions[0] - 4.0) < 0.5 and abs(predictions[1] - 100.0) < 2.0, predictions
