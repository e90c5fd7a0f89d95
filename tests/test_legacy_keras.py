"""tfopt_docs.legacy_keras: the Keras 2 worker process and the notebook magics."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from tfopt_docs import legacy_keras
from tfopt_docs.legacy_keras import Keras2Worker, Result, as_legacy, run_source, sanitize, summary

pytest.importorskip("tf_keras", reason="needs tf_keras (requirements/tf-keras.txt)")


@pytest.fixture(scope="module")
def worker():
    with Keras2Worker(timeout=300) as w:
        yield w


def test_the_worker_runs_keras_2(worker):
    result = worker.run("import tensorflow as tf\nprint(tf.keras.optimizers.Adam.__module__)")
    assert result.error is None
    assert result.output.strip() == "tf_keras.src.optimizers.adam"
    assert worker.versions["tf_keras"].startswith("2.")


def test_a_snippet_that_prints_and_one_that_raises(worker):
    printed = worker.run("print('hello', 6 * 7)\n'last ' + 'value'")
    assert printed == Result("hello 42\n'last value'\n", None)
    raised = worker.run("print('before')\nraise KeyError('no such key')")
    assert raised.output == "before\n"
    assert raised.error == "KeyError: 'no such key'"
    assert "before" in raised.text and raised.text.endswith("KeyError: 'no such key'\n")


def test_names_persist_between_snippets(worker):
    assert worker.run("counter = 41").error is None
    assert worker.run("counter += 1\nprint(counter)").output == "42\n"


def test_warnings_and_absl_records_are_output_text(worker):
    """`lr=` under Keras 2: an absl WARNING, and the rate stays the default (it is ignored)."""
    result = worker.run(
        "import warnings\nwarnings.warn('careful')\n"
        "opt = tf.keras.optimizers.SGD(lr=0.5)\nprint(float(opt.learning_rate))\n"
        "tf.print('from C++')"
    )
    assert result.error is None
    lines = result.output.splitlines()
    assert lines[0] == "UserWarning: careful"
    assert lines[1].startswith("WARNING:absl:`lr` is deprecated")
    assert float(lines[2]) == pytest.approx(0.01)
    assert lines[3] == "from C++"
    assert result.warned and "/" not in lines[0]  # no file name of this machine


def test_graph_errors_keep_the_message_without_the_stack(worker):
    result = worker.run(
        "import numpy as np\nm = tf.keras.Sequential([tf.keras.layers.Dense(3)])\nm.compile('sgd', 'mse')\n"
        "m.fit(np.zeros((4, 2)), np.zeros((4, 5)), verbose=0)"
    )
    assert result.error is not None and result.error.startswith("ValueError: Dimensions must be equal")
    assert "File " not in result.error and "\n" not in result.error


def test_the_worker_ends_when_closed():
    w = Keras2Worker(timeout=60)
    process = w._process
    w.close()
    assert process.poll() is not None and not w.alive
    with pytest.raises(RuntimeError, match="closed"):
        w.run("1")
    w.close()  # twice is fine


def test_the_worker_ends_when_its_parent_is_killed(tmp_path):
    parent = textwrap.dedent("""
        import sys, time
        from tfopt_docs.legacy_keras import Keras2Worker
        w = Keras2Worker()
        print(w._process.pid, flush=True)
        time.sleep(600)
    """)
    process = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    child = int(process.stdout.readline())
    process.kill()
    process.wait()
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as stat:  # a zombie waiting for init has ended too
            if stat.read().split(") ", 1)[1].startswith("Z"):
                break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        pytest.fail("the worker outlived its parent")


def test_arguments_are_validated(worker):
    with pytest.raises(ValueError, match="timeout"):
        Keras2Worker(timeout=0)
    with pytest.raises(TypeError, match="timeout"):
        Keras2Worker(timeout="10")
    with pytest.raises(TypeError, match="source"):
        worker.run(b"print(1)")
    with pytest.raises(TypeError, match="namespace"):
        run_source("1", [])
    with pytest.raises(TypeError, match="text"):
        sanitize(None)
    with pytest.raises(TypeError, match="result"):
        summary("ValueError")
    with pytest.raises(ValueError, match="printed nothing"):
        summary(Result(""), value=True)


def test_sanitize_and_summary():
    assert sanitize("<Foo object at 0xdeadbeef12>") == "<Foo object>"
    assert sanitize("5/5 [====] - 1s 3ms/step - loss: 1.5") == "5/5 [====] - …s …ms/step - loss: 1.5"
    assert sanitize("1/2\r2/2 done\n") == "2/2 done\n"
    assert (
        summary(Result("UserWarning: x\nWARNING:absl:y\n3\n"), value=True)
        == "✓ `3` (⚠ `UserWarning`, ⚠ `WARNING:absl`)"
    )
    assert summary(Result("", "TypeError: bad")) == "✗ `TypeError`"
    assert summary(Result("0.0909\n"), says="rate {last} (decayed)") == "✓ rate 0.0909 (decayed)"
    assert summary(Result("", "ValueError: x"), says="refused") == "✗ `ValueError` refused"
    with pytest.raises(ValueError, match="printed nothing"):
        summary(Result(""), says="rate {last}")


def test_as_legacy_names_the_legacy_optimizers_only():
    source = (
        "a = tf.keras.optimizers.SGD(0.1)\nb = keras.optimizers.Adam()\nc = tf.keras.optimizers.schedules.CosineDecay"
    )
    assert as_legacy(source) == (
        "a = tf.keras.optimizers.legacy.SGD(0.1)\nb = keras.optimizers.legacy.Adam()\n"
        "c = tf.keras.optimizers.schedules.CosineDecay"
    )
    assert as_legacy("tf.keras.optimizers.legacy.Adam") == "tf.keras.optimizers.legacy.Adam"
    assert as_legacy("keras.optimizers.Adamax") == "keras.optimizers.legacy.Adamax"
    with pytest.raises(TypeError, match="source"):
        as_legacy(None)


def test_run_source_captures_this_process_too(capfd):
    result = run_source("import warnings, os\nprint('out')\nwarnings.warn('w')\n_ = os.write(2, b'fd2\\n')", {})
    assert result == Result("out\nUserWarning: w\nfd2\n", None)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_the_magics_in_ipython():
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    legacy_keras.load_ipython_extension(ip)
    try:
        ip.run_cell_magic("side_by_side", "test-row", "import tensorflow as tf\nx = tf.keras.optimizers.SGD(lr=0.1)")
        recorded = legacy_keras.results()["test-row"]
        assert recorded["keras2"].error is None and recorded["keras2"].warned
        assert recorded["keras3"].error.startswith("ValueError: Argument(s) not recognized")
        ip.run_cell_magic(
            "side_by_side", "test-legacy --legacy", "x = tf.keras.optimizers.SGD(lr=0.1)\nprint(float(x.learning_rate))"
        )
        recorded = legacy_keras.results()["test-legacy"]
        assert set(recorded) == {"legacy", "keras2", "keras3"}
        assert float(recorded["legacy"].output.splitlines()[-1]) == pytest.approx(0.1)  # the legacy SGD honours lr=
        assert float(recorded["keras2"].output.splitlines()[-1]) == pytest.approx(0.01)  # the default one ignores it
        with pytest.raises(ValueError, match="row name"):
            ip.run_cell_magic("side_by_side", "", "1")
        with pytest.raises(ValueError, match="row name"):
            ip.run_cell_magic("tf_keras", "bad name", "1")
    finally:
        legacy_keras.unload_ipython_extension(ip)


def test_error_text_drops_the_counter_of_a_variable_name():
    error = ValueError("Optimizer variable rmsprop/learning_rate_19205 has shape () not compatible with (20, 10).")
    assert legacy_keras._error_text(error) == (
        "ValueError: Optimizer variable rmsprop/learning_rate has shape () not compatible with (20, 10)."
    )


def test_the_worker_runs_in_the_folder_it_is_given(worker, tmp_path):
    """A relative path means the same file on both sides: the worker changes to ``cwd`` first."""
    (tmp_path / "from_keras3.txt").write_text("written by this process")
    read = worker.run("print(open('from_keras3.txt').read())\nopen('from_keras2.txt', 'w').write('x')", cwd=tmp_path)
    assert read.error is None and read.output.startswith("written by this process"), read
    assert (tmp_path / "from_keras2.txt").read_text() == "x"
    stays = worker.run(f"import os\nprint(os.path.samefile(os.getcwd(), {str(tmp_path)!r}))")
    assert stays.output == "True\n", stays
    missing = worker.run("print('not run')", cwd=tmp_path / "no such folder")
    assert missing.output == "" and missing.error.startswith("FileNotFoundError"), missing
    with pytest.raises(TypeError, match="`cwd`"):
        worker.run("1", cwd=3)
