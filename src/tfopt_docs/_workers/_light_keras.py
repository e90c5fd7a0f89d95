"""``import keras`` without the optional imports that no worker or page uses.

At import, Keras 3.15 imports scikit-learn (for ``keras.wrappers``, its
scikit-learn estimators) and ``matplotlib.pyplot`` (for
``keras.visualization``) whenever they are installed. A worker process never
uses either, yet pays for both at every start: about a third of its
``import keras`` on a laptop CPU, and a cluster run starts one process per
worker, several times on a page. The build's notebook kernels use it too
(``docs/_ext/light_keras.py``).

:func:`install` puts a finder on ``sys.meta_path`` that answers
``ImportError`` to an import of ``sklearn`` or ``matplotlib.pyplot`` made by
the module-level code of a ``keras/src`` module (Keras's own
``try: import sklearn / except ImportError``), and to nothing else: code that
imports scikit-learn or pyplot itself, or a Keras function that imports them
when called, gets them as usual. Only ``keras.wrappers.SKLearnClassifier``
and friends and ``keras.visualization`` then report scikit-learn or
matplotlib as missing.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from types import FrameType

#: Imports answered with ImportError when Keras's module-level code makes them.
HIDDEN = ("sklearn", "matplotlib.pyplot")
_KERAS_SOURCE = f"{os.sep}keras{os.sep}src{os.sep}"


def _from_keras_module_code() -> bool:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "<module>" and _KERAS_SOURCE in code.co_filename:
            return True
        frame = frame.f_back
    return False


class _HideFromKerasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if (name in HIDDEN or name.startswith("sklearn.")) and _from_keras_module_code():
            raise ImportError(f"{name} is hidden from Keras's import (tfopt_docs._workers._light_keras)", name=name)
        return None


def install() -> None:
    """Hide :data:`HIDDEN` from Keras's import (a no-op once Keras is imported)."""
    if "keras" in sys.modules or any(isinstance(f, _HideFromKerasFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _HideFromKerasFinder())
