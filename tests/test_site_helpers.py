"""The root redirect lands above the language folders, and only there, and sends to a site language."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
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


LANGUAGES = [("en", "English"), ("zh_CN", "简体中文"), ("zh_TW", "繁體中文")]


def _redirect_target(tmp_path, browser_languages: list[str]) -> str:
    """Where the root page's script sends a browser that prefers ``browser_languages``."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    outdir = tmp_path / "html" / "en"
    config = SimpleNamespace(site_languages=LANGUAGES, project="p", language="en")
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(outdir), config=config)
    site_helpers.on_build_finished(app, None)
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL).group(1)
    stub = f"var navigator = {{languages: {json.dumps(browser_languages)}}};"
    stub += "var window = {location: {replace: function (url) { console.log(url); }}};"
    return subprocess.run([node, "-e", stub + script], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(
    ("browser", "target"),
    [
        (["zh-CN", "en"], "zh_CN"),
        (["zh-TW"], "zh_TW"),  # the whole tag before its first part
        (["zh-HK"], "zh_CN"),  # the first language with that first part
        (["fr-FR", "en-GB"], "en"),
        (["fr"], "en"),  # none: the first language
        ([], "en"),
    ],
)
def test_root_redirect_follows_the_browser_among_site_languages(tmp_path, browser, target):
    assert _redirect_target(tmp_path, browser) == f"{target}/index.html"


def test_root_redirect_lists_site_languages(tmp_path):
    outdir = tmp_path / "html" / "zh_CN"
    config = SimpleNamespace(site_languages=LANGUAGES, project="p", language="zh_CN")
    site_helpers.on_build_finished(
        SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(outdir), config=config), None
    )
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and 'var codes = ["en", "zh_CN", "zh_TW"];' in page
    assert [m for m in re.findall(r'href="([^"]+)"', page)] == [f"{code}/index.html" for code, _ in LANGUAGES]
