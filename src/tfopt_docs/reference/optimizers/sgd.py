"""Plain and momentum gradient descent (the page *SGD, momentum and Nesterov*)."""

from __future__ import annotations

from tfopt_docs._validation import check_bool, check_real
from tfopt_docs.reference.optimizers.base import Optimizer, base_arguments, f32, zeros

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum; mirrors ``keras.optimizers.SGD``.

    ``m = momentum * m - lr * g``; ``w = w + m`` (Nesterov:
    ``w = w + momentum * m - lr * g``); with ``momentum == 0``:
    ``w = w - lr * g``. As in Keras, ``momentum`` must be a float in [0, 1]
    (an int such as ``0`` is refused).

    State: ``"momentums"`` (a list of arrays, empty when ``momentum == 0``).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.momentum = check_real("momentum", momentum, low=0.0, high=1.0, floats_only=True)
        self.nesterov = check_bool("nesterov", nesterov)

    def _init_slots(self, params, paths):
        return {"momentums": zeros(params) if self.momentum != 0 else []}

    def _update_step(self, i, g, w, lr, st, iterations):
        if self.momentum == 0:
            return w - g * lr
        mu = f32(self.momentum)
        m = st["momentums"][i] * mu - g * lr
        st["momentums"][i] = m
        if self.nesterov:
            return w + (m * mu - g * lr)
        return w + m
