"""Adam and its relatives (the page *Adam, AdamW, Adamax and Nadam*)."""

from __future__ import annotations

import numpy as np

from tfopt_docs._validation import check_bool, check_real
from tfopt_docs.reference.optimizers.base import ONE, Optimizer, base_arguments, f32, zeros

__all__ = ["Adam", "AdamW", "Adamax", "Nadam", "adam_moments", "adam_step_size"]


def adam_moments(
    g: np.ndarray, m: np.ndarray, v: np.ndarray, beta_1: float, beta_2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Adam's moment updates ``m += (g - m)(1 - beta_1)``, ``v += (g**2 - v)(1 - beta_2)``.

    In Keras's float32 order; shared by :class:`Adam`, :class:`Lamb
    <tfopt_docs.reference.optimizers.Lamb>` and the AdamW step of
    :class:`Muon <tfopt_docs.reference.optimizers.Muon>`, as in Keras.

    >>> m, v = adam_moments(np.float32(2.0), np.float32(0.0), np.float32(0.0), 0.9, 0.999)
    >>> print(round(float(m), 6), round(float(v), 6))
    0.2 0.004
    """
    return m + (g - m) * f32(1 - beta_1), v + (np.square(g) - v) * f32(1 - beta_2)


def adam_step_size(lr: np.float32, beta_1: float, beta_2: float, iterations: int) -> np.float32:
    """``lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` with ``t = iterations + 1``, in float32.

    >>> print(round(float(adam_step_size(np.float32(0.1), 0.9, 0.999, 0)), 6))
    0.031623
    """
    t = f32(iterations + 1)
    b1p = np.power(f32(beta_1), t)
    b2p = np.power(f32(beta_2), t)
    return lr * np.sqrt(ONE - b2p) / (ONE - b1p)


class AdamLike(Optimizer):
    """The constructor Adam, Adamax, Nadam and Lamb share: ``beta_1``, ``beta_2``, ``epsilon``.

    Adamax, Nadam and Lamb take exactly these arguments (with these
    defaults, as in Keras); Adam adds ``amsgrad``.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
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
        self.beta_1 = check_real("beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = check_real("beta_2", beta_2, low=0.0, high=1.0)
        self.epsilon = check_real("epsilon", epsilon, low=0.0)


class Adam(AdamLike):
    """Adam; mirrors ``keras.optimizers.Adam``.

    ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)``;
    ``w -= m * lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) / (sqrt(v) + epsilon)``
    with ``t = iterations + 1`` (epsilon outside the bias correction, "epsilon
    hat"). With ``amsgrad``, ``v_hat = max(v_hat, v)`` replaces ``v`` in the
    denominator.

    State: ``"momentums"``, ``"velocities"`` and, with ``amsgrad``,
    ``"velocity_hats"``.

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
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
        super().__init__(
            learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, **base_arguments(locals())
        )
        self.amsgrad = check_bool("amsgrad", amsgrad)

    def _init_slots(self, params, paths):
        slots = {"momentums": zeros(params), "velocities": zeros(params)}
        if self.amsgrad:
            slots["velocity_hats"] = zeros(params)
        return slots

    def _update_step(self, i, g, w, lr, st, iterations):
        alpha = adam_step_size(lr, self.beta_1, self.beta_2, iterations)
        m, v = adam_moments(g, st["momentums"][i], st["velocities"][i], self.beta_1, self.beta_2)
        st["momentums"][i], st["velocities"][i] = m, v
        if self.amsgrad:
            v = np.maximum(st["velocity_hats"][i], v)
            st["velocity_hats"][i] = v
        return w - (m * alpha) / (np.sqrt(v) + f32(self.epsilon))


class AdamW(Adam):
    """Adam with decoupled weight decay; mirrors ``keras.optimizers.AdamW``.

    The update rule of :class:`Adam`, after the base class's weight decay
    ``w -= w * weight_decay * lr`` (so AdamW is ``Adam(weight_decay=...)``
    with a default of 0.004; ``weight_decay=None`` is refused).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
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
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            **base_arguments(locals()),
        )


class Adamax(AdamLike):
    """Adamax (Adam with the infinity norm); mirrors ``keras.optimizers.Adamax``.

    ``m += (g - m) * (1 - beta_1)``; ``u = max(beta_2 * u, |g|)``;
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``, ``t = iterations + 1``.

    State: ``"m"``, ``"u"``.

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def _init_slots(self, params, paths):
        return {"m": zeros(params), "u": zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        b1p = np.power(f32(self.beta_1), f32(iterations + 1))
        m = st["m"][i] + (g - st["m"][i]) * f32(1 - self.beta_1)
        u = np.maximum(f32(self.beta_2) * st["u"][i], np.abs(g))
        st["m"][i], st["u"][i] = m, u
        return w - (lr * m) / ((ONE - b1p) * (u + f32(self.epsilon)))


class Nadam(AdamLike):
    """Nadam (Adam with Nesterov momentum and the momentum schedule of Dozat);
    mirrors ``keras.optimizers.Nadam``.

    ``mu_t = beta_1 * (1 - 0.5 * 0.96**t)``, ``t = iterations + 1``; the
    product ``P_t = mu_1 ... mu_t`` is kept in the state (once per update);
    ``m += (g - m)(1 - beta_1)``, ``v += (g**2 - v)(1 - beta_2)``;
    ``m_hat = mu_{t+1} m / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t)``;
    ``w -= lr * m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon)``.

    State: ``"momentums"``, ``"velocities"``, ``"u_product"`` (a float32).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def _init_slots(self, params, paths):
        return {"momentums": zeros(params), "velocities": zeros(params), "u_product": f32(1.0)}

    def _before_updates(self, st, iterations):
        t = f32(iterations + 1)
        st["u_product"] = st["u_product"] * f32(self.beta_1) * (ONE - f32(0.5) * np.power(f32(0.96), t))

    def _update_step(self, i, g, w, lr, st, iterations):
        t, nt = f32(iterations + 1), f32(iterations + 2)
        decay, b1, b2 = f32(0.96), f32(self.beta_1), f32(self.beta_2)
        half = f32(0.5)
        u_t = b1 * (ONE - half * np.power(decay, t))
        u_t_1 = b1 * (ONE - half * np.power(decay, nt))
        up_t = st["u_product"]
        up_t_1 = up_t * u_t_1
        b2p = np.power(b2, t)
        m = st["momentums"][i] + (g - st["momentums"][i]) * (ONE - b1)
        v = st["velocities"][i] + (np.square(g) - st["velocities"][i]) * (ONE - b2)
        st["momentums"][i], st["velocities"][i] = m, v
        m_hat = (u_t_1 * m) / (ONE - up_t_1) + ((ONE - u_t) * g) / (ONE - up_t)
        v_hat = v / (ONE - b2p)
        return w - (m_hat * lr) / (np.sqrt(v_hat) + f32(self.epsilon))
