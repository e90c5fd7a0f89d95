"""The TensorFlow and Keras versions the site states, read from the installed packages.

Pages and examples never write the pinned version out: they write a
substitution, which the build fills in from the packages it runs on (those
the lock file installs). Bumping the lock file is then the whole version
change of the site, and the translation catalogs do not change: Sphinx
extracts a message before substitutions are resolved, so the message keeps
``{{ tf_version }}`` (MyST pages) or ``|tf_version|`` (gallery examples),
and so does its translation, which is resolved when it is parsed in turn.

Substitutions (values with TensorFlow 2.21.0 and Keras 3.15.1 installed):

``tf_version``
    ``2.21``, as in "TensorFlow {{ tf_version }}".
``tf_release``
    ``2.21.0``.
``keras_version``
    ``3.15``, as in "Keras {{ keras_version }}".
``keras_release``
    ``3.15.1``, as in "Keras {{ keras_release }}" (a statement about the
    pinned release).
``pip_install_tf``
    inline code, ``pip install tensorflow==2.21.* keras matplotlib scikit-learn``:
    the ``tf`` extra of pyproject.toml, TensorFlow pinned to its minor version.

MyST pages write ``{{ tf_version }}`` (conf.py's ``myst_substitutions``,
with the ``substitution`` syntax enabled), also in titles, headings and
directive arguments; gallery examples write ``|tf_version|`` (conf.py's
``rst_epilog``). Historical versions ("TensorFlow 2.0", "since TF 2.16")
are facts about the past and stay literal; tests/test_site_versions.py fails
on a pinned version written out. As a Sphinx extension, this module also
fills in the gallery's thumbnail tooltips and every download (a reader's
copy of an example or a page notebook states the versions). TensorFlow-free:
only package metadata is read.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

#: Distributions that provide ``import tensorflow``, in the order tried: the
#: lock file installs the CPU-only build.
TENSORFLOW_DISTRIBUTIONS = ("tensorflow-cpu", "tensorflow")
KERAS_DISTRIBUTIONS = ("keras",)


def installed_release(distributions: tuple[str, ...]) -> str:
    """The version of the first of ``distributions`` that is installed.

    Raises:
        PackageNotFoundError: if none is (the site states no version it
            cannot check).
    """
    for name in distributions:
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    raise PackageNotFoundError(f"none of {', '.join(distributions)} is installed")


def major_minor(release: str) -> str:
    """``"2.21.0"`` -> ``"2.21"``; ``"3.15.1"`` -> ``"3.15"``.

    >>> major_minor("2.21.0rc1")
    '2.21'
    """
    parts = release.split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise ValueError(f"release: expected 'MAJOR.MINOR...', got {release!r}")
    return ".".join(parts[:2])


def versions() -> dict[str, str]:
    """The installed versions, by substitution name (the table above)."""
    tf = installed_release(TENSORFLOW_DISTRIBUTIONS)
    keras = installed_release(KERAS_DISTRIBUTIONS)
    return {
        "tf_version": major_minor(tf),
        "tf_release": tf,
        "keras_version": major_minor(keras),
        "keras_release": keras,
    }


def install_command(tf_version: str, pyproject: Path = PYPROJECT) -> str:
    """The ``pip install`` line for what the pages import: the ``tf`` extra of pyproject.toml.

    Readers get the TensorFlow build for their machine (``tensorflow``, not the
    lock file's ``tensorflow-cpu``) in the pinned minor version; the other
    packages unpinned.
    """
    with pyproject.open("rb") as f:
        extra = tomllib.load(f)["project"]["optional-dependencies"]["tf"]
    names = [re.match(r"[A-Za-z0-9._-]+", requirement).group(0) for requirement in extra]
    names = [f"tensorflow=={tf_version}.*" if n in TENSORFLOW_DISTRIBUTIONS else n for n in names]
    return "pip install " + " ".join(names)


def myst_substitutions() -> dict[str, str]:
    """conf.py's ``myst_substitutions``: the versions, and the install line as inline code."""
    values = versions()
    return {**values, "pip_install_tf": f"`{install_command(values['tf_version'])}`"}


def rst_epilog(values: dict[str, str] | None = None) -> str:
    """The same substitutions as rST definitions, for conf.py's ``rst_epilog``.

    >>> print(rst_epilog({"tf_version": "2.21", "pip_install_tf": "`pip install x`"}))
    <BLANKLINE>
    .. |tf_version| replace:: 2.21
    .. |pip_install_tf| replace:: ``pip install x``
    """
    values = myst_substitutions() if values is None else values
    # Inline code is `code` in MyST, ``code`` in rST.
    rst = {name: re.sub(r"^`(.*)`$", r"``\1``", value) for name, value in values.items()}
    return "\n" + "\n".join(f".. |{name}| replace:: {value}" for name, value in rst.items())


TOOLTIP = re.compile(r'(tooltip=")([^"]*)(")')


def fill_tooltips(text: str, values: dict[str, str]) -> str:
    """Resolve ``|name|`` in the gallery's thumbnail tooltips.

    sphinx-gallery copies an example's first paragraph, markup stripped, into a
    raw-HTML ``tooltip`` attribute, where rST substitutions are not resolved.
    Raw HTML is not translated, so resolving it here changes no message.

    >>> print(fill_tooltips('<div tooltip="on TensorFlow |tf_version|."> |tf_version|', {"tf_version": "2.21"}))
    <div tooltip="on TensorFlow 2.21."> |tf_version|
    """

    def fill(match: re.Match) -> str:
        body = match.group(2)
        for name, value in values.items():
            body = body.replace(f"|{name}|", value)
        return match.group(1) + body + match.group(3)

    return TOOLTIP.sub(fill, text)


def on_source_read(app, docname: str, source: list[str]) -> None:
    if "|" in source[0] and "tooltip=" in source[0]:
        source[0] = fill_tooltips(source[0], app.config.myst_substitutions)


def resolve(text: str, values: dict[str, str], rst: bool) -> str:
    """``text`` with every ``{{ name }}`` and ``|name|`` of ``values`` filled in.

    ``rst`` says how inline code is written where the text lands (an example's
    docstring is rST, a notebook's markdown cell Markdown).

    >>> values = {"tf_version": "2.21", "pip_install_tf": "`pip install x`"}
    >>> print(resolve("TensorFlow {{ tf_version }}, |tf_version|; |pip_install_tf|", values, rst=True))
    TensorFlow 2.21, 2.21; ``pip install x``
    """
    for name, value in values.items():
        if rst:
            value = re.sub(r"^`(.*)`$", r"``\1``", value)
        text = re.sub(r"\{\{\s*" + re.escape(name) + r"\s*\}\}", lambda _, v=value: v, text)
        text = text.replace(f"|{name}|", value)
    return text


def _resolved_bytes(name: str, data: bytes, values: dict[str, str]) -> bytes:
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as old:
            members = [(info, old.read(info)) for info in old.infolist()]
        resolved = [_resolved_bytes(info.filename, member, values) for info, member in members]
        if all(new == member for new, (_, member) in zip(resolved, members, strict=True)):
            return data  # nothing to fill in: the archive stays byte for byte
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for (info, _), member in zip(members, resolved, strict=True):
                archive.writestr(info, member)
        return buffer.getvalue()
    if name.endswith((".py", ".ipynb")):
        text = data.decode("utf-8")
        if name.endswith(".ipynb"):  # JSON: the values go in as JSON string content
            values = {k: json.dumps(v)[1:-1] for k, v in values.items()}
        return resolve(text, values, rst=name.endswith(".py")).encode("utf-8")
    return data


def on_build_finished(app, exception: Exception | None) -> None:
    """Fill in the versions in every download: the gallery's scripts, notebooks and
    zip archives, and the pages as notebooks (site_browser.py writes them first).

    The sources keep the substitutions; a reader's copy states the versions.
    """
    if exception is not None or app.builder.format != "html":
        return
    values = app.config.myst_substitutions
    marks = [f"|{name}|".encode() for name in values] + [name.encode() for name in values]
    for path in sorted((Path(app.outdir) / "_downloads").rglob("*")):
        if path.suffix not in (".py", ".ipynb", ".zip") or not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix != ".zip" and not any(mark in data for mark in marks):
            continue
        new = _resolved_bytes(path.name, data, values)
        if new != data:
            path.write_bytes(new)


def setup(app) -> dict:
    app.connect("source-read", on_source_read)
    # After site_browser's build-finished (default priority 500) writes the page notebooks.
    app.connect("build-finished", on_build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
