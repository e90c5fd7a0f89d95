"""Sign and trust-ratio updates (the page *Lion and Lamb*)."""

from __future__ import annotations

import numpy as np

from tfopt_docs._validation import check_real
from tfopt_docs.reference.optimizers.adam_family import AdamLike, adam_moments
from tfopt_docs.reference.optimizers.base import ONE, Optimizer, base_arguments, f32, zeros

__all__ = ["Lamb", "Lion"]


class Lion(Optimizer):
    """Lion (sign of an interpolated momentum); mirrors ``keras.optimizers.Lion``.

    ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``;
    ``m = beta_2 * m + (1 - beta_2) * g``. ``beta_1`` must be in (0, 1].

    State: ``"momentums"``.

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.99,
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
        self.beta_1 = check_real("beta_1", beta_1, low=0.0, low_open=True, high=1.0)
        self.beta_2 = check_real("beta_2", beta_2, low=0.0, high=1.0)

    def _init_slots(self, params, paths):
        return {"momentums": zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        b1, b2 = f32(self.beta_1), f32(self.beta_2)
        m = st["momentums"][i]
        w = w - lr * np.sign(m * b1 + g * (ONE - b1))
        st["momentums"][i] = m * b2 + g * (ONE - b2)
        return w


class Lamb(AdamLike):
    """LAMB (Adam direction, layer-wise trust ratio); mirrors ``keras.optimizers.Lamb``.

    ``m``, ``v`` as in Adam; ``u = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)``;
    ``r = ||w|| / ||u||`` if both norms are > 0 else 1 (norms over the whole
    tensor, ``w`` after weight decay); ``w -= r * lr * u``.

    State: ``"momentums"``, ``"velocities"``.

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def _init_slots(self, params, paths):
        return {"momentums": zeros(params), "velocities": zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        b1p = np.power(f32(self.beta_1), t)
        b2p = np.power(f32(self.beta_2), t)
        m, v = adam_moments(g, st["momentums"][i], st["velocities"][i], self.beta_1, self.beta_2)
        st["momentums"][i], st["velocities"][i] = m, v
        update = (m / (ONE - b1p)) / (np.sqrt(v / (ONE - b2p)) + f32(self.epsilon))
        w_norm = np.sqrt(np.sum(np.square(w), dtype=f32))
        g_norm = np.sqrt(np.sum(np.square(update), dtype=f32))
        ratio = w_norm / g_norm if (w_norm > 0 and g_norm > 0) else ONE
        return w - ratio * lr * update
