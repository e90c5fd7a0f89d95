"""tfopt_docs as a distribution: the wheel and sdist, their metadata, the extras.

The clean-environment run of every download is ``make check-downloads``
(tools/check_downloads.py); these checks are the fast part.
"""

from __future__ import annotations

import ast
import email
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import tfopt_docs

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent


def lock_pins() -> dict[str, str]:
    text = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    return {canonicalize_name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.M)}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return out


def test_wheel_and_sdist_pass_twine_check_and_check_wheel_contents(dist):
    wheels, sdists = list(dist.glob("*.whl")), list(dist.glob("*.tar.gz"))
    assert [w.name for w in wheels] == [f"tfopt_docs-{tfopt_docs.__version__}-py3-none-any.whl"]
    assert [s.name for s in sdists] == [f"tfopt_docs-{tfopt_docs.__version__}.tar.gz"]
    twine = subprocess.run([BIN / "twine", "check", "--strict", *wheels, *sdists], capture_output=True, text=True)
    assert twine.returncode == 0, twine.stdout + twine.stderr
    cwc = subprocess.run([BIN / "check-wheel-contents", *wheels], capture_output=True, text=True)
    assert cwc.returncode == 0, cwc.stdout + cwc.stderr


def test_wheel_holds_the_package_typed_with_its_license_and_metadata(dist):
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"tfopt_docs-{tfopt_docs.__version__}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    modules = {p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src" / "tfopt_docs").rglob("*.py")}
    assert modules <= names
    assert {"tfopt_docs/py.typed", f"{info}/licenses/LICENSE"} <= names
    assert not any(n.startswith(("tests/", "docs/", "examples/")) for n in names)
    assert metadata["Version"] == tfopt_docs.__version__
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert len(metadata.get_all("Project-URL")) >= 3
    tf_extra = {canonicalize_name(Requirement(r).name) for r in metadata.get_all("Requires-Dist")
                if 'extra == "tf"' in r}
    assert {"tensorflow-cpu", "keras", "matplotlib", "scikit-learn"} <= tf_extra


def test_sdist_builds_the_same_package(dist):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "pyproject.toml", "src/tfopt_docs/__init__.py", "src/tfopt_docs/py.typed"} <= names


def test_the_version_is_written_in_one_place():
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "tfopt_docs.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", tfopt_docs.__version__)


def test_every_declared_range_holds_the_locked_version():
    pins = lock_pins()
    requirements = list(PYPROJECT["project"]["dependencies"])
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith("tfopt_docs[")]
    outside = []
    for text in requirements:
        req = Requirement(text)
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None or not req.specifier.contains(pinned, prereleases=True):
            outside.append(f"{text}: lock has {pinned}")
    assert not outside, outside


def _imported_top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_tf_extra_brings_everything_the_examples_and_the_package_import():
    """What a download imports must come with ``pip install "tfopt_docs[tf]"``."""
    project = PYPROJECT["project"]
    declared = {canonicalize_name(Requirement(r).name) for r in project["dependencies"] + project["optional-dependencies"]["tf"]}
    sources = sorted((ROOT / "examples").rglob("*.py")) + sorted((ROOT / "src" / "tfopt_docs").rglob("*.py"))
    owners = packages_distributions()
    missing = []
    for path in sources:
        for module in sorted(_imported_top_modules(path) - set(sys.stdlib_module_names) - {"tfopt_docs"}):
            dists = {canonicalize_name(d) for d in owners.get(module, [module])}
            if not dists & declared:
                missing.append(f"{path.relative_to(ROOT)} imports {module} ({', '.join(sorted(dists))})")
    assert not missing, missing


def test_every_example_says_first_what_to_install():
    for path in sorted((ROOT / "examples").rglob("plot_*.py")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and 'pip install "tfopt_docs[tf]"' in first, path


def test_the_notebook_install_cell_runs_in_ipython_with_and_without_a_site_address(monkeypatch):
    from IPython.core.inputtransformer2 import TransformerManager

    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        import site_downloads
    finally:
        sys.path.remove(str(ROOT / "docs" / "_ext"))
    monkeypatch.delenv("READTHEDOCS_CANONICAL_URL", raising=False)
    monkeypatch.setenv("TFOPT_SITE_URL", "https://owner.example/tfopt_docs")
    with_url = site_downloads.notebook_first_cell()
    monkeypatch.delenv("TFOPT_SITE_URL")
    without = site_downloads.notebook_first_cell()
    url = "https://owner.example/tfopt_docs/en/_downloads/tfopt_docs/"
    assert f'%pip install "tfopt_docs[tf]" --find-links {url}' in with_url
    assert "raise ModuleNotFoundError" in without and "%pip" not in without
    for cell in (with_url, without):
        assert 'pip install "tfopt_docs[tf]"' in "\n".join(cell.splitlines()[:5])
        compile(TransformerManager().transform_cell(cell), "first cell", "exec")
        # The cell does nothing where the package is installed.
        exec(TransformerManager().transform_cell(cell), {"get_ipython": None})
