"""The build's environment: TensorFlow's start-up lines filtered, real stderr kept, seeds shiftable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import quiet_tensorflow  # noqa: E402

EXECUTE = ROOT / "tools" / "execute.py"
STARTUP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796114080.710257    2573 port.cc:153] oneDNN custom operations are on. You may see "
    "slightly different numerical results due to floating-point round-off errors from different "
    "computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.\n"
)


def test_only_the_startup_lines_are_dropped():
    real = "W0000 something.cc:1] a real warning\n"
    assert quiet_tensorflow.without_startup_lines(STARTUP + real + STARTUP) == real
    assert quiet_tensorflow.without_startup_lines("oneDNN custom operations are on.\n") != ""


def _page(tmp_path: Path, *cells: str) -> Path:
    body = "".join(f"```{{code-cell}} ipython3\n{cell}\n```\n\n" for cell in cells)
    page = tmp_path / "page.md"
    page.write_text("---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n"
                    "# A page\n\n" + body, encoding="utf-8")
    return page


def _execute(page: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(EXECUTE), str(page)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=240)


@pytest.mark.parametrize("onednn", ["0", "1"])
def test_importing_tensorflow_in_a_page_writes_no_stderr(tmp_path, onednn):
    page = _page(tmp_path, "import tensorflow as tf\nprint(tf.constant(2.0) * 3)")
    done = _execute(page, TF_ENABLE_ONEDNN_OPTS=onednn)
    assert done.returncode == 0, done.stderr
    assert "6.0" in done.stdout and "oneDNN" not in done.stdout + done.stderr


def test_a_real_warning_in_a_cell_still_fails(tmp_path):
    page = _page(tmp_path, "import tensorflow as tf", "import warnings\nwarnings.warn('a real warning')")
    done = _execute(page, TF_ENABLE_ONEDNN_OPTS="1")
    assert done.returncode == 1
    assert "stderr in code cell 2" in done.stderr and "a real warning" in done.stderr


def test_seed_offset_shifts_every_global_seed(tmp_path):
    cell = ("import random, numpy as np, keras, tensorflow as tf\n"
            "keras.utils.set_random_seed({seed})\n"
            "print(random.random(), np.random.rand(), float(tf.random.uniform(())), "
            "np.random.default_rng({seed}).random())")
    shifted = _execute(_page(tmp_path, cell.format(seed=0)), TFOPT_SEED_OFFSET="3")
    (tmp_path / "other").mkdir()
    plain = _execute(_page(tmp_path / "other", cell.format(seed=3)), TFOPT_SEED_OFFSET="0")
    assert shifted.returncode == plain.returncode == 0, shifted.stderr + plain.stderr
    assert shifted.stdout == plain.stdout
