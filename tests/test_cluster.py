"""run_workers: loopback cluster, bounded time, nothing left running, errors that say what failed.

The workers here are small Python programs (no TensorFlow), so the whole file
takes a few seconds; the page on multi-worker training runs real TensorFlow
workers with the same helper.
"""

import os
import socket
import sys
import textwrap
import time

import pytest
from processes import gone

from tfopt_docs import cluster
from tfopt_docs.cluster import ClusterTimeout, PortInUseError, WorkerFailed, free_ports, run_workers


def python(code):
    return [sys.executable, "-c", textwrap.dedent(code)]


# Prints its own pid and the pid of a child it starts, then waits.
SPAWN_AND_WAIT = """
    import os, subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    print(os.getpid(), child.pid, flush=True)
    time.sleep(120)
"""


def pids(result):
    return [int(p) for p in result.stdout.split()]


def test_workers_find_each_other_on_loopback():
    # Worker 0 listens on its own address from TF_CONFIG; worker 1 connects to
    # worker 0's address and sends its index and its own address.
    code = """
        import json, os, socket, time
        config = json.loads(os.environ["TF_CONFIG"])
        me = config["task"]["index"]
        addresses = config["cluster"]["worker"]
        host, port = addresses[0].rsplit(":", 1)
        if me == 0:
            server = socket.create_server((host, int(port)))
            server.settimeout(20)
            conn, _ = server.accept()
            print("got", conn.recv(100).decode())
        else:
            for _ in range(200):
                try:
                    conn = socket.create_connection((host, int(port)), timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            conn.sendall(f"{me} {addresses[me]} {os.environ['TF_CPP_MIN_LOG_LEVEL']}".encode())
            print("sent")
    """
    results = run_workers(python(code), 2, timeout=30)
    assert [r.index for r in results] == [0, 1]
    assert all(r.ok for r in results)
    assert all(r.address.startswith("127.0.0.1:") for r in results)
    assert len({r.address for r in results}) == 2
    assert results[0].stdout.split() == ["got", "1", results[1].address, "2"]
    assert results[1].stdout.strip() == "sent"


def test_per_worker_environment_and_check_false():
    code = "import os, sys; print(os.environ['ROLE']); sys.exit(int(os.environ['STATUS']))"
    results = run_workers(
        python(code), 2, timeout=30, env=[{"ROLE": "a", "STATUS": "0"}, {"ROLE": "b", "STATUS": "3"}], check=False
    )
    assert [r.stdout.strip() for r in results] == ["a", "b"]
    assert [r.returncode for r in results] == [0, 3]
    assert [r.ok for r in results] == [True, False]


def test_a_worker_that_raises_stops_the_others_and_its_traceback_is_in_the_error():
    code = """
        import os, sys, time
        if os.environ["TF_CONFIG"].endswith('"index": 1}}'):
            print("I0000 00:00:1.0   123 port.cc:153] chatter", file=sys.stderr)
            time.sleep(0.5)
            raise ValueError("boom at step 3")
        exec(compile(os.environ["SPAWN"], "spawn", "exec"))
    """
    start = time.monotonic()
    with pytest.raises(WorkerFailed) as info:
        run_workers(python(code), 2, timeout=60, grace=1, env={"SPAWN": textwrap.dedent(SPAWN_AND_WAIT)})
    assert time.monotonic() - start < 30  # not the 60 s limit, nor worker 0's 120 s sleep
    message = str(info.value)
    assert "worker 1 exited with status 1" in message
    assert "Traceback (most recent call last)" in message and "ValueError: boom at step 3" in message
    assert "chatter" not in message
    waiting, failed = info.value.results
    assert failed.returncode == 1 and not failed.stopped and failed.exception == "ValueError"
    assert waiting.stopped and waiting.returncode == -9
    assert all(gone(pid) for pid in pids(waiting))  # the worker and the child it started


def test_the_others_get_a_grace_period_to_fail_by_themselves():
    # Worker 0 notices that worker 1 is gone (here: after 1 s) and exits with
    # its own error, which the results keep, instead of being killed.
    code = """
        import os, sys, time
        if os.environ["TF_CONFIG"].endswith('"index": 1}}'):
            sys.exit(3)
        time.sleep(1)
        raise ConnectionError("peer is gone")
    """
    results = run_workers(python(code), 2, timeout=60, grace=20, check=False)
    assert [(r.returncode, r.stopped, r.exception) for r in results] == [(1, False, "ConnectionError"), (3, False, "")]


def test_a_worker_that_hangs_is_killed_at_the_time_limit():
    start = time.monotonic()
    with pytest.raises(ClusterTimeout) as info:
        run_workers(python(SPAWN_AND_WAIT), 2, timeout=3)
    elapsed = time.monotonic() - start
    assert 3 <= elapsed < 20
    assert "still running after 3 s" in str(info.value)
    results = info.value.results
    assert all(r.stopped and r.returncode == -9 for r in results)
    assert all(gone(pid) for r in results for pid in pids(r))


def test_a_time_limit_also_holds_with_check_false():
    with pytest.raises(ClusterTimeout):
        run_workers(python("import time; time.sleep(60)"), 1, timeout=1, check=False)


def test_a_port_already_taken_is_refused_before_anything_starts(tmp_path):
    marker = tmp_path / "started"
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"{port}.*already in use"):
            run_workers(python(f"open({str(marker)!r}, 'w')"), 2, timeout=30, ports=[port, free_ports(1)[0]])
    assert not marker.exists()


def test_a_port_taken_after_it_was_chosen_fails_with_the_workers_bind_error(monkeypatch):
    # The race free_ports cannot exclude: another program takes the port
    # between the choice and the worker's bind. The worker's error says so.
    code = """
        import json, os, socket
        host, port = json.loads(os.environ["TF_CONFIG"])["cluster"]["worker"][0].rsplit(":", 1)
        socket.create_server((host, int(port)))
    """
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        monkeypatch.setattr(cluster, "free_ports", lambda n: [port])
        with pytest.raises(WorkerFailed, match="Address already in use"):
            run_workers(python(code), 1, timeout=30)


def test_stderr_keeps_messages_and_drops_tensorflow_log_lines():
    code = """
        import sys
        print("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", file=sys.stderr)
        print("E0000 00:00:1796115089.358530   22006 base_collective_executor.cc:252] StartAbort", file=sys.stderr)
        print("UserWarning: kept", file=sys.stderr)
    """
    (result,) = run_workers(python(code), 1, timeout=30)
    assert result.stderr == "UserWarning: kept\n"
    assert result.traceback == ""


def test_free_ports_are_distinct_and_free():
    ports = free_ports(4)
    assert len(set(ports)) == 4
    for port in ports:
        with socket.create_server(("127.0.0.1", port)):
            pass
    # Below the range the system hands out to outgoing connections and to
    # bind(0), where a kernel starting beside the cluster could take them.
    low, _ = cluster._ephemeral_range()
    assert all(cluster._FIRST_PORT <= port < low for port in ports)


def test_free_ports_fall_back_to_the_systems_choice_when_there_is_no_room_below(monkeypatch):
    monkeypatch.setattr(cluster, "_ephemeral_range", lambda: (cluster._FIRST_PORT, 65535))
    ports = free_ports(3)
    assert len(set(ports)) == 3 and all(cluster._FIRST_PORT <= port <= 65535 for port in ports)


def test_tf_config_names_every_worker_and_this_one():
    import json

    config = json.loads(cluster.tf_config(["127.0.0.1:1", "127.0.0.1:2"], 1))
    assert config == {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 1}}
    with pytest.raises(ValueError, match="index"):
        cluster.tf_config(["127.0.0.1:1"], 1)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(num_workers=0), ValueError, "num_workers"),
        (dict(num_workers=1.5), TypeError, "num_workers"),
        (dict(timeout=0), ValueError, "timeout"),
        (dict(grace=-1), ValueError, "grace"),
        (dict(ports=[1]), ValueError, "ports"),
        (dict(ports=[70000, 70001]), ValueError, "ports"),
        (dict(ports=[2000, 2000]), ValueError, "ports"),
        (dict(env=[{}]), ValueError, "env"),
        (dict(command="python"), TypeError, "command"),
    ],
)
def test_arguments_are_checked(kwargs, error, match):
    arguments = dict(command=python("pass"), num_workers=2, timeout=10) | kwargs
    with pytest.raises(error, match=match):
        run_workers(arguments.pop("command"), arguments.pop("num_workers"), **arguments)


def test_no_worker_is_left_running():
    # run_workers starts each worker as the leader of a new session, a child
    # of this process: none of them may be left, alive or unreaped.
    mine = os.getpid()
    leftovers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    state, ppid, _, session = f.read().rsplit(")", 1)[1].split()[:4]
            except OSError:
                continue
            if int(ppid) == mine and int(session) == int(entry):
                leftovers.append((int(entry), state))
    assert leftovers == []
