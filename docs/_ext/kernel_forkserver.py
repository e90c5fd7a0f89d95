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
"""

from __future__ import annotations

import atexit
import json
import os
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
MESSAGE_SIZE = 1 << 20


# --- in launch.py: ask for a kernel -----------------------------------------------------------


def kernel_from_server(address: str, argv: list[str]) -> bool:
    """Have the server at ``address`` fork a kernel with ``argv``; wait until it ends.

    Returns False, having started nothing, if there is no server there or it
    refuses; the caller then starts a kernel itself.
    """
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        connection.connect(address)
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "cores": sorted(os.sched_getaffinity(0))}
        socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
        reply = json.loads(connection.recv(MESSAGE_SIZE) or b"{}")
    except OSError:
        return False
    if "pid" not in reply:
        return False
    pid = reply["pid"]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: _signal(pid, signum))
    parent = os.getppid()
    connection.settimeout(1.0)
    while True:  # until the kernel closes its end, or whoever started us is gone
        try:
            if not connection.recv(1):
                return True
        except TimeoutError:
            if os.getppid() != parent:
                _signal(pid, signal.SIGKILL)
                return True


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
    if signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGKILL):
        os._exit(0)


# --- the server ----------------------------------------------------------------------------


def serve(address: str, owner: int) -> None:
    """Answer kernel requests on ``address`` until process ``owner``, which started this one, ends."""
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
    listener.settimeout(1.0)
    while os.getppid() == owner:
        _report_ended_kernels()
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        with connection:
            try:
                _answer(connection, listener, startup_env)
            except (OSError, ValueError, KeyError) as error:  # one bad request must not end the server
                print(f"kernel_forkserver: a request failed: {error!r}", file=sys.stderr, flush=True)


def _answer(connection: socket.socket, listener: socket.socket, startup_env: dict[str, str]) -> None:
    """Fork the kernel ``connection`` asks for, or refuse."""
    connection.settimeout(None)
    message, fds, _, _ = socket.recv_fds(connection, MESSAGE_SIZE, 3)
    try:
        request = json.loads(message)
        for name in PRELOADED:  # on the first request; then already imported
            __import__(name)
        refusal = _refusal(request, startup_env)
        if refusal:  # said in the build's log: every kernel refused would mean a slow build
            print(f"kernel_forkserver: a kernel starts the usual way ({refusal})", file=sys.stderr, flush=True)
            connection.send(json.dumps({"refused": refusal}).encode())
            return
        pid = os.fork()
        if pid == 0:
            listener.close()
            imported_env = {k: v for k, v in os.environ.items() if startup_env.get(k) != v}
            _become_kernel(request, {**request["env"], **imported_env}, fds, connection)
        connection.send(json.dumps({"pid": pid}).encode())
    finally:
        for fd in fds:
            os.close(fd)


def _report_ended_kernels() -> None:
    """Reap the kernels that ended; say in the build's log which crashed."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        # Jupyter ends a kernel that is slow to shut down with SIGTERM, then SIGKILL.
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) not in (signal.SIGTERM, signal.SIGKILL):
            print(f"kernel_forkserver: kernel {pid} ended by signal {os.WTERMSIG(status)}", file=sys.stderr, flush=True)


def _refusal(request: dict, startup_env: dict[str, str]) -> str | None:
    """Why the kernel ``request`` asks for must not be forked from this process (None: it may)."""
    env = request["env"]
    names = (env.keys() | startup_env.keys()) - set(PER_KERNEL)
    differing = sorted(name for name in names if env.get(name) != startup_env.get(name))
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


def _become_kernel(request: dict, env: dict[str, str], fds: list[int], connection: socket.socket) -> None:
    """In the forked child: become the kernel ``launch.py`` asked for, then exit. Never
    returns into the server's loop."""
    try:
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
        # The kernel ends when launch.py does (or is killed): its end of the connection closes.
        threading.Thread(target=lambda: (connection.recv(1), os._exit(1)), daemon=True).start()
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
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    serve(sys.argv[1], int(sys.argv[2]))
