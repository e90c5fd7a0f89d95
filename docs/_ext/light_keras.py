"""``import keras`` without the optional imports no page needs (a build-time speed-up).

At import, Keras 3.15 imports scikit-learn (for ``keras.wrappers``) and
``matplotlib.pyplot`` (for ``keras.visualization``) whenever they are
installed, and both are, for other reasons. No page or example uses either
Keras module, yet every process that imports Keras pays for both: about
1.5 s of a 4-6 s import on the build machine, in every notebook kernel.

:func:`install` is :func:`tfopt_docs._workers._light_keras.install` (the
cluster's worker processes use it too): imports of ``sklearn`` and
``matplotlib.pyplot`` made by Keras's module-level code get ``ImportError``,
and nothing else changes; a page that imports scikit-learn or pyplot itself
gets them as usual. In the build's processes ``keras.wrappers`` and
``keras.visualization`` then report them missing: a page that needs those
must drop this hook (``docs/_ext/build_environment.py``). Readers'
environments, and ``make check-downloads``, never have it.
"""

from __future__ import annotations


def install() -> None:
    """Hide scikit-learn and pyplot from Keras's import (a no-op once Keras is imported)."""
    try:
        from tfopt_docs._workers import _light_keras
    except ImportError:  # the package is not installed: nothing to speed up
        return
    _light_keras.install()
