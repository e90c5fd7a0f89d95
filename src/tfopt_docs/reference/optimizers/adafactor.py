"""Factored second moments (the page *Adafactor*)."""

from __future__ import annotations

import numpy as np

from tfopt_docs._validation import check_bool, check_real
from tfopt_docs.reference.optimizers.base import ONE, Optimizer, base_arguments, f32, zeros

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor (factored second moments); mirrors ``keras.optimizers.Adafactor``.

    ``t = iterations + 1``; ``rho = min(lr, 1 / sqrt(t))``;
    ``alpha = max(epsilon_2, rms(w)) * rho``; ``b = 1 - t**beta_2_decay``;
    ``s = g**2 + epsilon_1``. For ``w`` with >= 2 dimensions (factored over
    the last two): ``r = b r + (1 - b) mean(s, -1)``,
    ``c = b c + (1 - b) mean(s, -2)``, ``v = (r / mean(r, -1))[..., None] * c[..., None, :]``;
    else ``v = b v + (1 - b) s``. ``u = g / sqrt(v)``;
    ``w -= alpha * u / max(1, rms(u) / clip_threshold)``.

    ``relative_step`` changes nothing in Keras 3.15.1: it caps the rate at
    ``1 / sqrt(t)``, which ``rho`` does anyway.

    State: ``"r"``, ``"c"`` (``None`` for < 2-D parameters), ``"v"``.

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=1e-3,
        clip_threshold=1.0,
        relative_step=True,
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
        self.beta_2_decay = check_real("beta_2_decay", beta_2_decay, high=0.0)
        self.epsilon_1 = check_real("epsilon_1", epsilon_1, low=0.0)
        self.epsilon_2 = check_real("epsilon_2", epsilon_2, low=0.0)
        self.clip_threshold = check_real("clip_threshold", clip_threshold, low=0.0, low_open=True)
        self.relative_step = check_bool("relative_step", relative_step)

    def _init_slots(self, params, paths):
        r = [np.zeros(p.shape[:-1], f32) if p.ndim >= 2 else None for p in params]
        c = [np.zeros(p.shape[:-2] + p.shape[-1:], f32) if p.ndim >= 2 else None for p in params]
        return {"r": r, "c": c, "v": zeros(params)}

    @staticmethod
    def _rms(x):
        return np.sqrt(np.mean(np.square(x), dtype=f32))

    def _update_step(self, i, g, w, lr, st, iterations):
        t = f32(iterations + 1)
        inv_sqrt_t = ONE / np.sqrt(t)
        if not callable(self.learning_rate) and self.relative_step:
            lr = np.minimum(lr, inv_sqrt_t)
        rho_t = np.minimum(lr, inv_sqrt_t)
        alpha_t = np.maximum(f32(self.epsilon_2), self._rms(w)) * rho_t
        s = np.square(g) + f32(self.epsilon_1)
        b = ONE - np.power(t, f32(self.beta_2_decay))
        one_b = ONE - b
        if w.ndim >= 2:
            r = b * st["r"][i] + one_b * np.mean(s, axis=-1, dtype=f32)
            c = b * st["c"][i] + one_b * np.mean(s, axis=-2, dtype=f32)
            v = np.expand_dims(r / np.mean(r, axis=-1, keepdims=True, dtype=f32), -1) * np.expand_dims(c, -2)
            st["r"][i], st["c"][i] = r, c
        else:
            v = b * st["v"][i] + one_b * s
        st["v"][i] = v
        u = g / np.sqrt(v)
        u_hat = u / np.maximum(ONE, self._rms(u) / f32(self.clip_threshold))
        return w - alpha_t * u_hat
