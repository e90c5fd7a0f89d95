"""The Keras optimizers, re-implemented in NumPy (functional, no TensorFlow).

One class per optimizer of the pinned Keras (3.15.1) that has its own update
rule, with the Keras class name and the same constructor keywords and defaults,
including the keywords every Keras optimizer takes (``weight_decay``,
``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``,
``ema_momentum``, ``ema_overwrite_frequency``, ``loss_scale_factor``,
``gradient_accumulation_steps``). ``keras.optimizers.LossScaleOptimizer``
(a wrapper that scales the loss and skips non-finite steps) and
``MultiOptimizer``/``OptimizerMap`` (which route variables to other
optimizers) have no update rule of their own and no class here; the
``loss_scale_factor`` keyword is supported (gradients are divided by it).

The optimizers are functional: ``state = opt.init(params)`` builds the
optimizer state for a list of parameter arrays, and
``params, state = opt.step(params, grads, state)`` returns new lists and a new
state without modifying its arguments. The arithmetic is float32 and follows
the order of operations of Keras's ``apply`` on the TensorFlow backend, so the
results agree with Keras to a few float32 roundings per step.

>>> import numpy as np
>>> from tfopt_docs.reference.optimizers import Adam, get
>>> from tfopt_docs.reference.schedules import ExponentialDecay
>>> opt = Adam(learning_rate=0.1)
>>> params = [np.array([1.0, -2.0], dtype=np.float32)]
>>> state = opt.init(params)
>>> for _ in range(3):
...     grads = [2 * params[0]]                 # gradient of sum(w ** 2)
...     params, state = opt.step(params, grads, state)
>>> print(np.round(params[0], 6), state["iterations"])
[ 0.701589 -1.700626] 3
>>> sgd = get("sgd", learning_rate=ExponentialDecay(0.5, 1, 0.5), momentum=0.9)
>>> w, s = sgd.step([np.float32(1.0)], [np.float32(1.0)], sgd.init([np.float32(1.0)]))
>>> print(w[0], s["momentums"][0])
0.5 -0.5

The state is a plain dict:

* ``"iterations"``: Keras's ``optimizer.iterations`` (the number of updates;
  under gradient accumulation the number of calls floor-divided by
  ``gradient_accumulation_steps``).
* ``"raw_iterations"``: Keras's private counter ``optimizer._iterations``,
  incremented by every ``step`` call. Learning-rate schedules are evaluated at
  this count, bias corrections use ``iterations + 1``.
* ``"paths"``: the variable paths given to :meth:`Optimizer.init` (``""`` when
  not given); they select weight-decay exclusions (by name) and Muon's AdamW
  variables (by path), as the variables' ``name``/``path`` do in Keras.
* one list per optimizer variable of Keras, named as Keras names the Python
  attribute that holds it (``"momentums"``, ``"velocities"``, ...).
* ``"accumulated_gradients"`` when ``gradient_accumulation_steps`` is set,
  ``"ema"`` (the moving averages) when ``use_ema=True``.

One module per page of the optimizer reference: :mod:`.base` (the shared
machinery, :class:`Optimizer`), :mod:`.sgd`, :mod:`.adam_family`,
:mod:`.adaptive`, :mod:`.sign_and_trust_ratio`, :mod:`.adafactor`,
:mod:`.ftrl`, :mod:`.muon` and :mod:`.schedule_free`; every public name is
importable from this package.
"""

from __future__ import annotations

from typing import Any

from tfopt_docs._validation import ArgumentTypeError
from tfopt_docs.reference.optimizers.adafactor import Adafactor
from tfopt_docs.reference.optimizers.adam_family import Adam, Adamax, AdamW, Nadam
from tfopt_docs.reference.optimizers.adaptive import Adadelta, Adagrad, RMSprop
from tfopt_docs.reference.optimizers.base import Optimizer, OptimizerState
from tfopt_docs.reference.optimizers.ftrl import Ftrl
from tfopt_docs.reference.optimizers.muon import Muon
from tfopt_docs.reference.optimizers.schedule_free import ScheduleFreeAdamW
from tfopt_docs.reference.optimizers.sgd import SGD
from tfopt_docs.reference.optimizers.sign_and_trust_ratio import Lamb, Lion

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "ArgumentTypeError",
    "Ftrl",
    "Lamb",
    "Lion",
    "Muon",
    "Nadam",
    "Optimizer",
    "OptimizerState",
    "RMSprop",
    "ScheduleFreeAdamW",
    "get",
]


_CLASSES: dict[str, type[Optimizer]] = {
    cls.__name__: cls
    for cls in (
        Adadelta,
        Adafactor,
        Adagrad,
        Adam,
        AdamW,
        Adamax,
        Ftrl,
        Lamb,
        Lion,
        Muon,
        Nadam,
        RMSprop,
        SGD,
        ScheduleFreeAdamW,
    )
}


def get(name: str, **kwargs: Any) -> Optimizer:
    """Build a reference optimizer by its Keras class name (case-insensitive).

    Args:
        name: A Keras optimizer class name, e.g. ``"Adam"`` or ``"adamw"``.
        **kwargs: Constructor keywords.

    Returns:
        The optimizer.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).

    >>> print(type(get("RMSPROP", learning_rate=0.01)).__name__)
    RMSprop
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"`name` must be a str, got {type(name).__name__} {name!r}")
    for key, cls in _CLASSES.items():
        if key.lower() == name.lower():
            return cls(**kwargs)
    raise ValueError(
        f"Unknown optimizer `name` {name!r}; valid names (case-insensitive): {', '.join(sorted(_CLASSES))}"
    )
