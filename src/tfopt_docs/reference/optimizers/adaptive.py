"""Per-coordinate adaptive rates (the page *Adagrad, Adadelta and RMSprop*)."""

from __future__ import annotations

import numpy as np

from tfopt_docs._validation import check_bool, check_real
from tfopt_docs.reference.optimizers.base import Optimizer, base_arguments, f32, zeros

__all__ = ["Adadelta", "Adagrad", "RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (plain momentum, optional centering); mirrors ``keras.optimizers.RMSprop``.

    ``v = rho * v + (1 - rho) * g**2``; centered: ``a = rho * a + (1 - rho) * g``
    and ``d = v - a**2 + epsilon``, else ``d = v + epsilon``;
    ``inc = lr * g / sqrt(d)``; with momentum ``p = momentum * p + inc``,
    ``w -= p``, else ``w -= inc``.

    State: ``"velocities"``, ``"momentums"`` (empty unless momentum > 0),
    ``"average_gradients"`` (empty unless centered).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
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
        self.rho = check_real("rho", rho, low=0.0, high=1.0)
        self.momentum = check_real("momentum", momentum, low=0.0, high=1.0)
        self.epsilon = check_real("epsilon", epsilon, low=0.0)
        self.centered = check_bool("centered", centered)

    def _init_slots(self, params, paths):
        return {
            "velocities": zeros(params),
            "momentums": zeros(params) if self.momentum > 0 else [],
            "average_gradients": zeros(params) if self.centered else [],
        }

    def _update_step(self, i, g, w, lr, st, iterations):
        rho, one_rho = f32(self.rho), f32(1 - self.rho)
        v = rho * st["velocities"][i] + one_rho * np.square(g)
        st["velocities"][i] = v
        if self.centered:
            a = rho * st["average_gradients"][i] + one_rho * g
            st["average_gradients"][i] = a
            denom = v - np.square(a) + f32(self.epsilon)
        else:
            denom = v + f32(self.epsilon)
        inc = (lr * g) / np.sqrt(denom)
        if self.momentum > 0:
            p = f32(self.momentum) * st["momentums"][i] + inc
            st["momentums"][i] = p
            return w - p
        return w - inc


class Adagrad(Optimizer):
    """Adagrad; mirrors ``keras.optimizers.Adagrad``.

    ``a += g**2`` (``a`` starts at ``initial_accumulator_value``);
    ``w -= lr * g / sqrt(a + epsilon)``.

    State: ``"accumulators"``.

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
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
        self.initial_accumulator_value = check_real("initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.epsilon = check_real("epsilon", epsilon, low=0.0)

    def _init_slots(self, params, paths):
        return {"accumulators": [np.full_like(p, f32(self.initial_accumulator_value)) for p in params]}

    def _update_step(self, i, g, w, lr, st, iterations):
        a = st["accumulators"][i] + np.square(g)
        st["accumulators"][i] = a
        return w - (lr * g) / np.sqrt(a + f32(self.epsilon))


class Adadelta(Optimizer):
    """Adadelta; mirrors ``keras.optimizers.Adadelta``.

    ``a = rho * a + (1 - rho) * g**2``;
    ``d = -sqrt(b + epsilon) * g / sqrt(a + epsilon)``;
    ``b = rho * b + (1 - rho) * d**2``; ``w += lr * d``.

    State: ``"accumulated_grads"`` (a), ``"accumulated_delta_vars"`` (b).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.95,
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
        self.rho = check_real("rho", rho, low=0.0, high=1.0)
        self.epsilon = check_real("epsilon", epsilon, low=0.0)

    def _init_slots(self, params, paths):
        return {"accumulated_grads": zeros(params), "accumulated_delta_vars": zeros(params)}

    def _update_step(self, i, g, w, lr, st, iterations):
        rho, one_rho, eps = f32(self.rho), f32(1 - self.rho), f32(self.epsilon)
        a = rho * st["accumulated_grads"][i] + one_rho * np.square(g)
        st["accumulated_grads"][i] = a
        b = st["accumulated_delta_vars"][i]
        d = -((np.sqrt(b + eps) * g) / np.sqrt(a + eps))
        st["accumulated_delta_vars"][i] = rho * b + one_rho * np.square(d)
        return w + lr * d
