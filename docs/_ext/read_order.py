"""Read the pages in an order that keeps every core busy (Sphinx ``-j``).

With ``-j N``, Sphinx cuts the sorted list of documents to read into
contiguous chunks (``sphinx.util.parallel.make_chunks``, 14 documents
each for this site with ``-j 3``) and reads (here: executes) them N chunks at a time, the
next chunk starting when one finishes. Sorted by name, the first chunk is
mostly the gallery's pages, which execute nothing, and the second holds most
of the how-to pages, the heaviest: one core then reads the second chunk
while the other finishes all the rest and waits.

On ``env-before-read-docs`` this reorders the list in place (the event is
meant for it) so that the chunks, which keep their sizes, cost about the
same: each document, heaviest first, goes to the chunk with the least
estimated cost that still has room. A document's cost is its last
execution time if this environment knows it (myst-nb's ``exec_data``, an
incremental build), else the time measured on a clean build and recorded in
``execution_seconds.json`` beside this file, else a guess from its size. The
estimates only change the order, never what is read or executed, so a stale
table costs time, not correctness. Refresh it after a clean build with::

    .venv/bin/python docs/_ext/read_order.py _build/.jupyter_cache

It also creates the execution cache's database before the readers start.
jupyter-cache creates it on first use, and on a clean build two readers
doing so at once fail with "table settings already exists"
(sphinx-doc/sphinx#12481).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLE = HERE / "execution_seconds.json"
#: A page that executes and that the table does not know yet: a typical page.
UNKNOWN_NOTEBOOK = 15.0
#: A page that executes nothing (reading and parsing only).
NOT_EXECUTED = 0.1


def estimated_costs(docnames: list[str], srcdir: Path, known: dict[str, float]) -> dict[str, float]:
    """Seconds each document is expected to take to read, by docname."""
    table = json.loads(TABLE.read_text(encoding="utf-8")) if TABLE.is_file() else {}
    costs = {}
    for docname in docnames:
        if docname in known:
            costs[docname] = known[docname]
        elif docname in table:
            costs[docname] = float(table[docname])
        else:
            page = srcdir / f"{docname}.md"
            text = page.read_text(encoding="utf-8") if page.is_file() else ""
            costs[docname] = UNKNOWN_NOTEBOOK if "{code-cell}" in text else NOT_EXECUTED
    return costs


def makespan(chunks: list[list[str]], costs: dict[str, float], nproc: int) -> float:
    """When the last of ``nproc`` processes finishes, taking the chunks in order as Sphinx does."""
    free = [0.0] * nproc
    for chunk in chunks:
        start = min(free)
        free[free.index(start)] = start + sum(costs[d] for d in chunk)
    return max(free)


def balanced_order(docnames: list[str], costs: dict[str, float], sizes: list[int], nproc: int) -> list[str]:
    """``docnames`` reordered so that chunks of ``sizes`` documents, read ``nproc``
    at a time in order, finish as early as can be found.

    Heaviest first, each document goes to the chunk with the least cost that
    still has room; then swapping two documents of different chunks is kept
    while it makes the simulated reading end earlier (:func:`makespan`).

    >>> costs = dict(a=1, b=1, c=1, d=9, e=8, f=1, g=1, h=1)
    >>> makespan([list("abc"), list("def"), list("gh")], costs, 2)  # sorted: d and e in one chunk
    18.0
    >>> order = balanced_order(list("abcdefgh"), costs, [3, 3, 2], 2)
    >>> makespan([order[:3], order[3:6], order[6:]], costs, 2)  # d and e apart
    12.0
    """
    chunks: list[list[str]] = [[] for _ in sizes]
    totals = [0.0] * len(sizes)
    for docname in sorted(docnames, key=lambda d: (-costs[d], d)):
        room = [i for i in range(len(sizes)) if len(chunks[i]) < sizes[i]]
        target = min(room, key=lambda i: (totals[i], i))
        chunks[target].append(docname)
        totals[target] += costs[docname]
    best = makespan(chunks, costs, nproc)
    improved = True
    while improved:
        improved = False
        for i in range(len(chunks)):
            for j in range(i + 1, len(chunks)):
                for a in range(len(chunks[i])):
                    for b in range(len(chunks[j])):
                        if costs[chunks[i][a]] == costs[chunks[j][b]]:
                            continue
                        chunks[i][a], chunks[j][b] = chunks[j][b], chunks[i][a]
                        time = makespan(chunks, costs, nproc)
                        if time < best - 1e-9:
                            best, improved = time, True
                        else:
                            chunks[i][a], chunks[j][b] = chunks[j][b], chunks[i][a]
    position = {d: i for i, d in enumerate(docnames)}  # within a chunk, the original (sorted) order
    return [d for chunk in chunks for d in sorted(chunk, key=position.__getitem__)]


def on_env_before_read_docs(app, env, docnames: list[str]) -> None:
    from sphinx.util.parallel import make_chunks

    nproc = app.parallel
    if nproc <= 1 or len(docnames) <= 5:  # Sphinx reads serially then
        return
    sizes = [len(chunk) for chunk in make_chunks(docnames, nproc)]
    known = {}
    for docname, data in getattr(env, "nb_metadata", {}).items():
        runtime = (data.get("exec_data") or {}).get("runtime")
        if runtime:
            known[docname] = float(runtime)
    costs = estimated_costs(docnames, Path(app.srcdir), known)
    docnames[:] = balanced_order(list(docnames), costs, sizes, nproc)


def refresh(cache_path: Path, srcdir: Path) -> dict[str, float]:
    """The table from a jupyter-cache: each page's latest execution time, in seconds."""
    from jupyter_cache import get_cache

    latest: dict[str, tuple] = {}
    for record in get_cache(str(cache_path)).list_cache_records():
        seconds = record.data.get("execution_seconds")
        try:
            docname = Path(record.uri).resolve().relative_to(srcdir).with_suffix("").as_posix()
        except ValueError:
            continue
        if seconds and (docname not in latest or record.created > latest[docname][0]):
            latest[docname] = (record.created, round(float(seconds), 1))
    return {docname: latest[docname][1] for docname in sorted(latest)}


def create_execution_cache(app) -> None:
    """Create the jupyter-cache database in this process, before parallel readers race to."""
    if app.config.nb_execution_mode == "cache":
        from jupyter_cache import get_cache

        get_cache(app.config.nb_execution_cache_path).db  # noqa: B018  (the property creates it)


def setup(app) -> dict:
    app.connect("builder-inited", create_execution_cache)
    app.connect("env-before-read-docs", on_env_before_read_docs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    table = refresh(Path(sys.argv[1]), HERE.parent)
    TABLE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"{TABLE}: {len(table)} pages, {sum(table.values()):.0f} s in all")
