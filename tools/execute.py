"""Execute one page or gallery example as the build does, and record what it printed.

    .venv/bin/python tools/execute.py docs/tutorials/first-gradient.md
    .venv/bin/python tools/execute.py examples/optimizers/plot_race_himmelblau.py --json out.json

A page (MyST notebook) runs cell by cell in a fresh kernel, in its own folder,
and fails on any error outside a cell tagged ``raises-exception`` and on any
stderr, as the build does; a cell tagged ``timing`` prints wall-clock times,
so its output is recorded as a placeholder. An example runs as ``__main__`` in its own folder
and fails if it raises (an ``assert`` included). The record lists, per cell
(or per example), the text it printed and a hash of every figure, so that
``tools/check_robust.py`` can compare runs; the exit status is 1 on failure.

The environment is the build's (``docs/_ext/build_environment.py``): TensorFlow's
start-up lines are filtered and ``TFOPT_SEED_OFFSET`` shifts the seeds.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import runpy
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import build_environment  # noqa: E402

TIMEOUT = 300  # seconds per cell, as conf.py's nb_execution_timeout


def _png_hash(data: bytes) -> str:
    return "png:" + hashlib.sha256(data).hexdigest()[:16]


def execute_page(path: Path) -> dict:
    import nbclient
    from myst_nb.core.read import read_myst_markdown_notebook

    nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT, kernel_name=kernel, resources={"metadata": {"path": str(path.parent)}}
    )
    error = None
    try:
        client.execute()
    except Exception as exc:  # CellExecutionError, timeouts, a dead kernel
        error = f"{type(exc).__name__}: {exc}"[-4000:]
    return record_of(nb, error)


def record_of(nb, error: str | None = None) -> dict:
    """The record of an executed notebook (also one from the build's execution cache)."""
    record = {"cells": [], "error": error}
    for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        texts, stderr = [], []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                (stderr if output.name == "stderr" else texts).append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                if "image/png" in data:
                    texts.append(_png_hash(data["image/png"].encode()))
                elif "text/plain" in data:
                    texts.append(data["text/plain"])
            elif output.output_type == "error":
                texts.append(f"{output.ename}: {output.evalue}")
        if stderr and "remove-stderr" not in cell.metadata.get("tags", []):
            record["error"] = record["error"] or f"stderr in code cell {index + 1}: {''.join(stderr)[:2000]}"
        if "timing" in cell.metadata.get("tags", []):
            # Wall-clock times differ on every run: such a cell still runs (and its
            # asserts must hold), but what it prints is not compared between runs.
            texts = ["(timings, not compared)"]
        record["cells"].append("".join(texts))
    return record


def execute_example(path: Path) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures: list[str] = []

    def show(*args, **kwargs):
        # sphinx-gallery scrapes every open figure after a block; hash them instead.
        for number in plt.get_fignums():
            buffer = io.BytesIO()
            plt.figure(number).savefig(buffer, format="png")
            figures.append(_png_hash(buffer.getvalue()))
        plt.close("all")

    plt.show = show
    captured, real_stdout = io.StringIO(), sys.stdout
    record = {"cells": [], "error": None}
    cwd = os.getcwd()
    os.chdir(path.parent)
    sys.stdout = captured
    try:
        runpy.run_path(str(path), run_name="__main__")
        show()
    except BaseException:
        record["error"] = traceback.format_exc(limit=-3)[-4000:]
    finally:
        sys.stdout = real_stdout
        os.chdir(cwd)
    record["cells"] = [captured.getvalue(), " ".join(figures)]
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a page under docs/ (.md) or an example under examples/ (.py)")
    parser.add_argument("--json", type=Path, help="write the record here instead of printing the outputs")
    args = parser.parse_args(argv)
    path = args.path.resolve()
    if path.suffix not in (".md", ".py") or not path.is_file():
        parser.error(f"path must be an existing .md page or .py example, got {args.path}")
    build_environment.configure_build()
    record = execute_page(path) if path.suffix == ".md" else execute_example(path)
    if args.json:
        args.json.write_text(json.dumps(record), encoding="utf-8")
    else:
        for index, text in enumerate(record["cells"], 1):
            print(f"--- [{index}]\n{text}", end="" if text.endswith("\n") else "\n")
        if record["error"]:
            print(f"FAILED: {record['error']}", file=sys.stderr)
    return 1 if record["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
