"""Muon with its AdamW fallback (the page *Muon*)."""

from __future__ import annotations

import re

import numpy as np

from tfopt_docs._validation import ArgumentTypeError, check_bool, check_int, check_optional_real, check_real
from tfopt_docs.reference.optimizers.adam_family import adam_moments, adam_step_size
from tfopt_docs.reference.optimizers.base import Optimizer, base_arguments, f32, zeros

__all__ = ["Muon"]


class Muon(Optimizer):
    """Muon (momentum orthogonalized by Newton-Schulz) with an AdamW fallback;
    mirrors ``keras.optimizers.Muon``.

    Muon step (2-D parameters not excluded): ``m += g + (momentum - 1) m``;
    ``G = g + momentum * m`` (Nesterov) or ``m``; ``X = NS5(G)``: ``X = G / (||G||_F + 1e-7)``
    (transposed if it has more rows than columns), then ``ns_steps`` times
    ``A = X X^T``, ``X = a X + (b A + c A A) X``;
    ``w -= lr * X * sqrt(max(rows, cols)) * rms_rate`` (no last factor when
    ``rms_rate`` is None).

    AdamW step (every parameter that is not 2-D, whose path contains
    ``"embedding"`` (case-insensitive) when ``exclude_embeddings``, or whose
    path matches a regular expression of ``exclude_layers``): Adam without
    amsgrad with ``lr * adam_lr_ratio`` and ``beta_1 = adam_beta_1``,
    ``beta_2 = adam_beta_2``.

    Weight decay (before either step): ``adam_weight_decay`` for AdamW
    parameters, ``weight_decay`` for Muon parameters (skipped when that one is
    None), times the learning rate (not ``adam_lr_ratio``).

    Keras decides by the variable's ``path``: pass the paths to
    :meth:`~Optimizer.init` (``paths=[v.path for v in variables]``); without
    them only the shape decides.

    State: ``"momentums"``, ``"adam_velocities"`` (``None`` for Muon
    parameters), ``"use_adamw"`` (a tuple of bools).

    The base keywords (``weight_decay`` ... ``name``) are those of
    :class:`Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        adam_weight_decay=0.004,
        epsilon=1e-7,
        weight_decay=0.004,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        exclude_layers=None,
        exclude_embeddings=True,
        muon_a=3.4445,
        muon_b=-4.7750,
        muon_c=2.0315,
        adam_lr_ratio=1,
        momentum=0.95,
        ns_steps=5,
        nesterov=True,
        rms_rate=0.2,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.adam_beta_1 = check_real("adam_beta_1", adam_beta_1, low=0.0, high=1.0)
        self.adam_beta_2 = check_real("adam_beta_2", adam_beta_2, low=0.0, high=1.0)
        self.adam_weight_decay = check_optional_real("adam_weight_decay", adam_weight_decay, low=0.0)
        self.epsilon = check_real("epsilon", epsilon, low=0.0)
        if exclude_layers is not None and (
            isinstance(exclude_layers, str) or any(not isinstance(k, str) for k in exclude_layers)
        ):
            raise ArgumentTypeError(f"`exclude_layers` must be a list of str or None, got {exclude_layers!r}")
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = check_bool("exclude_embeddings", exclude_embeddings)
        self.muon_a = check_real("muon_a", muon_a)
        self.muon_b = check_real("muon_b", muon_b)
        self.muon_c = check_real("muon_c", muon_c)
        self.adam_lr_ratio = check_real("adam_lr_ratio", adam_lr_ratio, low=0.0)
        self.momentum = check_real("momentum", momentum, low=0.0, high=1.0)
        self.ns_steps = check_int("ns_steps", ns_steps, low=0)
        self.nesterov = check_bool("nesterov", nesterov)
        self.rms_rate = check_optional_real("rms_rate", rms_rate, low=0.0)

    def should_use_adamw(self, shape: tuple, path: str = "") -> bool:
        """Whether a parameter of this shape and Keras path gets the AdamW step."""
        if len(shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(k, path) for k in self.exclude_layers)

    def _init_slots(self, params, paths):
        use = tuple(self.should_use_adamw(p.shape, path) for p, path in zip(params, paths))
        return {
            "momentums": zeros(params),
            "adam_velocities": [np.zeros_like(p) if u else None for p, u in zip(params, use)],
            "use_adamw": use,
        }

    def _weight_decay_value(self, index, shape, path):
        return self.adam_weight_decay if self.should_use_adamw(shape, path) else self.weight_decay

    def _update_step(self, i, g, w, lr, st, iterations):
        if st["use_adamw"][i]:
            return self._adamw_step(i, g, w, lr * f32(self.adam_lr_ratio), st, iterations)
        m = st["momentums"][i]
        m = m + (g + m * f32(self.momentum - 1))
        st["momentums"][i] = m
        G = g + f32(self.momentum) * m if self.nesterov else m
        update = self._newton_schulz5(G)
        x = lr * update
        if self.rms_rate is not None:
            x = x * np.sqrt(f32(max(x.shape[0], x.shape[1]))) * f32(self.rms_rate)
        return w - x

    def _newton_schulz5(self, x):
        a, b, c = f32(self.muon_a), f32(self.muon_b), f32(self.muon_c)
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = np.swapaxes(x, -1, -2)
        x = x / (np.sqrt(np.sum(x * x, axis=(-2, -1), keepdims=True, dtype=f32)) + f32(1e-7))
        for _ in range(self.ns_steps):
            A = x @ np.swapaxes(x, -1, -2)
            B = b * A + (c * A) @ A
            x = a * x + B @ x
        if tall:
            x = np.swapaxes(x, -1, -2)
        return np.ascontiguousarray(x, dtype=f32)

    def _adamw_step(self, i, g, w, lr, st, iterations):
        """Keras's ``_adamw_update_step``: Adam's step without amsgrad (weight decay came before)."""
        alpha = adam_step_size(lr, self.adam_beta_1, self.adam_beta_2, iterations)
        m, v = adam_moments(g, st["momentums"][i], st["adam_velocities"][i], self.adam_beta_1, self.adam_beta_2)
        st["momentums"][i], st["adam_velocities"][i] = m, v
        return w - (m * alpha) / (np.sqrt(v) + f32(self.epsilon))
