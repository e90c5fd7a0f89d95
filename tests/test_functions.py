import numpy as np
import pytest
import tensorflow as tf

from tfopt_docs.functions import HIMMELBLAU_MINIMA, himmelblau, quadratic, rosenbrock, shifted_square


def test_himmelblau_minima_are_zeros_with_zero_gradient():
    for point in HIMMELBLAU_MINIMA:
        assert himmelblau(point) == pytest.approx(0.0, abs=1e-20)
        p = tf.Variable(point, dtype=tf.float64)
        with tf.GradientTape() as tape:
            value = himmelblau(p)
        np.testing.assert_allclose(tape.gradient(value, p).numpy(), 0.0, atol=1e-9)


def test_himmelblau_evaluates_a_mesh_in_one_call():
    x, y = np.meshgrid(np.linspace(-5, 5, 7), np.linspace(-5, 5, 5))
    z = himmelblau([x, y])
    assert z.shape == (5, 7)
    assert z[2, 3] == himmelblau([0.0, 0.0]) == 170.0


def test_rosenbrock_minimum_moves_with_a():
    assert rosenbrock((2.0, 4.0), a=2.0) == 0.0
    assert rosenbrock((1.0, 1.0), a=2.0) > 0.0


def test_functions_accept_tensors_and_give_tape_gradients():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        loss = shifted_square(x)
    assert float(tape.gradient(loss, x)) == -94.0
    with tf.GradientTape() as tape:
        z = quadratic(x, 3.0, 2.0, -1.0)
    assert float(tape.gradient(z, x)) == 6 * 3.0 + 2.0


@pytest.mark.parametrize("kwargs", [{"a": "1"}, {"b": None}, {"c": True}])
def test_quadratic_rejects_non_numbers(kwargs):
    with pytest.raises(TypeError, match=next(iter(kwargs))):
        quadratic(1.0, **kwargs)
