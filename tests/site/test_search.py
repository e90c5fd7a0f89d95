"""Search works in both languages, and Chinese terms are indexed whole."""

from __future__ import annotations

import json

import snowballstemmer
from built_site import CHINESE, GLOSSARY, HTML, SOURCE_LANGUAGE, ZH_COLUMN, glossary_terms


def search_index(language: str) -> dict:
    text = (HTML / language / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def chinese_terms() -> list[str]:
    return [w.strip() for row in glossary_terms(GLOSSARY) for w in row[ZH_COLUMN].split("/")]


def test_every_chinese_glossary_term_is_a_whole_search_term():
    terms = search_index(CHINESE)["terms"]
    stem = snowballstemmer.stemmer("english").stemWord  # a Latin term (logits) is indexed stemmed
    # Sphinx's Chinese indexer drops one-character words (秩), whatever the dictionary says.
    missing = [t for t in chinese_terms() if len(t) > 1 and t not in terms and stem(t.lower()) not in terms]
    assert not missing, f"not indexed as whole words (is jieba installed?): {missing}"


def test_chinese_pages_are_indexed_by_their_translated_titles():
    zh, en = (dict(zip(index["docnames"], index["titles"])) for index in map(search_index, (CHINESE, SOURCE_LANGUAGE)))
    page = "tutorials/first-gradient"
    assert zh[page] != en[page]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh[page])


# Search in a real browser (typed into the theme's search box, both languages):
# test_browser.py::test_search_from_the_navbar_lists_the_right_pages.
