"""Schedule-Free AdamW (the page *ScheduleFreeAdamW*)."""

from __future__ import annotations

import numpy as np

from tfopt_docs._validation import check_int, check_real
from tfopt_docs.reference.optimizers.base import ONE, Optimizer, base_arguments, f32, zeros

__all__ = ["ScheduleFreeAdamW"]


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW; mirrors ``keras.optimizers.ScheduleFreeAdamW``.

    The parameters hold ``y`` (where gradients are taken); the state holds
    ``z`` (``"momentums"``, initialized to the parameters) and the second
    moment ``v``. With ``t = iterations + 1`` and ``lr`` scaled by
    ``min(t / warmup_steps, 1)`` if ``warmup_steps > 0``:
    ``v += (g**2 - v)(1 - beta_2)``;
    ``z -= lr * g / (sqrt(v / (1 - beta_2**t)) + epsilon)``;
    ``x = (y - (1 - beta_1) z) / beta_1`` (Keras reads ``z`` here *after* its
    update, although its comment says the old value);
    ``x = (1 - 1/t) x + z / t``; ``y = (1 - beta_1) z + beta_1 x``.
    The averaged ``x`` is not stored (Keras recovers it from ``y`` and ``z``).

    State: ``"momentums"`` (z), ``"velocities"`` (v).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.0025,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        warmup_steps=0,
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
        self.epsilon = check_real("epsilon", epsilon, low=0.0)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, low=0)

    def _init_slots(self, params, paths):
        return {"momentums": [p.copy() for p in params], "velocities": zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        b1, b2, eps = f32(self.beta_1), f32(self.beta_2), f32(self.epsilon)
        if self.warmup_steps > 0:
            lr = lr * np.minimum(t / f32(self.warmup_steps), ONE)
        bc2 = ONE - np.power(b2, t)
        v = st["velocities"][i] + (np.square(g) - st["velocities"][i]) * (ONE - b2)
        denom = np.sqrt(v / bc2) + eps
        z = st["momentums"][i] - (lr * g) / denom
        st["velocities"][i], st["momentums"][i] = v, z
        weight = ONE / t
        x_old = (w - (ONE - b1) * z) / b1
        x_new = (ONE - weight) * x_old + weight * z
        return (ONE - b1) * z + b1 * x_new
