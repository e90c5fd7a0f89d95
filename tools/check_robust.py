"""Re-execute every page and example under perturbed numerics and seeds (`make check-robust`).

A claim that holds on one machine only is a bug. This check runs every
executed page (``docs/**/*.md`` notebooks), every gallery example and every
doctest (``pytest docs src``) in several variants of the environment:

========  ==============================================================
baseline  the machine's defaults (the pages as ``make html`` executed them, from
          its execution cache, when the cache is newer than src/ and
          docs/_ext/; ``--execute-baseline`` executes them again)
repeat    the same again: every output must be identical (determinism)
numerics  oneDNN flipped from the machine's default, on one core: each page,
          example or doctest run pinned to a core of its own (taskset), as
          many side by side as there are cores
seeds     every integer seed shifted by 1 (``TFOPT_SEED_OFFSET=1``)
========  ==============================================================

It fails if anything raises, any assertion fails in any variant, any doctest
fails in a perturbed variant (``make test`` runs them as the machine is),
or the repeat differs from the baseline. It then reports, per page and cell,
the printed values that changed between variants (``_build/robust/report.md``),
and fails if one of them is also written in the page's prose: a value that
changes with the CPU or the seed must not be stated as fixed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
EXECUTE = ROOT / "tools" / "execute.py"
# Measured execution times of the pages (docs/_ext/read_order.py keeps them), to start the longest first.
COSTS = ROOT / "docs" / "_ext" / "execution_seconds.json"
REPORT = ROOT / "_build" / "robust" / "report.md"
BUILD_CACHE = ROOT / "_build" / ".jupyter_cache"  # conf.py's nb_execution_cache_path
FIGURE = re.compile(r"png:[0-9a-f]+")  # a figure's hash, as tools/execute.py records it
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
# A number in prose is only taken as a stated output if it is this specific.
SPECIFIC = re.compile(r"\d*\.\d{2,}(?:e[-+]?\d+)?|\d+e[-+]?\d+|\d{3,}")


def onednn_default_is_on() -> bool:
    """Whether TensorFlow turns oneDNN on here when left to itself (it says so at import)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    probe = subprocess.run([PYTHON, "-c", "import tensorflow"], env=env, capture_output=True, text=True, check=True)
    return "oneDNN custom operations are on" in probe.stderr


@dataclass
class Variant:
    name: str
    env: dict = field(default_factory=dict)
    one_core: bool = False  # each process on one core of its own, as many side by side as there are cores

    @property
    def jobs(self) -> int:
        return len(os.sched_getaffinity(0))

    @property
    def cores(self) -> str:
        return f"{self.jobs} core(s)" + (", one per process" if self.one_core else "")


def variants(names: list[str]) -> list[Variant]:
    flipped = "0" if onednn_default_is_on() else "1"
    known = {
        "baseline": Variant("baseline"),
        "repeat": Variant("repeat"),
        "numerics": Variant("numerics", {"TF_ENABLE_ONEDNN_OPTS": flipped}, one_core=True),
        "seeds": Variant("seeds", {"TFOPT_SEED_OFFSET": "1"}),
    }
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}; the variants are {sorted(known)}")
    return [known[name] for name in names]


def executed_items(only: str | None) -> list[Path]:
    pages = [
        p
        for p in sorted((ROOT / "docs").rglob("*.md"))
        if "auto_examples" not in p.parts and "file_format: mystnb" in p.read_text(encoding="utf-8")[:300]
    ]
    examples = sorted((ROOT / "examples").rglob("plot_*.py"))
    items = pages + examples
    return [p for p in items if only is None or re.search(only, str(p.relative_to(ROOT)))]


#: The cores a one-core variant's processes may still take, one each (see :func:`run`).
FREE_CORES: queue.Queue = queue.Queue()
for _core in sorted(os.sched_getaffinity(0)):
    FREE_CORES.put(_core)


def run(variant: Variant, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run ``command`` in the variant's environment; a one-core variant pins it
    (and all it starts) to a core that no other process of this check holds."""
    env = {**os.environ, **variant.env}
    if not variant.one_core:
        return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, **kwargs)
    core = FREE_CORES.get()
    try:
        return subprocess.run(
            command,
            env=env,
            preexec_fn=lambda: os.sched_setaffinity(0, {core}),
            cwd=ROOT,
            capture_output=True,
            text=True,
            **kwargs,
        )
    finally:
        FREE_CORES.put(core)


def expected_seconds(item: Path) -> float:
    """A page's measured execution time if known, else a guess from its size."""
    costs = json.loads(COSTS.read_text(encoding="utf-8")) if COSTS.is_file() else {}
    docname = item.relative_to(ROOT / "docs").with_suffix("").as_posix() if item.is_relative_to(ROOT / "docs") else ""
    return float(costs.get(docname, item.stat().st_size / 1000))


def from_build(item: Path) -> dict | None:
    """A page's record as ``make html`` executed it (the machine's defaults, as
    the baseline), from myst-nb's execution cache; None if the cache has no
    entry for the page's code or is older than the package and the build's
    environment (``src/``, ``docs/_ext/``), which can change what a page prints."""
    if item.suffix != ".md" or not BUILD_CACHE.is_dir():
        return None
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    if str(EXECUTE.parent) not in sys.path:
        sys.path.insert(0, str(EXECUTE.parent))
    import execute as execute_tool

    nb = read_myst_markdown_notebook(item.read_text(encoding="utf-8"), path=item)
    cache = get_cache(str(BUILD_CACHE))
    try:
        record = cache.match_cache_notebook(nb)
        _, nb = cache.merge_match_into_notebook(nb)
    except KeyError:
        return None
    sources = [p for folder in ("src", "docs/_ext") for p in (ROOT / folder).rglob("*.py")]
    created = record.created.replace(tzinfo=record.created.tzinfo or datetime.UTC)  # stored in UTC
    if created.timestamp() < max(p.stat().st_mtime for p in sources):
        return None
    result = execute_tool.record_of(nb)
    result["seconds"], result["from_build"] = 0.0, True
    return result


def execute(variant: Variant, item: Path, out_dir: Path) -> dict:
    out = out_dir / (str(item.relative_to(ROOT)).replace("/", "__") + ".json")
    start = time.perf_counter()
    done = run(variant, [PYTHON, str(EXECUTE), str(item), "--json", str(out)])
    record = json.loads(out.read_text()) if out.is_file() else {"cells": [], "error": done.stderr[-4000:]}
    record["seconds"] = time.perf_counter() - start
    return record


def prose_and_code(item: Path) -> tuple[str, str]:
    """What a reader reads as statements (Markdown outside code, or an example's
    docstring and comment blocks), and the code itself."""
    text = item.read_text(encoding="utf-8")
    if item.suffix == ".md":
        code = "\n".join(re.findall(r"```.*?```", text, flags=re.S))
        return re.sub(r"```.*?```", "", text, flags=re.S), code
    docstring = re.match(r'\s*(?:#[^\n]*\n)*r?"""(.*?)"""', text, re.S)
    lines = text.splitlines()
    comments = [line.lstrip()[1:] for line in lines if line.lstrip().startswith("#")]
    code = [line for line in lines if not line.lstrip().startswith("#")]
    return (docstring.group(1) if docstring else "") + "\n".join(comments), "\n".join(code)


def changed_values(outputs: dict[str, str]) -> list[tuple[str, ...]]:
    """Numbers that differ between the variants' outputs of one cell, aligned
    line by line (so that one extra line does not shift every later number)."""
    lines = {name: FIGURE.sub("", text).splitlines() for name, text in outputs.items()}
    columns = []
    for row in zip(*lines.values()):
        tokens = [NUMBER.findall(line) for line in row]
        if len({len(t) for t in tokens}) == 1:
            columns += [column for column in zip(*tokens) if len(set(column)) > 1]
    return columns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--variants",
        default="baseline,repeat,numerics,seeds",
        help="comma-separated, from: baseline, repeat, numerics, seeds",
    )
    parser.add_argument("--only", help="a regular expression: only the pages and examples whose path matches")
    parser.add_argument("--no-doctests", action="store_true", help="skip `pytest docs src` in each variant")
    parser.add_argument(
        "--execute-baseline",
        action="store_true",
        help="execute every page for the baseline, even those `make html` has cached",
    )
    args = parser.parse_args(argv)
    chosen = variants([v.strip() for v in args.variants.split(",") if v.strip()])
    items = executed_items(args.only)
    if not items:
        raise SystemExit(f"no page or example matches {args.only!r}")

    results: dict[str, dict[Path, dict]] = {}
    failures: list[str] = []
    errors: list[str] = []  # reported last, where a log's tail shows them
    broken: set[Path] = set()  # their later cells have no output: comparing them says nothing
    with tempfile.TemporaryDirectory() as tmp:
        for variant in chosen:
            start = time.perf_counter()
            out_dir = Path(tmp) / variant.name
            out_dir.mkdir()
            # Longest first, so that the slowest item does not start last.
            order = sorted(items, key=expected_seconds, reverse=True)
            # The baseline is the machine's defaults, which `make html` has just executed:
            # the pages it cached are taken from there (the repeat variant re-executes them).
            built = {}
            if variant.name == "baseline" and not args.execute_baseline:
                built = {item: r for item in order if (r := from_build(item)) is not None}
            with ThreadPoolExecutor(variant.jobs) as pool:
                todo = [p for p in order if p not in built]
                records = {**built, **dict(zip(todo, pool.map(partial(execute, variant, out_dir=out_dir), todo)))}
                records = {item: records[item] for item in order}
            results[variant.name] = records
            for item, record in records.items():
                if record["error"]:
                    errors.append(f"[{variant.name}] {item.relative_to(ROOT)}: {record['error'].strip()}")
                    broken.add(item)
            # Doctests under the machine's defaults are `make test`'s; here, the perturbed ones.
            if not args.no_doctests and variant.env:
                doctests = run(variant, [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "docs", "src"])
                if doctests.returncode != 0:
                    errors.append(f"[{variant.name}] doctests (pytest docs src):\n{doctests.stdout[-6000:]}")
            reused = f" ({len(built)} pages as `make html` executed them)" if built else ""
            print(
                f"{variant.name:9s} {len(items)} pages and examples executed on {variant.cores} "
                f"in {time.perf_counter() - start:.0f} s{reused} {variant.env or ''}",
                flush=True,
            )

    lines = ["# Values that differ between variants", ""]
    stated = []
    names = [v.name for v in chosen]
    for item in items:
        rel = item.relative_to(ROOT)
        text, code = prose_and_code(item)
        for index in range(max(len(results[n][item]["cells"]) for n in names)):
            outputs = {n: (results[n][item]["cells"][index : index + 1] or [""])[0] for n in names}
            if len(set(outputs.values())) == 1:
                continue
            if item in broken:
                continue
            if "repeat" in outputs and outputs["repeat"] != outputs.get("baseline", outputs["repeat"]):
                failures.append(
                    f"[repeat] {rel} cell {index + 1}: not deterministic: "
                    f"{outputs['baseline'][:300]!r} then {outputs['repeat'][:300]!r}"
                )
            values = changed_values(outputs)
            shown = "; ".join(" | ".join(column) for column in values[:6]) or "(text or figure differs)"
            lines.append(f"- `{rel}` cell {index + 1}: {shown}" + (" ..." if len(values) > 6 else ""))
            for column in values:
                for value in set(column):
                    written = rf"(?<![\w.]){re.escape(value)}(?![\w])"
                    # A number the code itself writes (a learning rate, say) is an input, not a result.
                    if (
                        SPECIFIC.fullmatch(value.lstrip("-"))
                        and re.search(written, text)
                        and not re.search(written, code)
                    ):
                        stated.append(
                            f"{rel}: the prose states {value}, which the variants print as {' | '.join(column)}"
                        )
    lines.insert(1, f"Variants, in column order: {' | '.join(names)}.")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failures += sorted(set(stated)) + errors
    print(f"{len(lines) - 3} cells print values that differ between variants: see {REPORT.relative_to(ROOT)}")
    if failures:
        print(f"\n{len(failures)} problem(s):", *failures, sep="\n\n", file=sys.stderr)
        return 1
    print("check-robust: every page, example and doctest passed in every variant")
    return 0


if __name__ == "__main__":
    sys.exit(main())
