"""Run code under Keras 2 (tf-keras) beside Keras 3, from one notebook.

Since TensorFlow 2.16, ``tf.keras`` is Keras 3. Keras 2 lives on as the
``tf_keras`` package, and TensorFlow hands it out as ``tf.keras`` only if the
environment variable ``TF_USE_LEGACY_KERAS=1`` is set before TensorFlow is
imported. One process therefore has one Keras: to show old code under both,
:class:`Keras2Worker` starts one Python process with that variable set, which
imports TensorFlow once and then runs snippets sent to it over pipes (no
socket), keeping their variables between snippets. It ends when its parent
closes the pipes or dies.

In a notebook, :func:`load_ipython_extension` (``%load_ext
tfopt_docs.legacy_keras``) adds two cell magics:

* ``%%tf_keras [ROW]`` runs the cell in the Keras 2 process and prints what
  it printed;
* ``%%side_by_side ROW`` runs the cell there and again in this kernel (Keras 3,
  in a namespace of its own), and prints both outputs under a heading each;
  ``%%side_by_side ROW --legacy`` first runs it a third time there, with each
  ``keras.optimizers.NAME`` replaced by ``keras.optimizers.legacy.NAME`` (the
  optimizers of TF 2.0 to 2.10, see :func:`as_legacy`).

What a snippet writes (``print``, Python warnings, ``logging`` and absl
records, C++ output on file descriptors 1 and 2) becomes output text, never
stderr; an exception ends the snippet and is shown as ``TypeName: message``.
Memory addresses and progress-bar timings are masked, so the text is the same
on every machine. Every result is kept under its ``ROW`` in :func:`results`.
Both magics run the Keras 2 side in the notebook's current folder (the worker
changes to it first), so that files one side writes with a relative path the
other reads with the same path. In the worker, ``tf`` (``import tensorflow as
tf``) is defined before the first snippet; nothing else is.

The worker needs ``tf_keras`` of the installed TensorFlow's version, installed
without its dependencies (it asks for ``tensorflow``, not ``tensorflow-cpu``)::

    pip install --no-deps tf_keras==2.21.0

:func:`run_source` is what both sides run; it needs no TensorFlow:

>>> result = run_source("x = 6 * 7\\nprint('x is', x)\\nx + 1", {})
>>> print(result.output, end="")
x is 42
43
>>> print(run_source("1 / 0", {}).error)
ZeroDivisionError: division by zero
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import logging
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from tfopt_docs._validation import check_real

__all__ = [
    "Keras2Worker",
    "Result",
    "as_legacy",
    "load_ipython_extension",
    "results",
    "run_source",
    "sanitize",
    "summary",
]

#: Set for the worker before it imports TensorFlow.
LEGACY_VARIABLE = "TF_USE_LEGACY_KERAS"
INSTALL_HINT = "pip install --no-deps tf_keras==<the TensorFlow version>"

#: Lines TensorFlow writes at import on machines where oneDNN is on (as docs/_ext/quiet_tensorflow.py).
_STARTUP_LINES = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} [\d:.]+ +\d+ port\.cc:\d+\] oneDNN custom operations are on\..*"
)
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_PROGRESS_LINE = re.compile(r"^.*(?:/step|ETA: ).*$", re.MULTILINE)
_DURATION = re.compile(r"\b\d+(?:\.\d+)?(?=(?:s|ms|us)\b)")
_SITE_PATH = re.compile(r"(?:/[^\s'\"():]+)*/(?:site|dist)-packages/")
_GRAPH_ERROR = re.compile(r"Graph execution error:.*?\n(?:.*\n)*?([^\n]*\S)\s*\n\s*\[\[\{\{node.*", re.DOTALL)
_VARIABLE_COUNTER = re.compile(r"(Optimizer variable \S+?)_\d+(?= has shape)")  # a per-process counter
_OP_SUFFIX = re.compile(r"\s*\[\[\{\{node [^}]*\}\}\]\]|\s*\[Op:[^\]]*\]")


def sanitize(text: str) -> str:
    """``text`` without what differs between machines and runs.

    Masks memory addresses, progress-bar step times and the folder of
    installed packages.

    >>> print(sanitize("<Nadam object at 0x7fa952a1f2d0>"))
    <Nadam object>
    >>> print(sanitize("1/1 [======] - 0s 262ms/step - loss: 0.5"))
    1/1 [======] - …s …ms/step - loss: 0.5
    >>> print(sanitize("see /opt/venv/lib/python3.11/site-packages/keras/x.py"))
    see …/keras/x.py
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, got {type(text).__name__}")
    text = _as_on_a_terminal(text)
    text = _ADDRESS.sub("", text)
    text = _SITE_PATH.sub("…/", text)
    return _PROGRESS_LINE.sub(lambda m: _DURATION.sub("…", m.group(0)), text)


def _as_on_a_terminal(text: str) -> str:
    """What a terminal shows of ``text``: a carriage return starts its line again, a backspace erases.

    >>> print(_as_on_a_terminal("1/2 [=>  ]\\r2/2 [====]\\nab\\bc"))
    2/2 [====]
    ac
    """
    lines = []
    for line in text.split("\n"):
        line = line.rstrip("\r").rsplit("\r", 1)[-1]
        kept: list[str] = []
        for char in line:
            if char == "\b":
                if kept:
                    kept.pop()
            else:
                kept.append(char)
        lines.append("".join(kept))
    return "\n".join(lines)


def _error_text(error: BaseException) -> str:
    """``TypeName: message``, the message cut to what names the problem (no graph traceback)."""
    message = str(error)
    match = _GRAPH_ERROR.search(message)
    if match:  # TensorFlow's graph errors quote the Python stack, with paths
        message = match.group(1).strip()
    elif message.startswith("in user code:"):  # an error while tracing: the stack, then the error
        message = [line.strip() for line in message.splitlines() if line.strip()][-1]
        message = message.removeprefix(f"{type(error).__name__}: ")
    message = _OP_SUFFIX.sub("", message).strip()
    message = _VARIABLE_COUNTER.sub(r"\1", message)
    return sanitize(f"{type(error).__name__}: {message}" if message else type(error).__name__)


@dataclass(frozen=True)
class Result:
    """What one snippet printed (``output``) and the exception that ended it (``error``), if any."""

    output: str
    error: str | None = None

    @property
    def text(self) -> str:
        """The output followed by the error line, as the magics print them."""
        lines = self.output + (self.error + "\n" if self.error else "")
        return lines

    @property
    def warned(self) -> bool:
        """Whether the snippet logged a warning (a Python warning or a ``WARNING`` record)."""
        return bool(re.search(r"^(?:\w*Warning: |WARNING:)", self.output, re.MULTILINE))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # As Python prints it, without the file name and line (they name this machine's folders).
    (file or sys.stderr).write(f"{category.__name__}: {message}\n")


@contextlib.contextmanager
def _captured():
    """Send everything written (Python streams, logging, warnings, file descriptors 1 and 2) to one file."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved_fds = [os.dup(1), os.dup(2)]
        text = io.TextIOWrapper(
            os.fdopen(os.dup(sink.fileno()), "wb", buffering=0),
            encoding="utf-8",
            errors="replace",
            line_buffering=True,
            write_through=True,
        )
        old_streams = (sys.stdout, sys.stderr)
        # Handlers that write to the process's streams write here meanwhile.
        handlers = []
        loggers = [
            logging.getLogger(),
            *(x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger)),
        ]
        for logger in loggers:
            for handler in logger.handlers:
                if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) in (
                    *old_streams,
                    sys.__stdout__,
                    sys.__stderr__,
                ):
                    handlers.append((handler, handler.setStream(text)))
        chunks: list[str] = []
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            sys.stdout = sys.stderr = text
            with warnings.catch_warnings():
                warnings.simplefilter("default")
                for quiet in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                    warnings.simplefilter("ignore", quiet)
                warnings.showwarning = _show_warning
                yield chunks
        finally:
            text.flush()
            sys.stdout, sys.stderr = old_streams
            for handler, stream in handlers:
                handler.setStream(stream)
            for item in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
                for handler in getattr(item, "handlers", ()):  # created meanwhile, on this capture
                    if isinstance(handler, logging.StreamHandler) and handler.stream is text:
                        handler.setStream(old_streams[1])
            os.dup2(saved_fds[0], 1)
            os.dup2(saved_fds[1], 2)
            for fd in saved_fds:
                os.close(fd)
            text.close()
            sink.seek(0)
            chunks.append(sink.read().decode("utf-8", errors="replace"))


def run_source(source: str, namespace: dict, filename: str = "<snippet>") -> Result:
    """Run ``source`` in ``namespace`` and return what it printed and how it ended.

    As in a notebook cell, the value of a last line that is an expression is
    printed (its ``repr``) unless it is ``None``.

    Args:
        source: Python code.
        namespace: the globals it runs in (kept: later snippets see its names).
        filename: the name its code objects get.

    Raises:
        TypeError: if an argument has the wrong type.
    """
    if not isinstance(source, str):
        raise TypeError(f"`source` must be a str, got {type(source).__name__}")
    if not isinstance(namespace, dict):
        raise TypeError(f"`namespace` must be a dict, got {type(namespace).__name__}")
    if not isinstance(filename, str):
        raise TypeError(f"`filename` must be a str, got {type(filename).__name__}")
    namespace.setdefault("__name__", "__main__")
    error = None
    with _captured() as chunks:
        try:
            tree = ast.parse(source, filename)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            assert last is None or isinstance(last, ast.Expr)
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
                if value is not None:
                    print(repr(value))
        except Exception as exc:  # shown as the snippet's result, as the article's reader would see it
            error = _error_text(exc)
    return Result(output=sanitize(chunks[0]), error=error)


def summary(result: Result, *, value: bool = False, says: str | None = None) -> str:
    """A table cell (Markdown) for ``result``: ✗ and the error's type, or ✓, then what it means, then any warning.

    Args:
        result: what a snippet did.
        value: also show the last line it printed, as code.
        says: what the outcome means, in words; ``{last}`` in it stands for the
            last line printed (a float with its float32 digits).

    >>> print(summary(Result("", "ValueError: Argument(s) not recognized")))
    ✗ `ValueError`
    >>> print(summary(Result("WARNING:absl:`lr` is deprecated\\n0.009999999776482582\\n"), value=True))
    ✓ `0.01` (⚠ `WARNING:absl`)
    >>> print(summary(Result("0.009999999776482582\\n"), says="runs; `lr` ignored, rate {last} (default)"))
    ✓ runs; `lr` ignored, rate 0.01 (default)
    """
    if not isinstance(result, Result):
        raise TypeError(f"`result` must be a Result, got {type(result).__name__}")
    if says is not None and not isinstance(says, str):
        raise TypeError(f"`says` must be a str or None, got {type(says).__name__}")
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    with contextlib.suppress(ValueError):
        last = f"{float(last):.6g}"  # a float32 printed as a double: its float32 digits
    if says is not None and "{last}" in says and not lines:
        raise ValueError("`says` shows {last} but the snippet printed nothing")
    meaning = says.replace("{last}", last) if says is not None else None
    if result.error is not None:
        return " ".join(part for part in ("✗", f"`{result.error.split(':', 1)[0]}`", meaning) if part)
    parts = ["✓"]
    if value:
        if not lines:
            raise ValueError("`value=True` but the snippet printed nothing")
        parts.append(f"`{last}`")
    if meaning:
        parts.append(meaning)
    kinds = re.findall(r"^(\w*Warning)(?=: )|^(WARNING:absl)", result.output, re.MULTILINE)
    warned = [f"⚠ `{kind}`" for kind in dict.fromkeys(a or b for a, b in kinds)]
    if warned:
        parts.append(f"({', '.join(warned)})")
    return " ".join(parts)


_OPTIMIZER_NAMES = "Adadelta|Adafactor|Adagrad|Adam|AdamW|Adamax|Ftrl|Nadam|Optimizer|RMSprop|SGD"


def as_legacy(source: str) -> str:
    """``source`` with each ``keras.optimizers.NAME`` made ``keras.optimizers.legacy.NAME``.

    Under Keras 2 (tf_keras), ``tf.keras.optimizers.legacy`` holds the
    optimizers of TensorFlow 2.0 to 2.10 (``OptimizerV2``).

    >>> print(as_legacy("opt = tf.keras.optimizers.SGD(lr=0.1)  # keras.optimizers.schedules stays"))
    opt = tf.keras.optimizers.legacy.SGD(lr=0.1)  # keras.optimizers.schedules stays
    """
    if not isinstance(source, str):
        raise TypeError(f"`source` must be a str, got {type(source).__name__}")
    return re.sub(rf"\b(keras\.optimizers\.)(?=(?:{_OPTIMIZER_NAMES})\b)", r"\1legacy.", source)


# --- the worker process -------------------------------------------------------------


def _serve() -> None:  # pragma: no cover - runs in the child; tests/test_legacy_keras.py drives it
    """The worker's loop: one JSON request per line on stdin, one JSON reply per line on the protocol fd."""
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # only the replies reach the pipe; snippets write into their own capture
    os.close(devnull)
    _die_with_parent()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    startup = os.environ.get("PYTHONSTARTUP")  # as an interactive interpreter (and the kernel) would
    prelude = "import os\nimport tensorflow as tf\nimport tf_keras\n"
    if startup and os.path.isfile(startup):
        prelude = (
            f"import sys as _s\n_s.path.insert(0, {os.path.dirname(startup)!r})\n"
            f"exec(compile(open({startup!r}).read(), {startup!r}, 'exec'))\ndel _s\n"
        ) + prelude
    ready = run_source(prelude, namespace, "<start-up>")
    output = "".join(
        line for line in ready.output.splitlines(keepends=True) if not _STARTUP_LINES.fullmatch(line.rstrip("\n"))
    )
    tf = namespace.get("tf")
    if ready.error is None and tf is not None and not tf.keras.__name__.startswith("tf_keras"):
        ready = Result(output, f"RuntimeError: tf.keras is {tf.keras.__name__}, not tf_keras")
    versions = {}
    if ready.error is None:
        versions = {"tensorflow": tf.__version__, "tf_keras": namespace["tf_keras"].__version__}  # type: ignore[union-attr]
    for name in ("os", "tf_keras"):
        namespace.pop(name, None)
    reply.write(
        json.dumps({"ready": ready.error is None, "error": ready.error, "output": output, "versions": versions}) + "\n"
    )
    for count, line in enumerate(sys.stdin, start=1):
        request = json.loads(line)
        if request.get("cwd"):
            try:
                os.chdir(request["cwd"])
            except OSError as exc:
                reply.write(json.dumps({"output": "", "error": _error_text(exc)}) + "\n")
                continue
        result = run_source(request["source"], namespace, f"<tf_keras snippet {count}>")
        reply.write(json.dumps({"output": result.output, "error": result.error}) + "\n")


def _die_with_parent() -> None:  # pragma: no cover - child side
    """On Linux, have the kernel send SIGTERM to this process when its parent dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:
                os._exit(1)


class Keras2Worker:
    """One Python process in which ``tf.keras`` is Keras 2 (tf-keras), fed snippets over pipes.

    Args:
        timeout: seconds to wait for the start-up and for each snippet.

    Raises:
        TypeError: if ``timeout`` is not a number.
        ValueError: if ``timeout`` is not positive.

    The process starts at once (its TensorFlow import runs while the caller
    goes on) and ends with :meth:`close`, at exit, or when this process dies.
    """

    def __init__(self, *, timeout: float = 300.0) -> None:
        self.timeout = check_real("timeout", timeout, low=0.0, low_open=True)
        env = {**os.environ, LEGACY_VARIABLE: "1", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self._stderr = tempfile.TemporaryFile()
        self._process: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-c", "from tfopt_docs.legacy_keras import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            close_fds=True,
        )
        self._lock = threading.Lock()
        self._started: dict | None = None
        self.versions: dict[str, str] = {}

    @property
    def alive(self) -> bool:
        """Whether the process is running."""
        return self._process is not None and self._process.poll() is None

    def _read_reply(self) -> dict:
        process = self._process
        assert process is not None and process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], self.timeout)
        if not ready:
            self.close()
            raise TimeoutError(f"the Keras 2 worker gave no answer within {self.timeout:g} s")
        line = process.stdout.readline()
        if not line:
            process.wait()
            self._stderr.seek(0)
            tail = self._stderr.read().decode("utf-8", errors="replace")[-2000:]
            self.close()
            raise RuntimeError(f"the Keras 2 worker ended (exit status {process.returncode}):\n{tail}")
        return json.loads(line)

    def start(self) -> str:
        """Wait for the start-up; return what it printed.

        Raises:
            RuntimeError: if tf_keras cannot be imported or the process died.
        """
        with self._lock:
            if self._started is None:
                if self._process is None:
                    raise RuntimeError("the Keras 2 worker is closed")
                self._started = self._read_reply()
                if not self._started["ready"]:
                    self.close()
                    raise RuntimeError(
                        f"Keras 2 is not available ({self._started['error']}); install it with `{INSTALL_HINT}`"
                    )
                self.versions = self._started["versions"]
            return self._started["output"]

    def run(self, source: str, *, cwd: str | os.PathLike | None = None) -> Result:
        """Run ``source`` in the worker (names persist between calls) and return its :class:`Result`.

        Args:
            source: Python code.
            cwd: a folder to change to first (the worker stays there afterwards);
                ``None`` keeps its current folder.

        Raises:
            TypeError: if ``source`` is not a str or ``cwd`` not a path.
            RuntimeError: if the worker is closed or died.
            TimeoutError: if the snippet takes longer than ``timeout`` (the worker is then ended).
        """
        if not isinstance(source, str):
            raise TypeError(f"`source` must be a str, got {type(source).__name__}")
        if cwd is not None and not isinstance(cwd, (str, os.PathLike)):
            raise TypeError(f"`cwd` must be a path or None, got {type(cwd).__name__}")
        request = {"source": source, "cwd": os.path.abspath(cwd) if cwd is not None else None}
        startup_output = self.start()
        with self._lock:
            process = self._process
            if process is None or process.stdin is None:
                raise RuntimeError("the Keras 2 worker is closed")
            try:
                process.stdin.write((json.dumps(request) + "\n").encode())
                process.stdin.flush()
            except BrokenPipeError:
                pass  # the reply read below reports how it ended
            reply = self._read_reply()
        if startup_output and self._started is not None:
            self._started["output"] = ""  # shown once, with the first snippet
        return Result(output=startup_output + reply["output"], error=reply["error"])

    def close(self) -> None:
        """End the process (closing its stdin ends its loop; it is killed if it does not exit)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(Exception):
            assert process.stdin is not None
            process.stdin.close()
        if self._started is None:  # still starting (importing TensorFlow): nothing to finish
            process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> Keras2Worker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


# --- the notebook magics ------------------------------------------------------------

_WORKER: Keras2Worker | None = None
_RESULTS: dict[str, dict[str, Result]] = {}
_KERAS3_NAMESPACE: dict[str, Any] = {"__name__": "__main__"}


def worker() -> Keras2Worker:
    """The notebook's one Keras 2 worker (started on first use)."""
    global _WORKER
    if _WORKER is None or _WORKER._process is None:  # none yet, or closed (a dead one reports its end)
        import atexit

        _WORKER = Keras2Worker()
        atexit.register(_WORKER.close)
    return _WORKER


def results() -> dict[str, dict[str, Result]]:
    """Every result the magics recorded: ``results()[row]["keras2"]`` and ``["keras3"]``."""
    return _RESULTS


def _row(line: str) -> str:
    row = line.strip()
    if row and not re.fullmatch(r"[\w.-]+", row):
        raise ValueError(f"the row name must be letters, digits, '_', '-' or '.', got {row!r}")
    return row


def _indent(text: str) -> str:
    return "".join(f"  {line}" for line in text.splitlines(keepends=True)) if text else "  (no output)\n"


def tf_keras_magic(line: str, cell: str) -> None:
    """``%%tf_keras [ROW]``: run the cell under Keras 2, in the current folder, and print what it printed."""
    row = _row(line)
    result = worker().run(cell, cwd=os.getcwd())
    if row:
        _RESULTS.setdefault(row, {})["keras2"] = result
    sys.stdout.write(result.text)


def side_by_side_magic(line: str, cell: str) -> None:
    """``%%side_by_side ROW [--legacy]``: run the cell under Keras 2 (worker) and Keras 3 (here); print both.

    With ``--legacy``, first also under Keras 2 with the legacy optimizers (:func:`as_legacy`).
    """
    words = line.split()
    legacy = "--legacy" in words
    row = _row(" ".join(w for w in words if w != "--legacy"))
    if not row:
        raise ValueError("%%side_by_side needs a row name, e.g. `%%side_by_side lr`")
    versions_text = ""
    recorded: dict[str, Result] = {}
    if legacy:
        recorded["legacy"] = worker().run(as_legacy(cell), cwd=os.getcwd())
    recorded["keras2"] = worker().run(cell, cwd=os.getcwd())
    recorded["keras3"] = run_source(cell, _KERAS3_NAMESPACE, f"<keras 3 snippet {row}>")
    _RESULTS[row] = recorded
    import keras

    tf_keras_version = worker().versions.get("tf_keras", "?")
    if legacy:
        versions_text += (
            f"Keras 2 (tf_keras {tf_keras_version}), optimizers.legacy, as TF 2.0–2.10:\n"
            f"{_indent(recorded['legacy'].text)}"
        )
    sys.stdout.write(
        versions_text
        + f"Keras 2 (tf_keras {tf_keras_version}){', default optimizers, as TF 2.11–2.15' if legacy else ''}:\n"
        f"{_indent(recorded['keras2'].text)}"
        f"Keras 3 (keras {keras.__version__}):\n{_indent(recorded['keras3'].text)}"
    )


def load_ipython_extension(ipython) -> None:
    """Register ``%%tf_keras`` and ``%%side_by_side`` and start the Keras 2 worker."""
    ipython.register_magic_function(tf_keras_magic, magic_kind="cell", magic_name="tf_keras")
    ipython.register_magic_function(side_by_side_magic, magic_kind="cell", magic_name="side_by_side")
    worker()


def unload_ipython_extension(ipython) -> None:
    """End the worker."""
    global _WORKER
    if _WORKER is not None:
        _WORKER.close()
        _WORKER = None
