"""The root redirect lands above the language folders, and only there."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import site_helpers  # noqa: E402


def _finish(outdir: Path, language: str) -> None:
    config = SimpleNamespace(site_languages=[("en", "English"), ("zh_CN", "中文")], project="p", language=language)
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(outdir), config=config)
    site_helpers.on_build_finished(app, None)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_redirect_written_above_html_language(tmp_path, language):
    outdir = tmp_path / "_build" / "html" / language
    _finish(outdir, language)
    page = (tmp_path / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert 'href="en/index.html"' in page and 'href="zh_CN/index.html"' in page
    assert (outdir / "_static" / "mathjax").is_dir()


@pytest.mark.parametrize("parts", [("OUT", "site"), ("OUT", "en"), ("html", "zh_CN")])
def test_no_redirect_outside_the_make_layout(tmp_path, parts):
    outdir = tmp_path.joinpath(*parts)
    _finish(outdir, "en")
    assert not (outdir.parent / "index.html").exists()
    assert sorted(p.name for p in outdir.parent.iterdir()) == [parts[-1]]  # nothing beside the output
    assert (outdir / "_static" / "mathjax").is_dir()  # the build's own assets still copied
