"""The build's and the checks' scheduling helpers: what they promise, tested so that they can fail."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import read_order  # noqa: E402


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _site_docnames() -> list[str]:
    docs = ROOT / "docs"
    return sorted(
        p.relative_to(docs).with_suffix("").as_posix() for p in docs.rglob("*.md") if "auto_examples" not in p.parts
    )


# --- docs/_ext/read_order.py ------------------------------------------------------


def test_balanced_order_keeps_every_document_once_and_ends_no_later_than_sorted():
    from sphinx.util.parallel import make_chunks

    docnames = [f"auto_examples/x{i}" for i in range(15)] + _site_docnames()
    costs = read_order.estimated_costs(docnames, ROOT / "docs", {})
    sizes = [len(c) for c in make_chunks(docnames, 2)]
    order = read_order.balanced_order(docnames, costs, sizes, 2)
    assert sorted(order) == sorted(docnames)
    before = read_order.makespan(make_chunks(docnames, 2), costs, 2)
    after = read_order.makespan(make_chunks(order, 2), costs, 2)
    assert after <= before
    # Within 10% of the bound no order can beat: half the total, or the heaviest page.
    assert after <= 1.1 * max(sum(costs.values()) / 2, max(costs.values()))


def test_balanced_order_separates_the_two_heaviest_of_one_chunk():
    costs = dict(a=1, b=1, c=1, d=9, e=8, f=1, g=1, h=1)
    order = read_order.balanced_order(list("abcdefgh"), costs, [3, 3, 2], 2)
    chunks = [order[:3], order[3:6], order[6:]]
    assert not any({"d", "e"} <= set(chunk) for chunk in chunks)
    assert read_order.makespan(chunks, costs, 2) == 12.0


def test_estimated_costs_prefer_the_last_run_then_the_table(tmp_path):
    (tmp_path / "new.md").write_text("```{code-cell} ipython3\nprint(1)\n```\n", encoding="utf-8")
    (tmp_path / "prose.md").write_text("# Only prose\n", encoding="utf-8")
    table = json.loads(read_order.TABLE.read_text(encoding="utf-8"))
    known_page = next(iter(table))
    costs = read_order.estimated_costs([known_page, "new", "prose"], tmp_path, {"new": 42.0})
    assert costs == {known_page: table[known_page], "new": 42.0, "prose": read_order.NOT_EXECUTED}
    assert read_order.estimated_costs(["new"], tmp_path, {})["new"] == read_order.UNKNOWN_NOTEBOOK


def test_the_hook_reorders_in_place_only_when_reading_in_parallel():
    docnames = [f"auto_examples/x{i}" for i in range(15)] + _site_docnames()
    env = SimpleNamespace(nb_metadata={})
    serial = list(docnames)
    read_order.on_env_before_read_docs(SimpleNamespace(parallel=1, srcdir=str(ROOT / "docs")), env, serial)
    assert serial == docnames
    parallel = list(docnames)
    read_order.on_env_before_read_docs(SimpleNamespace(parallel=2, srcdir=str(ROOT / "docs")), env, parallel)
    assert parallel != docnames and sorted(parallel) == sorted(docnames)


def test_the_table_names_pages_that_exist():
    table = json.loads(read_order.TABLE.read_text(encoding="utf-8"))
    assert table and all((ROOT / "docs" / f"{docname}.md").is_file() for docname in table)


def test_the_execution_cache_is_created_before_reading_only_when_pages_execute(tmp_path):
    import sqlite3

    def app(mode, folder):
        return SimpleNamespace(config=SimpleNamespace(nb_execution_mode=mode, nb_execution_cache_path=str(folder)))

    read_order.create_execution_cache(app("off", tmp_path / "off"))
    assert not (tmp_path / "off").exists()
    read_order.create_execution_cache(app("cache", tmp_path / "cache"))
    with sqlite3.connect(tmp_path / "cache" / "global.db") as db:  # readers then only open it
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "settings" in tables


# --- tools/check_robust.py ------------------------------------------------------


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_one_core_variant_pins_each_process_to_a_core_of_its_own():
    check_robust = _load_tool("check_robust")
    variant = check_robust.Variant("numerics", {}, one_core=True)
    code = "import os, time; print(sorted(os.sched_getaffinity(0))); time.sleep(0.5)"
    with ThreadPoolExecutor(variant.jobs) as pool:
        done = list(pool.map(lambda _: check_robust.run(variant, [sys.executable, "-c", code]), range(variant.jobs)))
    cores = [json.loads(d.stdout) for d in done]
    assert all(len(c) == 1 for c in cores)
    assert len({c[0] for c in cores}) == variant.jobs  # side by side, never two on one core
    baseline = check_robust.run(check_robust.Variant("baseline"), [sys.executable, "-c", code])
    assert len(json.loads(baseline.stdout)) == len(os.sched_getaffinity(0))


def test_longest_pages_start_first():
    check_robust = _load_tool("check_robust")
    pages = [ROOT / "docs" / f"{d}.md" for d in json.loads(check_robust.COSTS.read_text(encoding="utf-8"))]
    first = max(pages, key=check_robust.expected_seconds)
    assert first.name == "multi-worker-training.md"


# --- tools/check_downloads.py -----------------------------------------------------


def _notebook(cells: list[tuple[str, str, str]]) -> bytes:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": kind,
                    "id": cell_id,
                    "metadata": {},
                    "source": source,
                    **({"outputs": [], "execution_count": None} if kind == "code" else {}),
                }
                for kind, cell_id, source in cells
            ],
            "metadata": {"kernelspec": {"name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ).encode()


def test_notebooks_differing_outside_their_code_run_once():
    check_downloads = _load_tool("check_downloads")
    english = _notebook([("code", "a1", "# install\n"), ("markdown", "a2", "Hello"), ("code", "a3", "print(1)")])
    chinese = _notebook([("code", "b1", "# install\n"), ("markdown", "b2", "你好"), ("code", "b3", "print(1)")])
    other = _notebook([("code", "c1", "# install\n"), ("markdown", "c2", "Hello"), ("code", "c3", "print(2)")])
    key = check_downloads.run_key
    assert key("page.ipynb", english) == key("page.ipynb", chinese)
    assert key("page.ipynb", english) != key("page.ipynb", other)
    assert key("a.py", b"print(1)\n") != key("a.py", b"print(1) \n")


# --- docs/_ext/light_keras.py ---------------------------------------------------

LIGHT_KERAS_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import build_environment
build_environment.configure_kernel()
import keras
hidden = [name for name in ("sklearn", "matplotlib.pyplot") if name in sys.modules]
import matplotlib.pyplot
from sklearn.datasets import load_digits
print(hidden, keras.optimizers.SGD(0.1).__class__.__name__, load_digits().data.shape)
"""


def test_keras_imports_without_sklearn_and_pyplot_which_pages_still_get():
    done = subprocess.run(
        [sys.executable, "-c", LIGHT_KERAS_PROBE, str(ROOT / "docs" / "_ext")],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["[]", "SGD", "(1797,", "64)"]


def test_baseline_pages_come_from_the_build_cache_unless_it_is_older_than_the_sources(tmp_path, monkeypatch):
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook

    check_robust = _load_tool("check_robust")
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "docs" / "_ext").mkdir(parents=True)
    (root / "src" / "module.py").write_text("", encoding="utf-8")
    page = root / "docs" / "page.md"
    page.write_text(
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"
        "# Page\n\n```{code-cell} ipython3\nprint(6 * 7)\n```\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(check_robust, "ROOT", root)
    monkeypatch.setattr(check_robust, "BUILD_CACHE", root / "_build" / ".jupyter_cache")
    assert check_robust.from_build(page) is None  # no cache at all

    nb = read_myst_markdown_notebook(page.read_text(encoding="utf-8"), path=page)
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    cache = get_cache(str(check_robust.BUILD_CACHE))
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(page)), check_validity=False)
    record = check_robust.from_build(page)
    assert record is not None and record["cells"] == ["42\n"] and record["error"] is None

    later = (root / "src" / "module.py").stat().st_mtime + 60  # the package changed after the build
    os.utime(root / "src" / "module.py", (later, later))
    assert check_robust.from_build(page) is None
    page.write_text(page.read_text(encoding="utf-8").replace("6 * 7", "6 * 9"), encoding="utf-8")
    os.utime(root / "src" / "module.py", (0, 0))
    assert check_robust.from_build(page) is None  # other code: no match
