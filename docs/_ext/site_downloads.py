"""The package's wheel on the site, and the install note of every download.

A reader who downloads an example (``.py`` or ``.ipynb``) runs it outside the
repository, so it needs ``tfopt_docs``, which is not on PyPI yet. This
extension

* builds the wheel from the current sources into ``_build/dist/`` when it is
  missing or older than them (``python -m build --wheel --no-isolation``: the
  pinned setuptools of the lock file, no download);
* serves it on every language of the site, at the stable address
  ``<language>/_downloads/tfopt_docs/`` (:data:`WHEEL_FOLDER`), beside an
  ``index.html`` that lists it, so that
  ``pip install "tfopt_docs[tf]" --find-links <site>/en/_downloads/tfopt_docs/``
  works now and keeps working once the package is on PyPI;
* gives the pages the wheel's name and the command that installs it once
  downloaded (the MyST substitutions ``tfopt_docs_wheel`` and
  ``tfopt_docs_install``, used by the tutorials' "Before you start");
* writes the first cell of every gallery notebook (:func:`notebook_first_cell`,
  used by conf.py's ``sphinx_gallery_conf["first_notebook_cell"]``).

The site's public address, needed for a notebook opened in a hosted service,
comes from ``TFOPT_SITE_URL`` (the GitHub workflow sets it to the Pages URL)
or Read the Docs' ``READTHEDOCS_CANONICAL_URL``; without either, the notes
name the folder relative to the site. TensorFlow-free, like all of docs/_ext.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "_build" / "dist"
#: Where each language's site serves the wheel (relative to its root).
WHEEL_FOLDER = "_downloads/tfopt_docs"
#: What a reader installs: the package and everything the examples import.
REQUIREMENT = "tfopt_docs[tf]"
#: The sources the wheel is built from; a newer one makes it stale.
SOURCES = ("src", "pyproject.toml", "README.md", "LICENSE")


def version() -> str:
    """The package version, read from its one place without importing it."""
    text = (ROOT / "src" / "tfopt_docs" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise ExtensionError("src/tfopt_docs/__init__.py sets no __version__")
    return match.group(1)


def wheel_name() -> str:
    return f"tfopt_docs-{version()}-py3-none-any.whl"


def site_url() -> str | None:
    """The site's public root address, if this build knows it."""
    url = os.environ.get("TFOPT_SITE_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL")
    return url.rstrip("/") + "/" if url else None


def find_links_url(language: str = "en") -> str:
    base = site_url() or "<address of this site>/"
    return f"{base}{language}/{WHEEL_FOLDER}/"


def install_command() -> str:
    return f'pip install "{REQUIREMENT}" --find-links {find_links_url()}'


def notebook_first_cell() -> str:
    """The first cell of every downloadable notebook: what to install, from where.

    It installs the package when the kernel lacks it (a hosted notebook
    service), and does nothing where it is installed already.
    """
    does = "runs it" if site_url() else "stops with that command"
    lines = [
        f"# This notebook needs the tfopt_docs package, {version()}, with TensorFlow (Python 3.11+).",
        f"# It is not on PyPI yet: this site serves its wheel, {wheel_name()}.",
        "# Install it once in the environment of your kernel:",
        f"#     {install_command()}",
        f'# (once tfopt_docs is on PyPI: pip install "{REQUIREMENT}").',
        f"# When the package is missing (e.g. in a hosted notebook service), this cell {does}.",
        "import importlib.util",
        "",
        'if importlib.util.find_spec("tfopt_docs") is None:',
    ]
    if site_url():
        lines.append(f'    %pip install "{REQUIREMENT}" --find-links {find_links_url()}')
    else:
        message = f"tfopt_docs is not installed: {install_command()}"
        lines.append(f"    raise ModuleNotFoundError({message!r})")
    return "\n".join(lines)


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = (
            [
                p
                for p in path.rglob("*")
                if p.is_file()
                and "__pycache__" not in p.parts
                and not any(part.endswith(".egg-info") for part in p.parts)
            ]
            if path.is_dir()
            else [path]
        )
        newest = max([newest] + [p.stat().st_mtime for p in files])
    return newest


def build_wheel() -> Path:
    """The wheel of the current sources, built when missing or stale."""
    wheel = DIST / wheel_name()
    if wheel.is_file() and wheel.stat().st_mtime >= _newest_source_mtime():
        return wheel
    DIST.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(DIST), str(ROOT)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0 or not wheel.is_file():
        raise ExtensionError(f"building {wheel.name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return wheel


FIND_LINKS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>tfopt_docs {version}</title></head>
<body>
<h1>tfopt_docs {version}</h1>
<p>Install with <code>{command}</code></p>
<p><a href="{wheel}#sha256={sha256}">{wheel}</a></p>
</body>
</html>
"""


def on_builder_inited(app: Sphinx) -> None:
    if app.builder.format == "html":
        build_wheel()  # early: a package that does not build stops the build at once


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    wheel = build_wheel()  # up to date since builder-inited, unless a source changed since
    folder = Path(app.outdir) / WHEEL_FOLDER
    if folder.is_dir():
        shutil.rmtree(folder)  # no wheel of an older version stays listed
    folder.mkdir(parents=True)
    shutil.copy2(wheel, folder / wheel.name)
    sha256 = hashlib.sha256(wheel.read_bytes()).hexdigest()
    page = FIND_LINKS_PAGE.format(
        version=html.escape(version()),
        wheel=html.escape(wheel.name),
        sha256=sha256,
        command=html.escape(install_command()),
    )
    (folder / "index.html").write_text(page, encoding="utf-8")


def wheel_install_command() -> str:
    """How to install the wheel once downloaded, run in the folder it was saved to.

    Without dependencies: the tutorials' first command has installed them, and
    the ``tf`` extra names ``tensorflow-cpu``, which would go on top of that
    ``tensorflow`` (and has no macOS wheels).
    """
    return f'pip install --no-deps "./{wheel_name()}"'


def on_config_inited(app: Sphinx, config) -> None:
    """The pages' substitutions ``{{ tfopt_docs_wheel }}`` and ``{{ tfopt_docs_install }}``."""
    config.myst_substitutions = {
        **config.myst_substitutions,
        "tfopt_docs_wheel": f"`{wheel_name()}`",
        "tfopt_docs_install": f"`{wheel_install_command()}`",
    }


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
