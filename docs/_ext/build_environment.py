"""The environment every executed page and example runs in, set in one place.

conf.py calls :func:`configure_build` (the Sphinx process runs the gallery
examples and starts the notebook kernels, which inherit its environment);
each kernel runs :func:`configure_kernel` at start-up, and so does
``tools/check_robust.py`` for what it executes.

The robustness check changes the numerics from outside (oneDNN on or off,
one core) and the random seeds through ``TFOPT_SEED_OFFSET``: with it set to
``k``, every integer seed a page or example passes to ``random.seed``,
``np.random.seed``, ``np.random.default_rng``, ``tf.random.set_seed`` or
``keras.utils.set_random_seed`` becomes ``seed + k``. Pages keep writing
``keras.utils.set_random_seed(0)`` in the open; a claim that only holds for
seed 0 then fails the check.
"""

from __future__ import annotations

import functools
import os
import random
import sys
from pathlib import Path

import light_keras
import quiet_tensorflow

HERE = Path(__file__).resolve().parent
SEED_OFFSET_VARIABLE = "TFOPT_SEED_OFFSET"

#: Set for the Sphinx process and inherited by the kernels. TF's C++ INFO and
#: WARNING lines (CPU features, XLA service) are chatter in a build log.
ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONSTARTUP": str(HERE / "kernel_startup.py"),
    # The pages' "python3" kernel, as ipykernel's own but without its start-up
    # warnings in the build log ("Kernel is running over TCP ...").
    "JUPYTER_PATH": str(HERE / "jupyter"),
    # No MPLBACKEND here: a kernel must keep IPython's inline backend, which turns
    # each figure into the cell's image output (with Agg, plt.show() shows nothing
    # and the pages lose their figures). The gallery and tools/execute.py choose
    # Agg themselves.
}


def configure_build() -> None:
    """Set :data:`ENVIRONMENT` (unless already set) and quiet this process."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    configure_kernel()


def configure_kernel() -> None:
    """Filter TensorFlow's start-up lines, spare Keras's import the optional
    modules no page uses (``light_keras``); shift the seeds if asked to."""
    quiet_tensorflow.install()
    light_keras.install()
    offset = int(os.environ.get(SEED_OFFSET_VARIABLE, "0") or 0)
    if offset:
        shift_seeds(offset)


def _shifted(function, offset: int):
    @functools.wraps(function)
    def wrapper(seed=None, *args, **kwargs):
        if isinstance(seed, int) and not isinstance(seed, bool):
            seed += offset
        return function(seed, *args, **kwargs)

    wrapper.__tfopt_shifted__ = True
    return wrapper


def shift_seeds(offset: int) -> None:
    """Add ``offset`` to every integer seed given to the global seeding calls."""
    import numpy as np

    for owner, name in ((random, "seed"), (np.random, "seed"), (np.random, "default_rng")):
        if not getattr(getattr(owner, name), "__tfopt_shifted__", False):
            setattr(owner, name, _shifted(getattr(owner, name), offset))
    # keras.utils.set_random_seed calls random.seed, np.random.seed and
    # tf.random.set_seed, so only TensorFlow's own call is left to patch, once
    # TensorFlow is imported.
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        _shift_tf(tf, offset)
    else:
        quiet_tensorflow.after_import.append(lambda module: _shift_tf(module, offset))


def _shift_tf(tf, offset: int) -> None:
    from tensorflow.python.framework import random_seed

    if not getattr(random_seed.set_seed, "__tfopt_shifted__", False):
        shifted = _shifted(random_seed.set_seed, offset)
        random_seed.set_seed = shifted
        tf.random.set_seed = shifted
