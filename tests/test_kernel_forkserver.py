"""The build's kernel fork server (docs/_ext/kernel_forkserver.py): forked kernels behave
as fresh ones, draw their own random states, and end with whoever started them; the
cluster workers a kernel starts are forked too, and end with their own status."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from processes import gone

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import build_environment  # noqa: E402
import kernel_forkserver  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the build forks kernels on Linux only")


@pytest.fixture(scope="module")
def server():
    """A fork server, and the environment (the build's) in which kernels use it."""
    saved = dict(os.environ)
    os.environ.update(build_environment.ENVIRONMENT)
    # Buffered, as a build whose log goes to a file: what the workers print must not wait for it.
    os.environ.pop("PYTHONUNBUFFERED", None)
    forkserver = kernel_forkserver.ForkServer()
    # pytest changes PYTEST_CURRENT_TEST between tests: every kernel gets this copy.
    forkserver.env = dict(os.environ)
    try:
        yield forkserver
    finally:
        forkserver.stop()
        os.environ.clear()
        os.environ.update(saved)


def _kernel(env: dict[str, str]):
    from jupyter_client.manager import start_new_kernel

    return start_new_kernel(kernel_name="python3", env=env, startup_timeout=120)


def _stdout(client, code: str) -> str:
    """What ``code`` prints in the kernel (stdout only; anything on stderr fails)."""
    printed = []

    def collect(message):
        content = message["content"]
        if message["msg_type"] == "stream":
            assert content["name"] == "stdout", content["text"]
            printed.append(content["text"])
        elif message["msg_type"] == "error":
            pytest.fail("\n".join(content["traceback"]))

    reply = client.execute_interactive(code, output_hook=collect, timeout=180)
    assert reply["content"]["status"] == "ok"
    return "".join(printed)


SAME_AS_FRESH = """
import json, os, sys
preloaded = "tensorflow" in sys.modules
import matplotlib, numpy as np, keras, tensorflow as tf
keras.utils.set_random_seed(0)
tf.print("tf.print comes first")
dense = keras.layers.Dense(2)(np.ones((1, 3))).numpy()
print(json.dumps([preloaded, os.getppid(), matplotlib.get_backend(), np.round(dense, 6).tolist()]))
"""


def test_a_forked_kernel_has_tensorflow_imported_and_prints_what_a_fresh_kernel_prints(server):
    outputs = {}
    # Any variable the server was not started with makes it refuse: a fresh kernel.
    for name, env in (("forked", server.env), ("fresh", {**server.env, "TFOPT_TEST_FRESH_KERNEL": "1"})):
        manager, client = _kernel(env)
        try:
            outputs[name] = _stdout(client, SAME_AS_FRESH)
        finally:
            client.stop_channels()
            manager.shutdown_kernel()
    first_lines = {name: text.splitlines()[0] for name, text in outputs.items()}
    assert first_lines == {"forked": "tf.print comes first", "fresh": "tf.print comes first"}
    forked, fresh = (json.loads(outputs[name].splitlines()[1]) for name in ("forked", "fresh"))
    assert forked[:2] == [True, server.process.pid]
    assert fresh[0] is False
    assert forked[2] == fresh[2] == "module://matplotlib_inline.backend_inline"  # figures reach the page
    assert forked[3] == fresh[3]


def test_forked_kernels_draw_random_states_of_their_own(server):
    draws = []
    for _ in range(2):
        manager, client = _kernel(server.env)
        try:
            draws.append(_stdout(client, "import random, numpy as np\nprint(random.random(), np.random.rand())"))
        finally:
            client.stop_channels()
            manager.shutdown_kernel()
    assert draws[0] != draws[1]


def test_a_bad_request_does_not_end_the_server(server):
    import socket

    for message in (b"not json", b"{}"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
            connection.connect(server.address)
            socket.send_fds(connection, [message], [0, 1, 2])
            assert connection.recv(1024) == b""  # closed without an answer
    manager, client = _kernel(server.env)
    try:
        assert _stdout(client, "import sys\nprint('tensorflow' in sys.modules)") == "True\n"
    finally:
        client.stop_channels()
        manager.shutdown_kernel()
    assert server.process.poll() is None


def test_a_forked_kernel_ends_with_its_shutdown_or_its_launcher(server):
    manager, client = _kernel(server.env)
    pid = int(_stdout(client, "import os\nprint(os.getpid())"))
    assert pid != manager.provisioner.pid  # the kernel is the server's child, not launch.py
    client.stop_channels()
    manager.shutdown_kernel()
    assert gone(pid, within=15)

    manager, client = _kernel(server.env)
    pid = int(_stdout(client, "import os\nprint(os.getpid())"))
    os.kill(manager.provisioner.pid, signal.SIGKILL)  # launch.py, as Jupyter kills a kernel
    assert gone(pid, within=15)
    client.stop_channels()
    manager.cleanup_resources()


def test_the_server_ends_with_the_process_that_started_it():
    import subprocess

    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import kernel_forkserver\n"
        "server = kernel_forkserver.ForkServer(); print(server.process.pid, flush=True); time.sleep(60)"
    )
    starter = subprocess.Popen(
        [sys.executable, "-c", code, str(ROOT / "docs" / "_ext")], stdout=subprocess.PIPE, text=True
    )
    try:
        pid = int(starter.stdout.readline())
        starter.kill()  # no exit handler runs: the server notices on its own
        starter.wait()
        assert gone(pid, within=15)
    finally:
        starter.kill()
        starter.stdout.close()


def test_the_server_refuses_another_environment_or_other_cores():
    env = {"A": "1", "JPY_PARENT_PID": "7"}
    cores = sorted(os.sched_getaffinity(0))
    assert "A" in kernel_forkserver._refusal({"env": {"A": "2"}, "cores": cores}, env)
    assert "B" in kernel_forkserver._refusal({"env": {**env, "B": "1"}, "cores": cores}, env)
    # Jupyter's per-kernel variables may differ; the cores may not.
    assert "affinity" in kernel_forkserver._refusal({"env": {"A": "1", "JPY_PARENT_PID": "8"}, "cores": [-1]}, env)


# --- cluster workers forked from the server (tfopt_docs.cluster.run_workers in a kernel) ---

#: A worker that says whether it was forked (TensorFlow already imported), then does what
#: TFOPT_FAIL_AT says: exit with that status, die of SIGKILL, or sleep until it is killed
#: (its first line unflushed: with PYTHONUNBUFFERED, as run_workers sets, it is written).
PROBE = """
import json, os, signal, sys, time
print(json.dumps({"forked": "tensorflow" in sys.modules, "pid": os.getpid(), "argv": sys.argv[1:],
                  "task": json.loads(os.environ["TF_CONFIG"])["task"]["index"]}))
print("a line on stderr", file=sys.stderr)
action = os.environ["TFOPT_FAIL_AT"]
if action == "signal":
    os.kill(os.getpid(), signal.SIGKILL)
if action == "sleep":
    time.sleep(60)
sys.exit(int(action))
"""


def _run_probes(
    server, folder: Path, actions: list[str], timeout: float = 60, extra_env: dict | None = None
) -> list[dict]:
    """run_workers on PROBE in a forked kernel, one worker per action (with ``extra_env``):
    each one's status, what it printed, and its first line read as JSON."""
    (folder / "probe.py").write_text(PROBE)
    code = f"""
import json, sys
from tfopt_docs.cluster import ClusterTimeout, run_workers
env = [{{"TFOPT_FAIL_AT": action, **{extra_env or {}!r}}} for action in {actions!r}]
try:
    results = run_workers([sys.executable, "-m", "probe", "an", "argument"], {len(actions)},
                          timeout={timeout}, cwd={str(folder)!r}, env=env, check=False)
except ClusterTimeout as timed_out:
    results = timed_out.results
print(json.dumps([[r.returncode, r.stdout, r.stderr] for r in results]))
"""
    manager, client = _kernel(server.env)
    try:
        printed = json.loads(_stdout(client, code))
    finally:
        client.stop_channels()
        manager.shutdown_kernel()
    return [
        {"status": status, "stdout": stdout, "stderr": stderr, **json.loads(stdout.splitlines()[0])}
        for status, stdout, stderr in printed
    ]


def test_cluster_workers_are_forked_and_end_with_their_own_status(server, tmp_path):
    ended, killed = _run_probes(server, tmp_path, ["5", "signal"])
    assert ended["forked"] and killed["forked"]
    assert (ended["status"], killed["status"]) == (5, -signal.SIGKILL)
    assert [ended["task"], killed["task"]] == [0, 1]  # each its own TF_CONFIG
    assert ended["argv"] == ["an", "argument"]
    assert ended["stderr"] == "a line on stderr\n"
    assert ended["pid"] != killed["pid"]


def test_a_worker_killed_by_run_workers_ends(server, tmp_path):
    (sleeper,) = _run_probes(server, tmp_path, ["sleep"], timeout=5)
    assert sleeper["forked"]
    assert gone(sleeper["pid"], within=15)  # run_workers killed its stand-in, and so it ended


def test_a_worker_the_server_refuses_starts_the_usual_way(server, tmp_path):
    (fresh,) = _run_probes(server, tmp_path, ["4"], extra_env={"TF_ENABLE_ONEDNN_OPTS": "0"})
    assert not fresh["forked"]
    assert fresh["status"] == 4


def test_a_worker_may_differ_from_its_kernel_only_in_what_is_read_after_the_imports():
    env = {"TF_ENABLE_ONEDNN_OPTS": "1", "TERM": "dumb"}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the server's environment, after its imports
    try:
        differing = kernel_forkserver._differing_environment
        # A kernel's shell variables and what the cluster sets are read after the imports ...
        assert differing({"module": "probe", "env": {**env, "TERM": "xterm-color", "TF_CONFIG": "{}"}}, {}) == []
        # ... not oneDNN's switch, nor anything else.
        assert differing({"module": "probe", "env": {"TERM": "dumb"}}, {}) == ["TF_ENABLE_ONEDNN_OPTS"]
        assert differing({"module": "probe", "env": {**env, "OTHER": "1"}}, {}) == ["OTHER"]
        # A kernel's environment is compared with the server's before its imports.
        assert differing({"argv": [], "env": env}, {"TF_ENABLE_ONEDNN_OPTS": "1"}) == ["TERM"]
        assert "TF_ENABLE_ONEDNN_OPTS" in kernel_forkserver._refusal({"module": "probe", "env": {}, "cores": []}, {})
    finally:
        os.environ.clear()
        os.environ.update(saved)
