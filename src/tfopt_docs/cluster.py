"""Start a small TensorFlow cluster on this machine: one process per worker.

``tf.distribute.MultiWorkerMirroredStrategy`` reads the cluster and the
process's place in it from the ``TF_CONFIG`` environment variable; on one
machine every worker is a separate Python process listening on its own
loopback port. :func:`run_workers` starts ``num_workers`` such processes on
free ``127.0.0.1`` ports, waits for them under a time limit, and returns what
each one printed. It ends every process it started, whatever happens: when a
worker fails, the others are stopped at once (they would wait for it at
their next all-reduce); when the time limit passes, all are; and the
``finally`` clause kills each process group it created.

Workers run with ``TF_CPP_MIN_LOG_LEVEL=2``. Their stderr is captured, never
passed on; TensorFlow's C++ log lines are dropped from it. A failing worker's
Python traceback is part of the error :func:`run_workers` raises.

>>> import sys
>>> code = "import json, os; print(json.loads(os.environ['TF_CONFIG'])['task'])"
>>> results = run_workers([sys.executable, "-c", code], 2, timeout=30)
>>> for r in results:
...     print(r.index, r.returncode, r.stdout.strip())
0 0 {'type': 'worker', 'index': 0}
1 0 {'type': 'worker', 'index': 1}
>>> all(r.address.startswith("127.0.0.1:") for r in results)
True
"""

from __future__ import annotations

import contextlib
import json
import numbers
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tfopt_docs._validation import check_positive_int

__all__ = [
    "ClusterError",
    "ClusterTimeout",
    "PortInUseError",
    "WorkerFailed",
    "WorkerResult",
    "free_ports",
    "run_workers",
    "tf_config",
    "transcript",
]

HOST = "127.0.0.1"
#: Starts each worker process: ``subprocess.Popen`` or a drop-in for it (the site's build
#: forks the workers from a process that has imported TensorFlow already).
start_process = subprocess.Popen

#: TensorFlow's C++ log lines (glog format, any level) and absl's first line.
_LOG_LINE = re.compile(
    r"[IWEF]\d{4} [\d:.]+ +\d+ [\w.\-/]+:\d+\].*"
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
)
_TRACEBACK_START = "Traceback (most recent call last):"


@dataclass(frozen=True)
class WorkerResult:
    """What one worker process did.

    Attributes:
        index: the worker's ``task.index`` in ``TF_CONFIG``.
        address: its ``host:port``.
        returncode: its exit status; negative if a signal ended it
            (``-9`` when :func:`run_workers` killed it).
        stopped: True if :func:`run_workers` ended it (another worker failed,
            or the time limit passed) rather than the worker exiting by itself.
        stdout: everything it printed.
        stderr: what it wrote to stderr, without TensorFlow's C++ log lines.
    """

    index: int
    address: str
    returncode: int
    stopped: bool
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """True if the worker exited by itself with status 0."""
        return self.returncode == 0 and not self.stopped

    @property
    def traceback(self) -> str:
        """The last Python traceback in :attr:`stderr` ("" if there is none)."""
        start = self.stderr.rfind(_TRACEBACK_START)
        return self.stderr[start:].strip() if start >= 0 else ""

    @property
    def exception(self) -> str:
        """The class name of the exception that ended the worker ("" if none).

        >>> r = WorkerResult(0, "127.0.0.1:1", 1, False, "", "Traceback (most recent call last):\\n"
        ...                  '  File "x.py", line 1, in <module>\\n'
        ...                  "tensorflow.python.framework.errors_impl.UnavailableError: socket closed\\n")
        >>> print(r.exception)
        UnavailableError
        """
        for line in self.traceback.splitlines()[1:]:
            match = re.match(r"([A-Za-z_][\w.]*)(?::|$)", line)
            if match:
                return match[1].rsplit(".", 1)[-1]
        return ""


class ClusterError(RuntimeError):
    """A cluster run went wrong; ``results`` holds every worker's :class:`WorkerResult`."""

    def __init__(self, message: str, results: Sequence[WorkerResult] = ()):
        super().__init__(message)
        self.results = list(results)


class WorkerFailed(ClusterError):
    """A worker exited with a non-zero status."""


class ClusterTimeout(ClusterError):
    """The workers did not all finish within the time limit."""


class PortInUseError(ClusterError):
    """A port asked for is already taken on ``127.0.0.1``."""


def _check_port(name: str, port: object) -> int:
    if isinstance(port, bool) or not isinstance(port, numbers.Integral):
        raise TypeError(f"`{name}` must hold ints, got {type(port).__name__} {port!r}")
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"`{name}` must hold ports in 1..65535, got {port!r}")
    return int(port)


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports that are free on ``127.0.0.1`` right now.

    They are drawn at random below the operating system's ephemeral range
    (``/proc/sys/net/ipv4/ip_local_port_range`` on Linux, IANA's 49152-65535
    elsewhere), from 15000 up, as Google's ``portpicker`` does. The system
    hands out ephemeral ports to every outgoing connection and every
    ``bind`` to port 0 (a Jupyter kernel's, say) at any moment; a port
    outside that range stays free until a worker binds it, seconds later,
    unless a program asks for that very port. The ports are released before
    this returns; if one is taken all the same, :func:`run_workers` fails
    with the worker's bind error.

    >>> ports = free_ports(3)
    >>> len(set(ports)) == 3 and all(1024 <= p <= 65535 for p in ports)
    True
    """
    n = check_positive_int("n", n)
    first_ephemeral = _ephemeral_range()[0]
    candidates = list(range(_FIRST_PORT, first_ephemeral))
    random.SystemRandom().shuffle(candidates)  # not the seeded global generator: runs must not collide
    with contextlib.ExitStack() as stack:
        sockets: list[socket.socket] = []
        for port in candidates:
            if len(sockets) == n:
                break
            s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            try:
                s.bind((HOST, port))  # held until all n are chosen, so they differ
            except OSError:
                continue
            sockets.append(s)
        while len(sockets) < n:  # no room below the ephemeral range: let the system choose
            s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]


#: The lowest port :func:`free_ports` draws (``portpicker``'s choice too).
_FIRST_PORT = 15000


def _ephemeral_range() -> tuple[int, int]:
    """The ports the system assigns by itself (outgoing connections, ``bind`` to port 0)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            low, high = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return 49152, 65535  # IANA's dynamic ports: macOS's and Windows's default
    return low, high


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def tf_config(addresses: Sequence[str], index: int) -> str:
    """The ``TF_CONFIG`` JSON of worker ``index`` in a cluster of ``addresses``.

    >>> print(tf_config(["127.0.0.1:2001", "127.0.0.1:2002"], 1))
    {"cluster": {"worker": ["127.0.0.1:2001", "127.0.0.1:2002"]}, "task": {"type": "worker", "index": 1}}
    """
    if isinstance(addresses, str) or not isinstance(addresses, Sequence) or not addresses:
        raise TypeError(f"`addresses` must be a non-empty list of 'host:port' strings, got {addresses!r}")
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < len(addresses):
        raise ValueError(f"`index` must be an int in 0..{len(addresses) - 1}, got {index!r}")
    return json.dumps({"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": int(index)}})


def transcript(results: Sequence[WorkerResult], startswith: str | tuple[str, ...] = "") -> str:
    """Each worker's stdout, line by line, prefixed with ``worker N |``.

    Args:
        results: what :func:`run_workers` returned (or an error's ``results``).
        startswith: keep only the lines that start with this (or one of
            these) prefixes; by default every line.

    A worker that did not exit by itself with status 0 gets a last line
    saying how it ended (with the name of the exception it raised, if any).

    >>> r = WorkerResult(1, "127.0.0.1:2002", -9, True, "step 1\\nstep 2\\n", "")
    >>> print(transcript([r]))
    worker 1 | step 1
    worker 1 | step 2
    worker 1 | (stopped by run_workers, status -9)
    >>> print(transcript([r], startswith="step 2"))
    worker 1 | step 2
    worker 1 | (stopped by run_workers, status -9)
    """
    lines = []
    for r in results:
        lines += [f"worker {r.index} | {line}" for line in r.stdout.splitlines() if line.startswith(startswith)]
        if r.stopped:
            lines.append(f"worker {r.index} | (stopped by run_workers, status {r.returncode})")
        elif r.returncode != 0:
            raised = f", {r.exception}" if r.exception else ""
            lines.append(f"worker {r.index} | (exited with status {r.returncode}{raised})")
    return "\n".join(lines)


def _without_log_lines(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not _LOG_LINE.fullmatch(line.rstrip("\n")))


def _last_lines(text: str, n: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-n:])


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group that ``process`` leads (its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def run_workers(
    command: Sequence[str],
    num_workers: int,
    *,
    timeout: float,
    ports: Sequence[int] | None = None,
    env: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
    cwd: str | os.PathLike | None = None,
    check: bool = True,
    grace: float = 3.0,
    poll_interval: float = 0.05,
) -> list[WorkerResult]:
    """Run ``command`` as ``num_workers`` worker processes of one cluster.

    Each process gets the ``TF_CONFIG`` of its index (:func:`tf_config`) on
    ``127.0.0.1``, ``TF_CPP_MIN_LOG_LEVEL=2`` and ``PYTHONUNBUFFERED=1``, on
    top of this process's environment and ``env``. Each runs in a session of
    its own, so that ending it ends everything it started.

    Args:
        command: the program and its arguments, e.g.
            ``[sys.executable, "-m", "some.module", "arg"]``; the same for
            every worker (a worker reads its index from ``TF_CONFIG``).
        num_workers: number of processes, an int > 0.
        timeout: seconds the whole run may take, a number > 0. When it has
            passed, every worker still running is killed and
            :class:`ClusterTimeout` is raised (also with ``check=False``).
        ports: the workers' ports; by default free ones chosen now
            (:func:`free_ports`). A port that is already taken raises
            :class:`PortInUseError` before anything starts.
        env: extra environment variables, one mapping for all workers or a
            list of one mapping per worker (e.g. to make one of them fail).
        cwd: working directory of the workers.
        check: if True (the default), a worker that exits with a non-zero
            status raises :class:`WorkerFailed`, whose message holds its
            traceback. If False, the results are returned anyway.
        grace: once a worker has failed, seconds the others get to exit by
            themselves (a TensorFlow worker whose peer is gone usually fails
            at once with its own error) before they are killed; a number >= 0.
        poll_interval: seconds between two looks at the processes.

    Returns:
        One :class:`WorkerResult` per worker, in index order. When a worker
        fails, the others that are still running after ``grace`` seconds are
        killed (``stopped=True``).

    Raises:
        WorkerFailed: a worker exited with a non-zero status (``check=True``).
        ClusterTimeout: the time limit passed.
        PortInUseError: a port in ``ports`` is taken.
    """
    num_workers = check_positive_int("num_workers", num_workers)
    if isinstance(command, str) or not isinstance(command, Sequence) or not command:
        raise TypeError(f"`command` must be a non-empty list of strings, got {command!r}")
    command = [os.fspath(part) for part in command]
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not timeout > 0:
        raise ValueError(f"`timeout` must be a number of seconds > 0, got {timeout!r}")
    if env is None:
        envs: list[Mapping[str, str]] = [{}] * num_workers
    elif isinstance(env, Mapping):
        envs = [env] * num_workers
    elif isinstance(env, Sequence) and not isinstance(env, str) and len(env) == num_workers:
        envs = list(env)
    else:
        raise ValueError(f"`env` must be a mapping or a list of {num_workers} mappings, got {env!r}")
    if isinstance(grace, bool) or not isinstance(grace, numbers.Real) or not grace >= 0:
        raise ValueError(f"`grace` must be a number of seconds >= 0, got {grace!r}")
    if ports is None:
        ports = free_ports(num_workers)
    else:
        if isinstance(ports, str) or not isinstance(ports, Sequence) or len(ports) != num_workers:
            raise ValueError(f"`ports` must be a list of {num_workers} ports, got {ports!r}")
        ports = [_check_port("ports", p) for p in ports]
        if len(set(ports)) != num_workers:
            raise ValueError(f"`ports` must be distinct, got {ports!r}")
        taken = [p for p in ports if not _port_is_free(p)]
        if taken:
            raise PortInUseError(f"port(s) {taken} already in use on {HOST}; nothing was started")
    addresses = [f"{HOST}:{port}" for port in ports]

    processes: list[subprocess.Popen] = []
    stopped = [False] * num_workers
    timed_out = False
    with tempfile.TemporaryDirectory(prefix="tfopt-cluster-") as logdir:
        outs = [open(os.path.join(logdir, f"worker-{i}.out"), "w+b") for i in range(num_workers)]
        errs = [open(os.path.join(logdir, f"worker-{i}.err"), "w+b") for i in range(num_workers)]
        try:
            for index in range(num_workers):
                worker_env = {**os.environ, **envs[index]}
                worker_env.update(TF_CONFIG=tf_config(addresses, index), TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
                processes.append(
                    start_process(
                        command,
                        env=worker_env,
                        cwd=cwd,
                        stdin=subprocess.DEVNULL,
                        stdout=outs[index],
                        stderr=errs[index],
                        start_new_session=True,
                    )
                )
            deadline = time.monotonic() + float(timeout)
            failed_at = None
            while True:
                codes = [p.poll() for p in processes]
                if all(code is not None for code in codes):
                    break
                now = time.monotonic()
                if failed_at is None and any(code not in (None, 0) for code in codes):
                    failed_at = now  # the others would wait for it at their next all-reduce
                if failed_at is not None and now > failed_at + grace:
                    for i, code in enumerate(codes):
                        if code is None:
                            stopped[i] = True
                    break
                if now > deadline:
                    timed_out = True
                    for i, code in enumerate(codes):
                        if code is None:
                            stopped[i] = True
                    break
                time.sleep(poll_interval)
        finally:
            for process in processes:  # also after an exception or a KeyboardInterrupt
                _kill_group(process)
            for process in processes:
                process.wait()
            results = []
            for index, process in enumerate(processes):
                outs[index].seek(0)
                errs[index].seek(0)
                results.append(
                    WorkerResult(
                        index=index,
                        address=addresses[index],
                        returncode=process.returncode,
                        stopped=stopped[index],
                        stdout=outs[index].read().decode("utf-8", errors="replace"),
                        stderr=_without_log_lines(errs[index].read().decode("utf-8", errors="replace")),
                    )
                )
            for f in outs + errs:
                f.close()

    if timed_out:
        running = [r.index for r in results if r.stopped]
        details = "\n".join(
            f"--- worker {r.index} (last output) ---\n{_last_lines(r.stdout + r.stderr) or '(nothing)'}"
            for r in results
            if r.stopped
        )
        raise ClusterTimeout(
            f"worker(s) {running} still running after {timeout:g} s; every worker was killed\n{details}", results
        )
    failed = [r for r in results if not r.stopped and r.returncode != 0]
    if check and failed:
        first = failed[0]
        detail = first.traceback or _last_lines(first.stderr) or "(no output on stderr)"
        others = [r.index for r in results if r.stopped]
        note = f"; worker(s) {others} were stopped" if others else ""
        raise WorkerFailed(f"worker {first.index} exited with status {first.returncode}{note}:\n{detail}", results)
    return results
