"""The TensorFlow and Keras versions the site states, read from the installed packages.

The pages and examples never write the pinned version out: they write a
substitution, which the build fills in from the packages it runs on (the
ones the lock file installs). Bumping the lock file is then the whole
version change of the site, and the translation catalogs do not change,
because Sphinx extracts a message before substitutions are resolved: the
message keeps ``{{ tf_version }}`` (MyST pages) or ``|tf_version|``
(gallery examples), and so does its translation.

=====================  ========================  ======================
name                   value (installed 2.21.0)  where
=====================  ========================  ======================
``tf_version``         ``2.21``                  "TensorFlow 2.21"
``tf_release``         ``2.21.0``                the exact release
``keras_version``      ``3.15``                  "Keras 3.15"
``keras_release``      ``3.15.1``                "Keras 3.15.1"
``pip_install_tf``     ``pip install tensorflow==2.21.* keras ...``  (inline code)
=====================  ========================  ======================

MyST pages write ``{{ tf_version }}`` (``myst_substitutions``; the
``substitution`` syntax is enabled in conf.py), gallery examples write
``|tf_version|`` (the rST substitutions of :func:`rst_epilog`). Historical
versions ("TensorFlow 2.0", "since TF 2.16") are facts about the past and
stay literal. TensorFlow-free: only package metadata is read.
"""

from __future__ import annotations

import re
import tomllib
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
