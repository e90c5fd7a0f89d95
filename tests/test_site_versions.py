"""The versions the site states come from the installed packages, and nothing writes them out.

Pages write ``{{ tf_version }}``, examples ``|tf_version|`` (docs/_ext/site_versions.py),
so bumping the lock file is the whole version change. Only the pinned version
is flagged: "TensorFlow 2.0" or "since TF 2.16" are history and stay literal.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import site_languages  # noqa: E402  (docs/_ext)
import site_versions  # noqa: E402  (docs/_ext)

VALUES = site_versions.myst_substitutions()

#: Pinned-version mentions that must stay literal, as (path, fragment of the line it starts on).
#: Add one only for a statement that is history or about another package, not the pinned version.
ALLOWED: set[tuple[str, str]] = {
    # tf_keras 2.21.0's own requirement, an example of how tf_keras tracks TensorFlow.
    ("docs/how-to/port-tf2-code.md", "`tensorflow>=2.21,<2.22`"),
    ("locale/zh_CN/LC_MESSAGES/how-to/port-tf2-code.po", "`tensorflow>=2.21,<2.22`"),
}


def pinned_mentions(text: str, tf_version: str, keras_version: str) -> list[tuple[int, str]]:
    """``(line number, mention)`` for each time ``text`` writes the pinned TensorFlow or Keras version out."""
    tf, keras = re.escape(tf_version), re.escape(keras_version)
    pattern = re.compile(
        rf"\b(?:TensorFlow|TF)\s*{tf}(?![0-9])|\bKeras\s*{keras}(?![0-9])"
        rf"|\btensorflow(?:-cpu)?\s*[=~<>!]=\s*{tf}(?![0-9])|\bkeras\s*[=~<>!]=\s*{keras}(?![0-9])"
    )
    # \s also matches a line break: a mention may wrap ("TensorFlow\n2.21").
    return [(text.count("\n", 0, m.start()) + 1, " ".join(m.group(0).split())) for m in pattern.finditer(text)]


def test_pinned_mentions_finds_the_pinned_version_only():
    text = (
        "On TensorFlow 2.21 and Keras 3.15.1; TF\n2.21 wraps; `pip install tensorflow==2.21.*`.\n"
        "History: TensorFlow 2.0, TF 2.16, Keras 3.0, TensorFlow 2.210, {{ tf_version }}, |keras_release|.\n"
        "Keras 3.15's fit\n"
    )
    assert pinned_mentions(text, "2.21", "3.15") == [
        (1, "TensorFlow 2.21"),
        (1, "Keras 3.15"),
        (1, "TF 2.21"),
        (2, "tensorflow==2.21"),
        (4, "Keras 3.15"),
    ]


def _sources() -> list[Path]:
    docs = [p for p in (ROOT / "docs").rglob("*.md") if "auto_examples" not in p.parts]
    catalogs = [p for code in site_languages.codes()[1:] for p in (ROOT / "locale" / code).rglob("*.po")]
    return sorted(docs) + sorted((ROOT / "examples").rglob("*.py")) + sorted(catalogs)


def test_no_page_example_or_catalog_writes_the_pinned_version():
    problems = []
    sources = _sources()
    assert len(sources) > 50
    for path in sources:
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for number, mention in pinned_mentions(text, VALUES["tf_version"], VALUES["keras_version"]):
            line = lines[number - 1]
            if not any(rel == p and fragment in line for p, fragment in ALLOWED):
                problems.append(f"{rel}:{number}: {mention!r} in {line.strip()[:100]!r}")
    assert not problems, (
        f"{len(problems)} pinned versions written out; write {{{{ tf_version }}}}, {{{{ keras_release }}}} ... "
        "(|tf_version| in examples; docs/_ext/site_versions.py):\n" + "\n".join(problems[:60])
    )


def test_substitutions_are_the_installed_versions():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    assert VALUES["tf_release"] == tf.__version__
    assert VALUES["keras_release"] == keras.__version__
    assert tf.__version__.startswith(VALUES["tf_version"] + ".")
    assert keras.__version__.startswith(VALUES["keras_version"] + ".")
    assert (
        VALUES["pip_install_tf"] == f"`pip install tensorflow=={VALUES['tf_version']}.* keras matplotlib scikit-learn`"
    )


def test_substitutions_are_the_lock_files_pins():
    lock = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.MULTILINE))
    assert pins["tensorflow-cpu"] == VALUES["tf_release"] == version("tensorflow-cpu")
    assert pins["keras"] == VALUES["keras_release"]


def test_rst_epilog_defines_every_substitution():
    epilog = site_versions.rst_epilog(VALUES)
    for name, value in VALUES.items():
        expected = value.replace("`", "``") if value.startswith("`") else value
        assert f".. |{name}| replace:: {expected}\n" in epilog + "\n"


def test_major_minor_rejects_what_is_not_a_version():
    assert site_versions.major_minor("2.21.0") == "2.21"
    with pytest.raises(ValueError, match="release"):
        site_versions.major_minor("nightly")


def test_languages_are_conf_pys():
    languages = site_languages.site_languages()
    assert languages[0][0] == "en" and "zh_CN" in site_languages.codes()
    assert all(isinstance(label, str) and label for _, label in languages)


def test_languages_reader_refuses_a_non_literal(tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text("site_languages = make_languages()\n", encoding="utf-8")
    with pytest.raises(ValueError, match="literal"):
        site_languages.site_languages(conf)
    conf.write_text("language = 'en'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="assigns no site_languages"):
        site_languages.site_languages(conf)


def test_downloads_state_the_versions(tmp_path):
    downloads = tmp_path / "_downloads" / "abc"
    downloads.mkdir(parents=True)
    script = '"""\nRuns on TensorFlow |tf_version|; install with |pip_install_tf|.\n"""\nimport keras\n'
    (downloads / "plot_x.py").write_text(script, encoding="utf-8")
    cell = {
        "cell_type": "markdown",
        "metadata": {},
        "source": ["# On Keras {{ keras_release }}\n", "{{ pip_install_tf }}"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (downloads / "page.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    with zipfile.ZipFile(downloads / "all.zip", "w") as archive:
        archive.writestr("plot_x.py", script)
    with zipfile.ZipFile(downloads / "none.zip", "w") as archive:
        archive.writestr("plot_y.py", "print(1)\n")
    untouched = (downloads / "none.zip").read_bytes()
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    app.config = SimpleNamespace(myst_substitutions=VALUES)
    site_versions.on_build_finished(app, None)

    tf, pip = VALUES["tf_version"], VALUES["pip_install_tf"].strip("`")
    expected = f'"""\nRuns on TensorFlow {tf}; install with ``{pip}``.\n"""\nimport keras\n'
    assert (downloads / "plot_x.py").read_text(encoding="utf-8") == expected
    source = json.loads((downloads / "page.ipynb").read_text(encoding="utf-8"))["cells"][0]["source"]
    assert source == [f"# On Keras {VALUES['keras_release']}\n", f"`{pip}`"]
    with zipfile.ZipFile(downloads / "all.zip") as archive:
        assert archive.read("plot_x.py").decode("utf-8") == expected
    assert (downloads / "none.zip").read_bytes() == untouched


def test_docstring_examples_hold():
    import doctest

    for module in (site_versions, site_languages):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
    assert doctest.testmod(site_versions).attempted >= 4
