"""Drop TensorFlow's unconditional start-up lines, keep every other message.

On CPUs where TensorFlow turns oneDNN on by default (recent Intel), or with
``TF_ENABLE_ONEDNN_OPTS=1``, ``import tensorflow`` writes two lines straight
to file descriptor 2, whatever ``TF_CPP_MIN_LOG_LEVEL`` says::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:... port.cc:153] oneDNN custom operations are on. ...

They are no warning about the code, but a notebook kernel captures them as
the stderr of the cell that imports TensorFlow, and the build fails on any
stderr in a cell. :func:`install` puts a finder on ``sys.meta_path`` that
wraps the first ``import tensorflow``: while it runs, file descriptor 2
points at a temporary file; afterwards every line of it that is not one of
the known start-up lines is written to stderr again, where it fails the
build as before. Nothing else is touched, and nothing is paid until
TensorFlow is imported.

The build installs it in the Sphinx process (gallery examples run there)
and in every notebook kernel (``kernel_startup.py``, run as the kernels'
``PYTHONSTARTUP``).
"""

from __future__ import annotations

import copy
import importlib
import importlib.abc
import os
import re
import sys
import tempfile

#: Lines TensorFlow writes at import on every machine where oneDNN is on.
STARTUP_LINES = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} [\d:.]+ +\d+ port\.cc:\d+\] oneDNN custom operations are on\..*"
)


#: Called with the module once the first ``import tensorflow`` has run.
after_import: list = []


def without_startup_lines(text: str) -> str:
    """``text`` without the lines that :data:`STARTUP_LINES` matches."""
    kept = [line for line in text.splitlines(keepends=True) if not STARTUP_LINES.fullmatch(line.rstrip("\n"))]
    return "".join(kept)


class _AlreadyImported(importlib.abc.Loader):
    """Hands the import machinery the module the finder has just imported."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once is enough, and the inner import must not come back here
        module = import_quietly("tensorflow")
        for hook in after_import:
            hook(module)
        spec = copy.copy(module.__spec__)  # its origin and search path, with a loader that loads nothing
        spec.loader = _AlreadyImported(module)
        return spec


def import_quietly(name: str):
    """Import ``name`` with its start-up lines on file descriptor 2 filtered out."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            module = importlib.import_module(name)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        rest = without_startup_lines(captured.read().decode("utf-8", errors="replace"))
    if rest:
        sys.stderr.write(rest)
        sys.stderr.flush()
    return module


def install() -> None:
    """Filter the first ``import tensorflow`` (a no-op once it is imported)."""
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())
