"""What a build costs, measured side by side in one run (`make bench`).

1. a clean build of both languages, split into its phases (English:
   gallery, reading and executing the pages, writing; then the Chinese
   build, which reuses the English execution), and its cost per executed
   document (a page with code cells, or a gallery example);
2. an unchanged rebuild;
3. a rebuild after a prose-only edit of one page (nothing may execute);
4. a rebuild after an edit of one code cell (that page alone executes);
5. the peak memory of the whole build: every process's proportional set
   size (PSS), summed. PSS splits each shared page between the processes
   that map it, so the sum is the memory the build takes from the machine;
   summed resident sizes (RSS, also printed) count TensorFlow's libraries
   and the pages a forked Sphinx reader shares with its parent once per
   process.

The edited page is restored afterwards. Absolute times on a shared machine
are noisy; the ratios, taken in the same run, hold better.

First, unless ``--no-baseline`` is given, the same clean build of the
baseline, :data:`BASELINE` (or ``--baseline COMMIT``), in a clone of its
own with its own ``.venv``: the cost per executed document is then also
printed as a ratio to the baseline's, measured minutes apart on the same
machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
# Everything a clean build recreates: output, doctrees, execution caches.
GENERATED = [ROOT / "_build", ROOT / "docs" / "auto_examples"]
EDITED_PAGE = ROOT / "docs" / "tutorials" / "first-gradient.md"
PROSE_EDIT = ("In this tutorial you ask", "In this tutorial, you ask")
CODE_CELL = "```{code-cell} ipython3\n"
EXECUTING = "Executing notebook"
#: main when the build was asked to become half as costly per executed document
#: (27 pages and 11 examples, read one at a time).
BASELINE = "7b77338"
#: The baseline's Sphinx options, without -W: where oneDNN is on by default, TensorFlow's
#: start-up line reaches its cells' stderr, which -W makes an error (fixed after it, in the
#: issue about building on every machine). A warning costs nothing the bench measures.
BASELINE_SPHINXOPTS = "SPHINXOPTS=-n --keep-going"
#: The baseline's checks of a chaotic training (main replaced it with a convex problem in
#: cd57e81): they fail in about half of its builds here, and cost nothing to skip.
BASELINE_CHAOTIC_CHECKS = {
    "examples/schedules/plot_constant_vs_decayed.py": ("assert final[", "assert accuracies["),
}


class PeakMemory:
    """Samples the summed memory (PSS, and RSS) of a process and all its children.

    Reading a process's PSS makes the kernel walk its page tables: about 10 ms
    for a process that has imported TensorFlow, so a look at the dozen
    processes of a build costs a tenth of a second of CPU. Once a second it
    slows the build it measures by a few percent; :attr:`cpu_seconds` says how
    much it took.
    """

    def __init__(self, interval: float = 1.0):
        self.interval, self._stop = interval, threading.Event()
        self.peak = self.peak_rss = 0
        self.cpu_seconds = 0.0

    def watch(self, pid: int) -> None:
        def sample():
            try:
                parent = psutil.Process(pid)
            except psutil.NoSuchProcess:
                return
            while not self._stop.is_set():
                pss = rss = 0
                try:
                    for proc in [parent, *parent.children(recursive=True)]:
                        try:
                            info = proc.memory_full_info()
                        except psutil.Error:
                            continue
                        pss, rss = pss + info.pss, rss + info.rss
                except psutil.NoSuchProcess:
                    return
                self.peak, self.peak_rss = max(self.peak, pss), max(self.peak_rss, rss)
                self.cpu_seconds = time.thread_time()
                time.sleep(self.interval)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def timed_make(
    target: str, memory: PeakMemory | None = None, tree: Path = ROOT, variables: tuple[str, ...] = ()
) -> tuple[float, list[tuple[float, str]]]:
    """Run a make target in ``tree`` (with make ``variables``, ``NAME=value``); return its
    time and its output lines with their times."""
    start = time.perf_counter()
    # Unbuffered: each line is timed when Sphinx writes it, not when a pipe buffer fills.
    proc = subprocess.Popen(
        ["make", "--no-print-directory", target, *variables],
        cwd=tree,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    if memory:
        memory.watch(proc.pid)
    lines = [(time.perf_counter() - start, line) for line in proc.stdout]
    proc.wait()
    if memory:
        memory.stop()
    if proc.returncode:
        tail = "".join(line for _, line in lines[-40:])
        raise SystemExit(f"make {target} failed:\n{tail}")
    return time.perf_counter() - start, lines


def phases(lines: list[tuple[float, str]], total: float) -> dict[str, float]:
    """Split an English build's log into gallery / reading / writing."""

    def first(pattern: str) -> float:
        return next((t for t, line in lines if re.search(pattern, line)), total)

    # With -j, "reading sources" is printed as each chunk of pages ends, and sphinx-gallery and
    # the .mo step print their own "writing output": the phases start where Sphinx's do.
    gallery, reading, writing = (
        first(r"generating gallery"),
        first(r"^updating environment"),
        first(r"^pickling environment"),
    )
    return {"gallery": reading - gallery, "reading and executing pages": writing - reading, "writing": total - writing}


@contextmanager
def edited(path: Path, old: str, new: str):
    original = path.read_text(encoding="utf-8")
    if old not in original:
        raise SystemExit(f"{path} no longer contains {old!r}: update benchmarks/build_times.py")
    path.write_text(original.replace(old, new, 1), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(original, encoding="utf-8")


def executed_documents(tree: Path = ROOT) -> int:
    pages = [
        p
        for p in (tree / "docs").rglob("*.md")
        if "auto_examples" not in p.parts and CODE_CELL in p.read_text(encoding="utf-8")
    ]
    return len(pages) + len(list((tree / "examples").rglob("plot_*.py")))


def install(tree: Path) -> None:
    """``make install`` in ``tree``, quiet unless it fails (pip warns about every index it skips)."""
    done = subprocess.run(["make", "--no-print-directory", "install"], cwd=tree, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"make install failed in {tree}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def skip_chaotic_checks(tree: Path) -> None:
    """Comment out :data:`BASELINE_CHAOTIC_CHECKS` in ``tree`` (where it still has them)."""
    for name, starts in BASELINE_CHAOTIC_CHECKS.items():
        path = tree / name
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            path.write_text(
                "".join("# " + line if line.startswith(starts) else line for line in lines), encoding="utf-8"
            )


def baseline_build(commit: str) -> tuple[float, int, PeakMemory] | None:
    """The clean two-language build of ``commit``, in a fresh clone: its time, its executed
    documents and its memory, sampled as this tree's is (None if it fails)."""
    with tempfile.TemporaryDirectory(prefix="tfopt-baseline-") as folder:
        tree = Path(folder)
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(tree)], check=True)
        if subprocess.run(["git", "-C", str(tree), "checkout", "--quiet", commit]).returncode:
            raise SystemExit(f"no baseline {commit} in this clone (a shallow one?): run with --no-baseline")
        skip_chaotic_checks(tree)
        install(tree)
        memory = PeakMemory()
        try:
            seconds, _ = timed_make("html", memory, tree=tree, variables=(BASELINE_SPHINXOPTS,))
        except SystemExit as failure:  # measure this tree all the same, without the ratio
            print(f"the baseline {commit} failed to build, so no ratio to it: {failure}", file=sys.stderr)
            return None
        return seconds, executed_documents(tree), memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"commit to compare with (default {BASELINE})")
    parser.add_argument("--no-baseline", action="store_true", help="measure this tree only")
    args = parser.parse_args()
    baseline = None if args.no_baseline else baseline_build(args.baseline)
    for path in GENERATED:
        shutil.rmtree(path, ignore_errors=True)
    install(ROOT)
    english_memory, chinese_memory = PeakMemory(), PeakMemory()
    english, english_log = timed_make("html-en", english_memory)
    chinese, _ = timed_make("html-zh", chinese_memory)
    clean = english + chinese
    unchanged, _ = timed_make("html")
    with edited(EDITED_PAGE, *PROSE_EDIT):
        prose, prose_log = timed_make("html-en")
    with edited(EDITED_PAGE, CODE_CELL, CODE_CELL + "_ = 'edited'\n"):
        code, code_log = timed_make("html-en")
    timed_make("html-en")  # back to the committed page (cached: nothing executes)

    documents = executed_documents()
    executed_after_prose = sum(EXECUTING in line for _, line in prose_log)
    executed_after_code = sum(EXECUTING in line for _, line in code_log)
    rows, per_document_ratio, memories = [], "", [("", english_memory, chinese_memory)]
    if baseline:
        baseline_clean, baseline_documents, baseline_memory = baseline
        memories.insert(0, (f", baseline {args.baseline}", baseline_memory))
        baseline_per_document = baseline_clean / baseline_documents
        rows += [(f"baseline {args.baseline}, en + zh_CN", baseline_clean, f"clean, {baseline_documents} documents")]
        rows += [("  per executed document", baseline_per_document, "")]
        per_document_ratio = f", {clean / documents / baseline_per_document:.2f} x the baseline's"
    rows += [("clean build, en + zh_CN", clean, "")]
    rows += [(f"  en: {name}", seconds, "") for name, seconds in phases(english_log, english).items()]
    rows += [("  zh_CN, after en", chinese, f"{chinese / english:.2f} x en")]
    rows += [
        ("per executed document", clean / documents, f"{documents} documents{per_document_ratio}"),
        ("unchanged rebuild", unchanged, f"clean / unchanged {clean / unchanged:.0f} x"),
        ("one prose edit, en", prose, f"{executed_after_prose} notebooks executed"),
        ("one code-cell edit, en", code, f"{executed_after_code} notebook executed"),
    ]
    for label, seconds, note in rows:
        print(f"{label:30s} {seconds:8.1f} s   {note}")
    for whose, *samplers in memories:
        peak, peak_rss = (max(getattr(m, name) for m in samplers) / 2**30 for name in ("peak", "peak_rss"))
        sampling = sum(m.cpu_seconds for m in samplers)
        print(
            f"{'peak memory' + whose:30s} {peak:8.2f} GiB   PSS summed over all processes (RSS summed: "
            f"{peak_rss:.2f} GiB; sampling took {sampling:.0f} s of CPU)"
        )


if __name__ == "__main__":
    main()
