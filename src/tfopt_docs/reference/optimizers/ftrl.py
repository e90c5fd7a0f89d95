"""FTRL-Proximal (the page *Ftrl*)."""

from __future__ import annotations

import numpy as np

from tfopt_docs._validation import check_real
from tfopt_docs.reference.optimizers.base import Optimizer, base_arguments, f32, zeros

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """FTRL-Proximal; mirrors ``keras.optimizers.Ftrl``.

    With ``p = -learning_rate_power``, ``l2 = l2_regularization_strength +
    beta / (2 lr)`` and ``g' = g + 2 * l2_shrinkage_regularization_strength * w``:
    ``n' = n + g**2``; ``z += g' - (n'**p - n**p) / lr * w``;
    ``w = (clip(z, -l1, l1) - z) / (n'**p / lr + 2 * l2)``; ``n = n'``
    (``n`` starts at ``initial_accumulator_value``).

    State: ``"accumulators"`` (n), ``"linears"`` (z).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
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
        self.learning_rate_power = check_real("learning_rate_power", learning_rate_power, high=0.0)
        self.initial_accumulator_value = check_real("initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.l1_regularization_strength = check_real("l1_regularization_strength", l1_regularization_strength, low=0.0)
        self.l2_regularization_strength = check_real("l2_regularization_strength", l2_regularization_strength, low=0.0)
        self.l2_shrinkage_regularization_strength = check_real(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, low=0.0
        )
        self.beta = check_real("beta", beta, low=0.0)

    def _init_slots(self, params, paths):
        return {
            "accumulators": [np.full_like(p, f32(self.initial_accumulator_value)) for p in params],
            "linears": zeros(params),
        }

    def _update_step(self, i, g, w, lr, st, iterations):
        power = f32(-self.learning_rate_power)
        l2_reg = f32(self.l2_regularization_strength) + f32(self.beta) / (f32(2.0) * lr)
        grad_to_use = g + f32(2 * self.l2_shrinkage_regularization_strength) * w
        accum = st["accumulators"][i]
        new_accum = accum + np.square(g)
        new_pow = np.power(new_accum, power)
        linear = st["linears"][i] + (grad_to_use - ((new_pow - np.power(accum, power)) / lr) * w)
        quadratic = new_pow / lr + f32(2) * l2_reg
        l1 = f32(self.l1_regularization_strength)
        clipped = np.clip(linear, -l1, l1)
        st["linears"][i], st["accumulators"][i] = linear, new_accum
        return (clipped - linear) / quadratic
