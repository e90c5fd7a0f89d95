"""Notebook kernels forked from a process that has already imported TensorFlow.

Every executed page starts a kernel, and every kernel then imports
TensorFlow and Keras: about 4 s of CPU, on each of the site's pages, for
the same modules. A *fork server* pays it once per build. This Sphinx
extension starts one (``python kernel_forkserver.py SOCKET``) and tells the
build's kernels where it listens (:data:`ADDRESS_VARIABLE`). Each kernel's
``launch.py`` (``docs/_ext/jupyter/kernels/python3``) asks it for a kernel;
the server imports :data:`PRELOADED` on the first request, then forks a
child per request, which becomes that page's ipykernel in ``launch.py``'s
folder, environment, arguments and standard streams. ``launch.py`` stays
the process Jupyter manages: it passes on interrupts and terminations and
ends when the kernel ends; the kernel ends when ``launch.py`` does. A bad
request does not end the server, and the build's log says which kernels
crashed or exited with an error.

A forked kernel is a fresh kernel: the server only imports modules (no
TensorFlow op has run, no thread but the main one exists in Python, which
the server checks before each fork), and the child draws new random
states, as a new process would. The server refuses (and ``launch.py`` then
starts a kernel the usual way) when the requested environment differs
from its own in anything but Jupyter's per-kernel variables, since
TensorFlow reads some of them at import (``TF_ENABLE_ONEDNN_OPTS``...).
Downloaded notebooks, ``make check-downloads`` and readers' Jupyter never
use it.

The worker processes of ``tfopt_docs.cluster.run_workers`` (``python -m
MODULE``, each importing TensorFlow too) are forked the same way: in the
build's kernels, :func:`popen` starts them, through a small stand-in
(``python kernel_forkserver.py --run-module MODULE ...``) that is the
process ``run_workers`` manages and exits with the worker's status. Their
environment may differ from their kernel's in :data:`READ_AFTER_IMPORT` and
:data:`KERNEL_SHELL`.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The server's socket, for ``launch.py``; unset, kernels start the usual way.
ADDRESS_VARIABLE = "TFOPT_KERNEL_FORKSERVER"
#: What every page imports, imported once in the server (Keras imports matplotlib's core).
PRELOADED = ("tensorflow", "keras", "ipykernel.kernelapp")
#: Variables jupyter_client sets for each kernel: they may differ from the server's.
PER_KERNEL = ("JPY_PARENT_PID", "JPY_SESSION_NAME")
#: What a cluster worker's environment adds to its kernel's, read after the imports (by the
#: strategy, the worker, and here: PYTHONUNBUFFERED is applied to the child's streams).
READ_AFTER_IMPORT = ("TF_CONFIG", "TFOPT_FAIL_AT", "PYTHONUNBUFFERED")
#: What ipykernel sets for its own shell (colours, pagers, the inline backend, its debugger's
#: options): a worker started from a kernel has them, and reads none.
KERNEL_SHELL = (
    *("TERM", "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "PAGER", "GIT_PAGER"),
    *("MPLBACKEND", "PYDEVD_USE_FRAME_EVAL"),
)
MESSAGE_SIZE = 1 << 20


# --- in launch.py: ask for a kernel -----------------------------------------------------------


def kernel_from_server(address: str, argv: list[str]) -> bool:
    """Have the server at ``address`` fork a kernel with ``argv``; wait until it ends.

    Returns False, having started nothing, if there is no server there or it
    refuses; the caller then starts a kernel itself.
    """
    return _from_server(address, {"argv": argv}) is not None


def _from_server(address: str, request: dict) -> int | None:
    """Have the server fork the child ``request`` asks for, with this process's folder,
    environment, cores and standard streams; stand for it until it ends.

    Returns a module's exit status (negative for a signal; 1 if the server did not
    send it), 0 for a kernel, None if nothing was started.
    """
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    request = {**request, "cwd": os.getcwd(), "env": dict(os.environ), "cores": sorted(os.sched_getaffinity(0))}
    try:
        connection.connect(address)
        socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
        reply = json.loads(connection.recv(MESSAGE_SIZE) or b"{}")
    except OSError:
        return None
    if "pid" not in reply:
        return None
    pid = reply["pid"]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: _signal(pid, signum))
    parent = os.getppid()
    connection.settimeout(1.0)
    while True:  # until the child's end closes (or the server sends its status), or our starter is gone
        try:
            message = connection.recv(MESSAGE_SIZE)
        except TimeoutError:
            if os.getppid() != parent:
                _signal(pid, signal.SIGKILL)
                return 0
            continue
        if not message:  # the server is gone: a kernel's end, or a module's unknown status
            return 1 if "module" in request else 0
        if b"status" in message:
            return json.loads(message)["status"]


def module_from_server(address: str, argv: list[str]) -> None:
    """``python -m argv[0] argv[1:]``, forked from the server if it accepts; exits with its status."""
    status = _from_server(address, {"module": argv[0], "argv": argv[1:]})
    if status is None:  # no server, or it refuses: the usual way
        os.execv(sys.executable, [sys.executable, "-m", *argv])
    if status < 0:  # ended by a signal: so does this process, for its parent to see
        with contextlib.suppress(OSError):  # SIGKILL has no handler to reset
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    os._exit(status)


def popen(command, **kwargs) -> subprocess.Popen:
    """``subprocess.Popen``, but ``[sys.executable, "-m", MODULE, ...]`` is forked from the
    build's server (through :func:`module_from_server`) when there is one."""
    env = kwargs.get("env") or os.environ
    if env.get(ADDRESS_VARIABLE) and list(command[:2]) == [sys.executable, "-m"]:
        command = [sys.executable, __file__, "--run-module", *command[2:]]
    return subprocess.Popen(command, **kwargs)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
    if signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGKILL):
        os._exit(0)


# --- the server ----------------------------------------------------------------------------


def serve(address: str, owner: int) -> None:
    """Answer requests for kernels and modules on ``address`` until process ``owner``, which
    started this one, ends."""
    # First of the exit handlers, so it runs last: a kernel's exit skips only the
    # interpreter's module teardown (as launch.py's does; over a second with TensorFlow).
    atexit.register(os._exit, 0)
    sys.path.insert(0, str(HERE))
    import build_environment

    build_environment.configure_kernel()
    startup_env = dict(os.environ)  # the imports add variables of their own (TF2_BEHAVIOR...)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(address)
    listener.listen(8)
    waiting: dict[int, socket.socket] = {}  # module children's stand-ins, by the child's pid
    while os.getppid() == owner:
        _report_ended_children(waiting)
        # Short: a module's stand-in waits for its exit status, sent when the child is reaped.
        readable, _, _ = select.select([listener, *waiting.values()], [], [], 0.05)
        for pid, connection in list(waiting.items()):
            if connection in readable:  # its stand-in ended (killed, as run_workers does): so does the child
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                waiting.pop(pid).close()
        if listener not in readable:
            continue
        connection, _ = listener.accept()
        try:
            pid = _answer(connection, listener, startup_env, waiting)
        except (OSError, ValueError, KeyError) as error:  # one bad request must not end the server
            print(f"kernel_forkserver: a request failed: {error!r}", file=sys.stderr, flush=True)
            pid = None
        if pid is None:
            connection.close()
        else:
            waiting[pid] = connection


def _answer(
    connection: socket.socket, listener: socket.socket, startup_env: dict[str, str], waiting: dict[int, socket.socket]
) -> int | None:
    """Fork the kernel or module ``connection`` asks for, or refuse; the pid of a module's child."""
    connection.settimeout(None)
    message, fds, _, _ = socket.recv_fds(connection, MESSAGE_SIZE, 3)
    try:
        request = json.loads(message)
        for name in PRELOADED:  # on the first request; then already imported
            __import__(name)
        refusal = _refusal(request, startup_env)
        if refusal:  # said in the build's log: every kernel refused would mean a slow build
            child = "a worker" if "module" in request else "a kernel"
            print(f"kernel_forkserver: {child} starts the usual way ({refusal})", file=sys.stderr, flush=True)
            connection.send(json.dumps({"refused": refusal}).encode())
            return None
        pid = os.fork()
        if pid == 0:
            for other in (listener, *waiting.values()):  # the server's, not the child's
                other.close()
            imported_env = {k: v for k, v in os.environ.items() if startup_env.get(k) != v}
            env = {**request["env"], **imported_env}
            if "module" in request:
                _run_module(request, env, fds, connection)
            else:
                _become_kernel(request, env, fds, connection)
        connection.send(json.dumps({"pid": pid}).encode())
        return pid if "module" in request else None
    finally:
        for fd in fds:
            os.close(fd)


def _report_ended_children(waiting: dict[int, socket.socket]) -> None:
    """Reap the children that ended: send a module's status to its stand-in; say in the
    build's log which kernels crashed."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in waiting:
            with waiting.pop(pid) as connection, contextlib.suppress(OSError):  # the stand-in may be gone
                connection.send(json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode())
            continue
        # Jupyter ends a kernel that is slow to shut down with SIGTERM, then SIGKILL.
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) not in (signal.SIGTERM, signal.SIGKILL):
            print(f"kernel_forkserver: kernel {pid} ended by signal {os.WTERMSIG(status)}", file=sys.stderr, flush=True)


def _refusal(request: dict, startup_env: dict[str, str]) -> str | None:
    """Why the kernel or module ``request`` asks for must not be forked from this process
    (None: it may)."""
    differing = _differing_environment(request, startup_env)
    if differing:
        return "environment differs: " + ", ".join(differing)
    if request["cores"] != sorted(os.sched_getaffinity(0)):
        # (make check-robust pins pages to one core; libraries size thread pools at import)
        return "CPU affinity differs"
    if threading.active_count() > 1:
        return "the server runs threads"
    from tensorflow.python.eager import context

    if context.context()._context_handle is not None:
        return "TensorFlow's context is initialized"
    return None


def _differing_environment(request: dict, startup_env: dict[str, str]) -> list[str]:
    """The variables in which ``request``'s environment differs from what it may be."""
    env = request["env"]
    # A kernel's environment is the one this server started with; a module is started from
    # a kernel, which also has what this server's imports added (os.environ now).
    expected, ignored = startup_env, set(PER_KERNEL)
    if "module" in request:
        expected, ignored = dict(os.environ), ignored | set(READ_AFTER_IMPORT) | set(KERNEL_SHELL)
    names = (env.keys() | expected.keys()) - ignored
    return sorted(name for name in names if env.get(name) != expected.get(name))


def _become_kernel(request: dict, env: dict[str, str], fds: list[int], connection: socket.socket) -> None:
    """In the forked child: become the kernel ``launch.py`` asked for, then exit. Never
    returns into the server's loop."""
    try:
        _become_child(request, env, fds, connection)
        # No parent poller: the kernel's parent is the server, and its life is tied to
        # launch.py's by the connection. (ipykernel polls no parent whose pid is 1.)
        sys.argv = [str(HERE / "jupyter" / "kernels" / "python3" / "launch.py"), *request["argv"]]
        sys.argv.append("--IPKernelApp.parent_handle=1")
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as end:
        if end.code not in (None, 0):  # the exit status is lost below (os._exit(0)): say it
            print(f"kernel_forkserver: kernel {os.getpid()} exited with {end.code!r}", file=sys.stderr, flush=True)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        # End as a kernel started by launch.py ends: every exit handler runs, the last
        # being os._exit(0), the server's first (no module teardown).
        atexit._run_exitfuncs()
        os._exit(1)  # only if an exit handler removed that one


def _become_child(request: dict, env: dict[str, str], fds: list[int], connection: socket.socket) -> None:
    """In a forked child: take the requester's streams, folder, environment; new random
    states; end when the requester's end of ``connection`` closes (it ended or was killed)."""
    os.setsid()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(env)
    sys.path.remove(str(HERE))
    _draw_new_random_states()
    threading.Thread(target=lambda: (connection.recv(1), os._exit(1)), daemon=True).start()


def _run_module(request: dict, env: dict[str, str], fds: list[int], connection: socket.socket) -> None:
    """In the forked child: ``python -m MODULE ARGS`` as the stand-in asked, then exit with
    its status (the server sends it to the stand-in). Never returns into the server's loop."""
    status = 1
    try:
        _become_child(request, env, fds, connection)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # KeyboardInterrupt, as in python
        if env.get("PYTHONUNBUFFERED"):  # as python does: no buffer under the text layer
            for name in ("stdout", "stderr"):
                stream = getattr(sys, name)
                raw = io.FileIO(stream.fileno(), "w", closefd=False)
                setattr(sys, name, io.TextIOWrapper(raw, stream.encoding, stream.errors, write_through=True))
        sys.path[0] = os.getcwd()  # where python -m puts it (here: the server's own folder)
        sys.argv = [request["module"], *request["argv"]]  # runpy puts the module's path first
        import runpy

        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as end:
        status = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
        if not isinstance(end.code, int | None):
            print(end.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        atexit.unregister(os._exit)  # the server's: it would exit with 0
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)


def finish_in_shell() -> None:
    """In a forked kernel's shell (``kernel_startup.py``), what the server's imports
    would have done had they run here, in IPython, after ipykernel set ``MPLBACKEND``.
    A no-op in a kernel not forked."""
    if "tensorflow" not in sys.modules:  # not imported before the first cell: not forked
        return
    # TensorFlow sends tf.print to the cell's output when it finds IPython at import.
    from tensorflow.python.ops import logging_ops

    logging_ops.enable_interactive_logging()
    # Keras imports matplotlib, which reads MPLBACKEND at import (for the inline backend).
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None and os.environ.get("MPLBACKEND"):
        matplotlib.rcParams["backend"] = os.environ["MPLBACKEND"]
    # The cluster's workers import TensorFlow too: fork them from the server as well.
    from tfopt_docs import cluster

    cluster.start_process = popen


def _draw_new_random_states() -> None:
    """Seed what a new process seeds from the system, as the server's state is every child's."""
    import random

    import numpy as np

    random.seed()
    np.random.seed()


# --- in Sphinx: start the server, end it with the build -------------------------------------


class ForkServer:
    """A fork server for kernels started with this process's environment, which
    names it (:data:`ADDRESS_VARIABLE`); :meth:`stop` ends it, and so does this
    process's exit."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="tfopt-kernels-")
        self.address = str(Path(self.folder.name) / "forkserver")
        # Set first: the server's environment is then the kernels' own, os.environ
        # (which Jupyter passes them), not the C library's (which readline changes).
        os.environ[ADDRESS_VARIABLE] = self.address
        self.process = subprocess.Popen(
            [sys.executable, __file__, self.address, str(os.getpid())], stdin=subprocess.DEVNULL, env=dict(os.environ)
        )
        self.owner = os.getpid()
        atexit.register(self.stop)

    def stop(self) -> None:
        if os.getpid() != self.owner or self.process.poll() is not None:
            return  # a forked Sphinx reader, or already ended
        if os.environ.get(ADDRESS_VARIABLE) == self.address:
            del os.environ[ADDRESS_VARIABLE]
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.folder.cleanup()


_server: ForkServer | None = None


def _start(app) -> None:
    global _server
    if app.config.nb_execution_mode != "off" and sys.platform == "linux":
        _server = ForkServer()


def _stop(app, exception) -> None:
    if _server is not None:
        _server.stop()


def setup(app):
    app.connect("builder-inited", _start)
    app.connect("build-finished", _stop)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if sys.argv[1] == "--run-module":  # a cluster worker's stand-in (popen)
        module_from_server(os.environ.get(ADDRESS_VARIABLE, ""), sys.argv[2:])
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    serve(sys.argv[1], int(sys.argv[2]))
