"""Closed-form derivatives of activations, losses, perceptrons and MLPs, in NumPy.

These are the results the derivation pages arrive at, written so that a
page (and the test suite) can hold each one against ``tf.GradientTape``. Conventions:

* Activations act elementwise; ``*_grad(x)`` is the derivative at ``x``,
  with TensorFlow's choice at kinks (``relu_grad(0) == 0``,
  ``leaky_relu_grad(0) == negative_slope``).
* ``softmax_jacobian(a)`` is taken over the last axis of the logits ``a``:
  ``J[..., i, j] = dp_i / da_j = p_i (delta_ij - p_j)`` with ``p = softmax(a)``.
* The loss gradients are of the per-sample Keras loss summed over the batch,
  so they have the shape of ``y_pred``.
* Perceptrons and MLPs use sigmoid units and ``E = 1/2 * sum((O - t)**2)``
  over outputs and batch (the notation of article 004, "TensorFlow 2.0 notes (4)").
* :func:`central_difference`, :func:`numerical_jacobian` and
  :func:`numerical_gradient` are the third witness of the pages' checks:
  central finite differences of any function of NumPy arrays (one that calls
  TensorFlow inside included), and :class:`ThreeWayChecks` asserts and
  prints the comparisons with bounds rather than raw rounding noise.

>>> import numpy as np
>>> print(sigmoid_grad(np.array([0.0])))
[0.25]
>>> print(softmax_jacobian(np.zeros(2)))
[[ 0.25 -0.25]
 [-0.25  0.25]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tfopt_docs._validation import check_real

__all__ = [
    "ThreeWayChecks",
    "binary_crossentropy_grad",
    "categorical_crossentropy_grad",
    "central_difference",
    "leaky_relu_grad",
    "mlp_grads",
    "mse_grad",
    "numerical_gradient",
    "numerical_jacobian",
    "perceptron_grads",
    "relu_grad",
    "sigmoid_grad",
    "softmax_jacobian",
    "tanh_grad",
]

#: Keras's ``backend.epsilon()``: predicted probabilities are clipped to
#: ``[EPSILON, 1 - EPSILON]`` before the logarithm.
EPSILON = 1e-7


def _array(name: str, value, min_ndim: int = 0) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64) if not isinstance(value, np.ndarray) else value
    except (TypeError, ValueError) as error:
        raise TypeError(f"`{name}` must be an array of real numbers, got {type(value).__name__}") from error
    if not np.issubdtype(array.dtype, np.floating) and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"`{name}` must be an array of real numbers, got dtype {array.dtype}")
    if array.ndim < min_ndim:
        raise ValueError(f"`{name}` must have at least {min_ndim} dimension(s), got shape {array.shape}")
    return array if np.issubdtype(array.dtype, np.floating) else array.astype(np.float64)


def _same_shape(a_name: str, a: np.ndarray, b_name: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"`{a_name}` and `{b_name}` must have the same shape, got {a.shape} and {b.shape}")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # Two branches so that neither exp overflows.
    positive = x >= 0
    z = np.exp(-np.abs(x))
    return np.where(positive, 1 / (1 + z), z / (1 + z))


def _softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid_grad(x):
    """``sigma'(x) = sigma(x) (1 - sigma(x))``."""
    s = _sigmoid(_array("x", x))
    return s * (1 - s)


def tanh_grad(x):
    """``tanh'(x) = 1 - tanh(x)**2``."""
    return 1 - np.tanh(_array("x", x)) ** 2


def relu_grad(x):
    """``relu'(x)``: 1 where ``x > 0``, else 0 (0 at the kink, as TensorFlow)."""
    x = _array("x", x)
    return (x > 0).astype(x.dtype)


def leaky_relu_grad(x, negative_slope: float = 0.2):
    """Derivative of ``keras.activations.leaky_relu(x, negative_slope)``.

    1 where ``x > 0``, else ``negative_slope`` (also at 0, as TensorFlow).
    """
    x = _array("x", x)
    negative_slope = check_real("negative_slope", negative_slope)
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


def softmax_jacobian(a):
    """Jacobian of ``softmax(a)`` over the last axis, shape ``[..., n, n]``.

    Args:
        a: logits, at least one dimension.

    Returns:
        ``J`` with ``J[..., i, j] = p_i (delta_ij - p_j)``, ``p = softmax(a)``.
    """
    p = _softmax(_array("a", a, min_ndim=1))
    return p[..., :, None] * (np.eye(p.shape[-1], dtype=p.dtype) - p[..., None, :])


def mse_grad(y_true, y_pred):
    """Gradient of ``keras.losses.mean_squared_error`` summed over the batch.

    The loss of one sample is the mean over the last axis of
    ``(y_true - y_pred)**2``, so the gradient is ``2 (y_pred - y_true) / n``
    with ``n`` the size of that axis.
    """
    y_true, y_pred = _array("y_true", y_true, 1), _array("y_pred", y_pred, 1)
    _same_shape("y_true", y_true, "y_pred", y_pred)
    return 2 * (y_pred - y_true) / y_pred.shape[-1]


def categorical_crossentropy_grad(y_true, y_pred, from_logits: bool = False):
    """Gradient of ``keras.losses.categorical_crossentropy`` summed over the batch.

    With ``from_logits=True``, ``y_pred`` are logits ``z`` and the gradient is
    ``softmax(z) * sum(y_true) - y_true`` (``softmax(z) - y_true`` for
    one-hot targets). Otherwise ``y_pred`` are probabilities: Keras first
    divides them by their sum ``S`` and clips them to
    ``[EPSILON, 1 - EPSILON]``, so with ``m_i`` = 1 where ``p_i = y_i / S``
    is inside the clip range (else 0) the gradient is
    ``-y_true_k m_k / y_pred_k + sum_i(y_true_i m_i) / S``.
    """
    if not isinstance(from_logits, bool):
        raise TypeError(f"`from_logits` must be True or False, got {from_logits!r}")
    y_true, y_pred = _array("y_true", y_true, 1), _array("y_pred", y_pred, 1)
    _same_shape("y_true", y_true, "y_pred", y_pred)
    if from_logits:
        return _softmax(y_pred) * y_true.sum(axis=-1, keepdims=True) - y_true
    total = y_pred.sum(axis=-1, keepdims=True)
    p = y_pred / total
    inside = ((p >= EPSILON) & (p <= 1 - EPSILON)).astype(y_pred.dtype)
    return -y_true * inside / y_pred + (y_true * inside).sum(axis=-1, keepdims=True) / total


def binary_crossentropy_grad(y_true, y_pred, from_logits: bool = False):
    """Gradient of ``keras.losses.binary_crossentropy`` summed over the batch.

    The loss of one sample is the mean over the last axis (size ``n``) of
    ``-(t log q + (1 - t) log(1 - q))``. With ``from_logits=True``,
    ``y_pred`` are logits ``z``, ``q = sigmoid(z)`` and the gradient is
    ``(sigmoid(z) - y_true) / n``. Otherwise ``y_pred`` are the
    probabilities ``q``, which Keras clips to ``[EPSILON, 1 - EPSILON]``:
    the gradient is ``(q - t) / (q (1 - q)) / n`` inside that range and 0
    outside it.

    >>> import numpy as np
    >>> print(binary_crossentropy_grad(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]), from_logits=True))
    [[-0.25  0.25]]
    >>> print(binary_crossentropy_grad(np.array([[1.0]]), np.array([[0.5]])))
    [[-2.]]
    """
    if not isinstance(from_logits, bool):
        raise TypeError(f"`from_logits` must be True or False, got {from_logits!r}")
    y_true, y_pred = _array("y_true", y_true, 1), _array("y_pred", y_pred, 1)
    _same_shape("y_true", y_true, "y_pred", y_pred)
    n = y_pred.shape[-1]
    if from_logits:
        return (_sigmoid(y_pred) - y_true) / n
    inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
    q = np.where(inside, y_pred, 0.5)  # no division by 0 where the clip cuts the gradient anyway
    return (np.where(inside, (q - y_true) / (q * (1 - q)), 0.0) / n).astype(y_pred.dtype)


def _check_layer(index: int, x: np.ndarray, w, b) -> tuple[np.ndarray, np.ndarray]:
    w, b = _array(f"weights[{index}]", w, 2), _array(f"biases[{index}]", b, 1)
    if w.ndim != 2 or b.ndim != 1 or w.shape[0] != x.shape[-1] or b.shape[0] != w.shape[1]:
        raise ValueError(
            f"layer {index}: weights must have shape (inputs={x.shape[-1]}, outputs) and biases (outputs,), "
            f"got {w.shape} and {b.shape}"
        )
    return w, b


def mlp_grads(x, weights: Sequence, biases: Sequence, t) -> list[tuple[np.ndarray, np.ndarray]]:
    """Backpropagation through sigmoid layers, ``E = 1/2 * sum((O - t)**2)``.

    Layer ``l`` computes ``O_l = sigmoid(O_{l-1} @ W_l + b_l)`` with
    ``O_0 = x``. The deltas follow seed 004: at the output
    ``delta_K = O_K (1 - O_K) (O_K - t)``, below it
    ``delta_J = O_J (1 - O_J) (delta_K @ W_K.T)``, and
    ``dE/dW_l = O_{l-1}.T @ delta_l``, ``dE/db_l = sum over the batch of delta_l``.

    Args:
        x: inputs, shape ``(batch, n_0)``.
        weights: one ``(n_{l-1}, n_l)`` matrix per layer.
        biases: one ``(n_l,)`` vector per layer.
        t: targets, shape ``(batch, n_L)``.

    Returns:
        ``[(dE/dW_1, dE/db_1), ..., (dE/dW_L, dE/db_L)]``.
    """
    x = _array("x", x, 2)
    if x.ndim != 2:
        raise ValueError(f"`x` must have shape (batch, inputs), got {x.shape}")
    if isinstance(weights, np.ndarray) or isinstance(biases, np.ndarray):
        raise TypeError("`weights` and `biases` must be sequences of arrays, one per layer")
    if len(weights) != len(biases) or not weights:
        raise ValueError(f"`weights` and `biases` must hold one array per layer, got {len(weights)} and {len(biases)}")
    outputs, layers = [x], []
    for index, (w, b) in enumerate(zip(weights, biases)):
        w, b = _check_layer(index, outputs[-1], w, b)
        layers.append(w)
        outputs.append(_sigmoid(outputs[-1] @ w + b))
    t = _array("t", t, 2)
    _same_shape("t", t, "the network's output", outputs[-1])

    delta = outputs[-1] * (1 - outputs[-1]) * (outputs[-1] - t)
    grads = []
    for index in range(len(layers) - 1, -1, -1):
        grads.append((outputs[index].T @ delta, delta.sum(axis=0)))
        if index:
            delta = outputs[index] * (1 - outputs[index]) * (delta @ layers[index].T)
    return grads[::-1]


def perceptron_grads(x, w, b, t) -> tuple[np.ndarray, np.ndarray]:
    """One sigmoid layer: ``O = sigmoid(x @ w + b)``, ``E = 1/2 * sum((O - t)**2)``.

    ``dE/dw = x.T @ ((O - t) O (1 - O))`` and ``dE/db`` its sum over the batch.
    ``w`` has shape ``(inputs, outputs)``: one output is the single-output
    perceptron, several the multi-output one.

    Returns:
        ``(dE/dw, dE/db)``, shaped like ``w`` and ``b``.
    """
    return mlp_grads(x, [w], [b], t)[0]


def _check_step(h) -> float:
    h = check_real("h", h)
    if not (0 < h < 1):
        raise ValueError(f"`h` must be a step size between 0 and 1, got {h!r}")
    return h


def _check_callable(f) -> None:
    if not callable(f):
        raise TypeError(f"`f` must be callable, got {type(f).__name__}")


def central_difference(f, x, h: float = 1e-6):
    """Elementwise derivative ``(f(x + h) - f(x - h)) / (2 h)``, in float64.

    For functions that act elementwise (activations): the derivative at every
    entry of ``x`` from one vectorized call on each side. The error is of
    order ``h**2 |f'''| / 6 + eps |f| / h``; ``h = 1e-6`` suits float64.

    >>> import numpy as np
    >>> print(np.round(central_difference(np.sin, np.array([0.0, np.pi])), 8))
    [ 1. -1.]
    """
    _check_callable(f)
    x = _array("x", x)
    h = _check_step(h)
    return (np.asarray(f(x + h), dtype=np.float64) - np.asarray(f(x - h), dtype=np.float64)) / (2 * h)


def numerical_jacobian(f, x, h: float = 1e-6):
    """Central-difference Jacobian of ``f`` at ``x``, shape ``f(x).shape + x.shape``.

    ``f`` takes one NumPy array shaped like ``x`` and returns an array (or a
    number); each entry of ``x`` is moved by ``+h`` and ``-h`` in turn, so
    ``f`` is called ``2 * x.size + 1`` times. For a scalar ``f`` the result
    is the gradient, shaped like ``x``.

    >>> import numpy as np
    >>> print(np.round(numerical_jacobian(lambda v: v**2, np.array([1.0, 3.0])), 6))
    [[2. 0.]
     [0. 6.]]
    """
    _check_callable(f)
    x = np.array(_array("x", x), dtype=np.float64)  # a float64 copy, moved entry by entry below
    h = _check_step(h)
    out_shape = np.shape(f(x.copy()))
    columns = np.empty((x.size, *out_shape))
    flat = x.reshape(-1)
    for index in range(x.size):
        saved = flat[index]
        flat[index] = saved + h
        up = np.asarray(f(x.copy()), dtype=np.float64)
        flat[index] = saved - h
        down = np.asarray(f(x.copy()), dtype=np.float64)
        flat[index] = saved
        columns[index] = (up - down) / (2 * h)
    # columns[k] is df/dx_k: move the input axis last, then give it x's shape.
    return np.moveaxis(columns, 0, -1).reshape(*out_shape, *x.shape)


def numerical_gradient(f, *arrays, h: float = 1e-6):
    """Central-difference gradients of a scalar ``f(*arrays)``, one per array.

    Returns a list of arrays shaped like ``arrays`` (a single array when one
    is given). Meant for losses and networks: ``f`` may run TensorFlow
    inside and return a scalar tensor or a float.

    >>> import numpy as np
    >>> gw, gb = numerical_gradient(lambda w, b: np.sum(3.0 * w) + b[0] ** 2, np.ones(2), np.array([2.0]))
    >>> print(np.round(gw, 6), np.round(gb, 6))
    [3. 3.] [4.]
    """
    _check_callable(f)
    if not arrays:
        raise ValueError("`arrays`: give at least one array to differentiate with respect to")
    arrays = tuple(np.array(_array(f"arrays[{i}]", a), dtype=np.float64) for i, a in enumerate(arrays))
    grads = []
    for i, a in enumerate(arrays):

        def f_i(value, i=i):
            return float(np.asarray(f(*arrays[:i], value, *arrays[i + 1 :])))

        grads.append(numerical_jacobian(f_i, a, h=h))
    return grads[0] if len(grads) == 1 else grads


def _max_difference(name: str, a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"`{name}` has shape {b.shape}, the closed form {a.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


class ThreeWayChecks:
    """Closed form vs ``tf.GradientTape`` vs finite differences, asserted and logged.

    :meth:`check` asserts that the largest absolute differences are below
    the given bounds and prints the bounds (not the differences, whose last
    digits depend on the CPU). :meth:`summary` prints one line per check;
    :attr:`rows` keeps the measured differences.

    >>> import numpy as np
    >>> checks = ThreeWayChecks()
    >>> x = np.linspace(-1.0, 1.0, 5)
    >>> checks.check("tanh'", tanh_grad(x), 1 - np.tanh(x) ** 2, central_difference(np.tanh, x),
    ...              tape_bound=1e-15, numeric_bound=1e-8)
    tanh': closed form vs tape < 1e-15, vs finite differences < 1e-08
    >>> checks.summary()
    formula  closed form vs tape  vs finite differences
    tanh'                < 1e-15                < 1e-08
    """

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def check(self, name: str, closed, tape, numeric, *, tape_bound: float, numeric_bound: float) -> None:
        """Assert ``max|closed - tape| < tape_bound`` and ``max|closed - numeric| < numeric_bound``.

        ``closed``, ``tape`` and ``numeric`` are arrays of one shape, or
        lists of such arrays compared pairwise (one per layer, say).

        Raises:
            TypeError: if a bound is not a real number.
            ValueError: if the shapes or list lengths differ, or a bound is not > 0.
            AssertionError: if a difference is not below its bound.
        """
        tape_bound, numeric_bound = check_real("tape_bound", tape_bound), check_real("numeric_bound", numeric_bound)
        if tape_bound <= 0 or numeric_bound <= 0:
            raise ValueError(f"`tape_bound` and `numeric_bound` must be > 0, got {tape_bound} and {numeric_bound}")
        if not isinstance(closed, (list, tuple)):
            closed, tape, numeric = [closed], [tape], [numeric]
        if not (len(closed) == len(tape) == len(numeric)):
            raise ValueError(f"{name}: {len(closed)} closed forms, {len(tape)} tape and {len(numeric)} numeric results")
        tape_diff = max(_max_difference("tape", c, t) for c, t in zip(closed, tape))
        numeric_diff = max(_max_difference("numeric", c, n) for c, n in zip(closed, numeric))
        if not tape_diff < tape_bound:
            raise AssertionError(f"{name}: closed form vs tape differ by {tape_diff:.3g} >= {tape_bound:.0e}")
        if not numeric_diff < numeric_bound:
            raise AssertionError(
                f"{name}: closed form vs finite differences differ by {numeric_diff:.3g} >= {numeric_bound:.0e}"
            )
        self.rows.append(
            dict(name=name, tape=tape_diff, numeric=numeric_diff, tape_bound=tape_bound, numeric_bound=numeric_bound)
        )
        print(f"{name}: closed form vs tape < {tape_bound:.0e}, vs finite differences < {numeric_bound:.0e}")

    def summary(self) -> None:
        """Print the asserted bounds of every check so far, one line each."""
        header = ("formula", "closed form vs tape", "vs finite differences")
        lines = [(r["name"], f"< {r['tape_bound']:.0e}", f"< {r['numeric_bound']:.0e}") for r in self.rows]
        width = max([len(header[0])] + [len(line[0]) for line in lines])
        print(f"{header[0]:<{width}}  {header[1]}  {header[2]}")
        for name, tape, numeric in lines:
            print(f"{name:<{width}}  {tape:>{len(header[1])}}  {numeric:>{len(header[2])}}")
