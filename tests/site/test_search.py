"""Search works in both languages, and Chinese terms are indexed whole."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from built_site import GLOSSARY, HTML, ZH_COLUMN, glossary_terms


def search_index(language: str) -> dict:
    text = (HTML / language / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def chinese_terms() -> list[str]:
    return [w.strip() for row in glossary_terms(GLOSSARY) for w in row[ZH_COLUMN].split("/")]


def test_every_chinese_glossary_term_is_a_whole_search_term():
    terms = search_index("zh_CN")["terms"]
    missing = [t for t in chinese_terms() if t not in terms]
    assert not missing, f"not indexed as whole words (is jieba installed?): {missing}"


def test_chinese_pages_are_indexed_by_their_translated_titles():
    zh, en = (dict(zip(index["docnames"], index["titles"])) for index in map(search_index, ("zh_CN", "en")))
    page = "tutorials/first-gradient"
    assert zh[page] != en[page]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh[page])


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("CI must install chromium (.ci/run does) to check search in a browser")
    return found


def search_in_browser(language: str, query: str, tmp_path) -> list[str]:
    """Run the site's own search page in headless Chromium; return result links."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed")
    url = (HTML / language / "search.html").as_uri() + "?q=" + quote(query)
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=15000",
        "--dump-dom",
        url,
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    return [a["href"] for a in BeautifulSoup(dom, "html.parser").select("#search-results ul.search li a")]


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("zh_CN", "梯度带", "tutorials/first-gradient.html"),
        ("zh_CN", "学习率", "tutorials/first-gradient.html"),
        ("en", "GradientTape", "tutorials/first-gradient.html"),
    ],
)
def test_search_finds_pages_in_a_real_browser(language, query, expected, tmp_path):
    hits = search_in_browser(language, query, tmp_path)
    assert any(h.split("?")[0].split("#")[0] == expected for h in hits), hits
