"""End sphinx-gallery's worker processes once the gallery is built.

With ``parallel`` on, sphinx-gallery runs the examples in joblib's loky
workers, and loky keeps its workers for reuse until they have been idle for
five minutes. Each one has imported TensorFlow, Keras and matplotlib for the
examples (about 0.5 GiB), and nothing uses them again: the pages execute in
their own kernels. Left alone they would sit through the whole reading
phase, beside the readers and their kernels.
"""

from __future__ import annotations


def _end_gallery_workers(app) -> None:
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True, kill_workers=True)


def setup(app):
    # After sphinx-gallery's generate_gallery_rst (builder-inited, priority 500).
    app.connect("builder-inited", _end_gallery_workers, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
