"""Run every download of the built site the way a reader would, outside the repository.

    .venv/bin/python tools/check_downloads.py                 # _build/html/<each language>
    .venv/bin/python tools/check_downloads.py --html /tmp/x-html -k rosenbrock

Collects every ``.py`` and ``.ipynb`` under the built site's ``_downloads/``
(the gallery's scripts and notebooks, the zip archives' members, and any page
notebook), identical files once. Then, in a fresh virtual environment made in
a temporary folder:

Notebooks that differ only outside their code cells (the two languages'
copies of a page's notebook) count as one download and run once.

1. installs ``tfopt_docs[tf]`` (plus ``nbclient`` and ``ipykernel``, which run
   the notebooks, and ``tf_keras`` from ``requirements/tf-keras.txt``, without
   its dependencies, which the porting page's notebook runs) with the command the downloads give, from the wheel the site
   serves (``pip --find-links``, over a loopback HTTP server on the built
   site), every third-party package constrained to its pin in
   ``requirements/lock.txt``: no editable install, nothing from the repository;
2. checks that every installed package has the lock's version, and that the
   installed ``tfopt_docs`` is the served wheel (same RECORD);
3. runs each ``.py`` with ``python`` and executes each ``.ipynb`` with nbclient,
   each alone in an empty temporary folder, with ``MPLBACKEND=Agg``, a fresh
   ``HOME`` and no ``PYTHONPATH``: a download that imports something the wheel
   does not provide, or reads a file only the repository has, fails.

It also fails if a download does not say in its first lines what to install.
Prints one line per download with its time, and the total; exit status 1 on
any failure. The third-party wheels come from the index once, then from
``~/.cache/tfopt_docs/wheelhouse`` (``TFOPT_WHEELHOUSE`` overrides it).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import site_languages  # noqa: E402  (docs/_ext: conf.py's site_languages, standard library only)

LOCK = ROOT / "requirements" / "lock.txt"
# Keras 2 for the porting page's notebook, installed with --no-deps (the file says why).
TF_KERAS = ROOT / "requirements" / "tf-keras.txt"
# Third-party wheels kept between runs, like pip's own cache (outside the clone,
# so a fresh clone on the same machine reuses them).
WHEELHOUSE = Path(
    os.environ.get("TFOPT_WHEELHOUSE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tfopt_docs" / "wheelhouse"
)
WHEEL_FOLDER = "_downloads/tfopt_docs"  # docs/_ext/site_downloads.py serves the wheel there
INSTALL_NOTE = 'pip install "tfopt_docs[tf]"'
NOTE_LINES = 12  # the note must be within this many first lines (first notebook cell)
TIMEOUT = 600  # seconds per download
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # the colours of IPython's tracebacks
# Besides the package: what a reader's Jupyter brings, to execute the notebooks.
RUNNERS = ["nbclient", "ipykernel"]
# In the fresh environment but never pinned by pip-compile.
UNPINNED = {"pip", "setuptools", "wheel", "tfopt-docs"}


@dataclass
class Download:
    name: str
    data: bytes
    origins: list[str]

    @property
    def kind(self) -> str:
        return Path(self.name).suffix

    @property
    def origin(self) -> str:
        """Where the site offers it (a plain file rather than a zip member)."""
        return min(self.origins, key=lambda o: (":" in o, o))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


#: Downloads checked for their install note but not run here, and why.
NOT_RUN = {
    "multi-worker-training.ipynb": "it starts a cluster of worker processes with time limits that a loaded "
    "machine can miss; the build and `make check-robust` run it",
}


def run_key(name: str, data: bytes) -> str:
    """What decides how a download runs: a script's bytes, a notebook's code cells.

    Two notebooks with the same code cells in the same order (the English
    and Chinese copies of a page's notebook, which differ in their cell ids
    or their Markdown) run the same way, so they are run once; each copy's
    first cell is code, so its install note is part of what they share.
    """
    if not name.endswith(".ipynb"):
        return hashlib.sha256(data).hexdigest()
    try:
        notebook = json.loads(data)
        code = [
            ("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for c in notebook["cells"]
            if c.get("cell_type") == "code"
        ]
        kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name")
    except (ValueError, KeyError, TypeError):  # not a notebook: compare the bytes (and fail when run)
        return hashlib.sha256(data).hexdigest()
    return "ipynb:" + hashlib.sha256(json.dumps([kernel, code]).encode()).hexdigest()


def collect(sites: list[Path]) -> dict[str, Download]:
    """Every .py and .ipynb the sites offer, once per way of running
    (:func:`run_key`: identical scripts, notebooks with the same code)."""
    found: dict[str, Download] = {}

    def add(name: str, data: bytes, origin: str) -> None:
        key = run_key(name, data)
        if key in found:
            found[key].origins.append(origin)
        else:
            found[key] = Download(name, data, [origin])

    for site in sites:
        downloads = site / "_downloads"
        for path in sorted(downloads.rglob("*")):
            rel = f"{site.name}/{path.relative_to(site)}"
            if not path.is_file() or path.is_relative_to(site / WHEEL_FOLDER):
                continue
            if path.suffix in (".py", ".ipynb"):
                add(path.name, path.read_bytes(), rel)
            elif path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    for member in archive.namelist():
                        if member.endswith((".py", ".ipynb")):
                            add(Path(member).name, archive.read(member), f"{rel}:{member}")
    return found


def first_lines(download: Download) -> str:
    if download.kind == ".ipynb":
        cells = json.loads(download.data)["cells"]
        source = cells[0]["source"] if cells else ""
        text = "".join(source) if isinstance(source, list) else source
    else:
        text = download.data.decode("utf-8")
    return "\n".join(text.splitlines()[:NOTE_LINES])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve a folder on 127.0.0.1 (a free port) in a thread; return server and base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (LOCK.read_text(encoding="utf-8") + TF_KERAS.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line)
        if m:
            pins[canonical(m.group(1))] = m.group(2)
    return pins


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def clean_env(home: Path, venv: Path) -> dict[str, str]:
    """A reader's environment: the venv first on PATH, a fresh HOME, nothing of the build's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "TFOPT_", "TF_", "JUPYTER", "MPL", "VIRTUAL_ENV", "KERAS"))
    }
    env.update(
        HOME=str(home),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        MPLBACKEND="Agg",
        PYTHONNOUSERSITE="1",
    )
    return env


def make_environment(tmp: Path, find_links: str, wheel: Path) -> tuple[Path, list[str]]:
    """The fresh venv with the package from the served wheel; returns it and its problems."""
    venv = tmp / "venv"
    problems = []
    done = run([sys.executable, "-m", "venv", str(venv)])
    if done.returncode:
        return venv, [f"python -m venv failed:\n{done.stderr}"]
    python = str(venv / "bin" / "python")
    # The lock file's pins as constraints: pip takes each package at its pinned
    # version, and only what tfopt_docs[tf] and the notebook runners need. The
    # third-party wheels are kept in WHEELHOUSE between runs (pip
    # download fetches only what is missing); the package comes from the site.
    requirements = ["-c", str(LOCK), "tfopt_docs[tf]", *RUNNERS, "--find-links", find_links]
    pip = [python, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    env = {**os.environ, "PYTHONNOUSERSITE": "1"}
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    keras2 = ["--no-deps", "--require-hashes", "-r", str(TF_KERAS)]
    steps = [
        ["download", "--dest", str(WHEELHOUSE), *requirements],
        # --no-compile: Python compiles what a download imports, not all of TensorFlow.
        ["install", "--no-index", "--no-compile", "--find-links", str(WHEELHOUSE), *requirements],
        ["download", "--dest", str(WHEELHOUSE), *keras2],
        ["install", "--no-index", "--no-compile", "--find-links", str(WHEELHOUSE), *keras2],
    ]
    for step in steps:
        for stale in WHEELHOUSE.glob("tfopt_docs-*"):
            stale.unlink()  # the package always comes from the site, never from here
        print("$ pip " + " ".join(step), flush=True)
        done = run(pip + step, cwd=tmp, env=env)
        if done.returncode:
            return venv, [f"pip {step[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"]
    probe = (
        "import json, importlib.metadata as m, tfopt_docs\n"
        "d = m.distribution('tfopt_docs')\n"
        "print(json.dumps({'installed': {x.metadata['Name']: x.version for x in m.distributions()},"
        " 'record': d.read_text('RECORD'), 'file': tfopt_docs.__file__}))\n"
    )
    done = run([python, "-c", probe], cwd=tmp, env=clean_env(tmp, venv))
    if done.returncode:
        return venv, [f"the fresh environment cannot import tfopt_docs:\n{done.stderr[-2000:]}"]
    info = json.loads(done.stdout)
    pins = lock_pins()
    for name, version in sorted(info["installed"].items()):
        key = canonical(name)
        if key in UNPINNED:
            continue
        if key not in pins:
            problems.append(f"{name} {version} is installed but not pinned in {LOCK.relative_to(ROOT)}")
        elif pins[key] != version:
            problems.append(f"{name} {version} is installed, the lock pins {pins[key]}")
    with zipfile.ZipFile(wheel) as archive:
        record = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
    if not set(record.split()) <= set(info["record"].split()):  # pip adds INSTALLER, .pyc
        problems.append("the installed tfopt_docs is not the wheel the site serves")
    if not Path(info["file"]).is_relative_to(venv):
        problems.append(f"tfopt_docs is imported from {info['file']}, outside the fresh environment")
    return venv, problems


NOTEBOOK_RUNNER = """\
import sys, nbformat, nbclient
nb = nbformat.read(sys.argv[1], as_version=4)
client = nbclient.NotebookClient(nb, timeout=int(sys.argv[2]), kernel_name="python3",
                                 resources={"metadata": {"path": "."}})
try:
    client.execute()
finally:  # what the cells printed, for the probe and for a failure's message
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                sys.stdout.write(out["text"])
"""

KERNEL_PROBE = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "probe",
            "metadata": {},
            "outputs": [],
            "source": "import sys\nprint(sys.executable)",
        }
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def run_download(download: Download, tmp: Path, venv: Path) -> tuple[bool, float, str]:
    """Run one download alone in an empty folder; return (passed, seconds, what it printed)."""
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=tmp))
    work, home = folder / "work", folder / "home"  # work holds the download and nothing else
    work.mkdir()
    home.mkdir()
    (work / download.name).write_bytes(download.data)
    python = str(venv / "bin" / "python")
    if download.kind == ".py":
        cmd = [python, download.name]
    else:
        cmd = [python, "-c", NOTEBOOK_RUNNER, download.name, str(TIMEOUT)]
    start = time.perf_counter()
    try:
        done = run(cmd, cwd=work, env=clean_env(home, venv), timeout=TIMEOUT + 60)
        passed, output = done.returncode == 0, ANSI.sub("", done.stdout + done.stderr)
    except subprocess.TimeoutExpired:
        passed, output = False, f"timed out after {TIMEOUT + 60} s"
    return passed, time.perf_counter() - start, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--html",
        type=Path,
        action="append",
        help="a built language of the site (default: _build/html/<each language of conf.py>)",
    )
    parser.add_argument("-k", dest="pattern", help="run only downloads whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sites = args.html or [p for p in (ROOT / "_build" / "html" / code for code in site_languages.codes()) if p.is_dir()]
    if not sites:
        print("no built site: run `make html` first (or pass --html DIR)", file=sys.stderr)
        return 1
    total_start = time.perf_counter()
    failures: list[str] = []
    for site in sites:
        if not (site / WHEEL_FOLDER).is_dir():
            failures.append(f"{site} serves no wheel under {WHEEL_FOLDER}/")
    downloads = collect(sites)
    kinds = {kind: sum(d.kind == kind for d in downloads.values()) for kind in (".py", ".ipynb")}
    for kind, count in kinds.items():
        if not count:
            failures.append(f"the site offers no {kind} download")
    for d in downloads.values():
        if INSTALL_NOTE not in first_lines(d):
            failures.append(f"{d.origin}: its first lines do not say `{INSTALL_NOTE} ...`")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(
        f"{len(downloads)} distinct downloads ({kinds['.py']} .py, {kinds['.ipynb']} .ipynb) "
        f"from {', '.join(str(s) for s in sites)}",
        flush=True,
    )
    site = sites[0]
    wheels = sorted((site / WHEEL_FOLDER).glob("*.whl"))
    if len(wheels) != 1:
        print(f"{site / WHEEL_FOLDER} must hold one wheel, holds {[w.name for w in wheels]}", file=sys.stderr)
        return 1

    tmp = Path(tempfile.mkdtemp(prefix="tfopt-downloads-"))
    server, base = serve(site)  # the site as a reader's pip sees it, on loopback only
    try:
        start = time.perf_counter()
        venv, problems = make_environment(tmp, f"{base}{WHEEL_FOLDER}/", wheels[0])
        print(f"fresh environment with {wheels[0].name}: {time.perf_counter() - start:.1f} s", flush=True)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        probe = Download("kernel_probe.ipynb", json.dumps(KERNEL_PROBE).encode(), ["probe"])
        passed, seconds, output = run_download(probe, tmp, venv)
        print(f"notebook kernel probe: {seconds:.1f} s", flush=True)
        if not passed or not Path(output.strip()).is_relative_to(venv):
            print(f"the notebook kernel does not run the fresh environment's Python:\n{output}", file=sys.stderr)
            return 1
        selected = [d for d in downloads.values() if not args.pattern or args.pattern in d.name]
        for d in [d for d in selected if d.name in NOT_RUN]:
            print(f"not run          {d.name}: {NOT_RUN[d.name]}", flush=True)
        selected = [d for d in selected if d.name not in NOT_RUN]
        run_time = 0.0
        # Each download runs alone in its own folder, so they can run side by side.
        jobs = len(os.sched_getaffinity(0))
        with ThreadPoolExecutor(jobs) as pool:
            ordered = sorted(selected, key=lambda d: -len(d.data))  # the longest first
            for d, (passed, seconds, output) in zip(ordered, pool.map(lambda d: run_download(d, tmp, venv), ordered)):
                run_time += seconds
                print(f"{'ok  ' if passed else 'FAIL'} {seconds:6.1f} s  {d.name}", flush=True)
                if not passed:
                    failures.append(f"--- {d.name} ({d.origin}):\n{output[-4000:]}")
    finally:
        server.shutdown()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    total = time.perf_counter() - total_start
    print(f"time: downloads {run_time:.0f} s (on {jobs} cores), whole check {total:.0f} s")
    print(f"downloads: {len(selected) - len(failures)} passed, {len(failures)} failed")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
