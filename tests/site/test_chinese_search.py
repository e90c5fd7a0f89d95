"""The glossary's aliases (海森矩阵, Hessian 矩阵, 指数移动平均, EMA, ...) find the pages of their terms.

docs/_ext/site_helpers.py adds every word of each alias to the Chinese search
index with the documents of the term it stands for; here the index is read,
and each alias is searched for in headless Chromium, as a reader would.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import snowballstemmer
from browser import search_result_pages
from built_site import CHINESE, GLOSSARY, record_summary
from site_helpers import add_search_aliases, search_aliases
from test_search import search_index

ALIASES = search_aliases(GLOSSARY)
#: Aliases the issue named: these must exist in the glossary.
REQUIRED = {"海森矩阵": "黑塞矩阵", "Hessian 矩阵": "黑塞矩阵", "指数移动平均": "指数滑动平均", "EMA": "指数滑动平均"}


def _docs(entry) -> set[int]:
    if entry is None:
        return set()
    return {entry} if isinstance(entry, int) else set(entry)


def term_pages(index: dict, term: str) -> set[str]:
    """The pages the search index lists for a glossary term (a Latin one, such as logits, stemmed)."""
    keys = {term, snowballstemmer.stemmer("english").stemWord(term.lower())}
    found = set().union(*(_docs(index[kind].get(k)) for kind in ("terms", "titleterms") for k in keys))
    return {index["docnames"][i] for i in found}


def test_the_issue_aliases_are_in_the_glossary():
    assert all(term in ALIASES.get(alias, []) for alias, term in REQUIRED.items()), ALIASES


def test_every_alias_word_leads_to_its_terms_pages_in_the_index():
    index = search_index(CHINESE)
    problems = []
    for alias, terms in ALIASES.items():
        expected = set().union(*(term_pages(index, t) for t in terms))
        if not expected:
            problems.append(f"{alias}: its terms {terms} are on no page")
        for word in re.split(r"\W+", alias):
            if word and not expected <= _pages_for_word(index, word):
                problems.append(
                    f"{alias}: the word {word!r} misses {sorted(expected - _pages_for_word(index, word))[:5]}"
                )
    assert not problems, "\n".join(problems)


def _pages_for_word(index: dict, word: str) -> set[str]:
    return term_pages(index, word.lower()) | term_pages(index, word)


def test_searching_an_alias_in_the_browser_finds_its_terms_pages(browser, site_url):
    index = search_index(CHINESE)
    context = browser.new_context()
    counts = {}
    problems = []
    try:
        page = context.new_page()
        for alias, terms in ALIASES.items():
            expected = set().union(*(term_pages(index, t) for t in terms))
            page.goto(f"{site_url}/{CHINESE}/search.html?q={quote(alias)}")
            found = set(search_result_pages(page))
            counts[alias] = len(found)
            if not expected <= found:
                problems.append(f"{alias!r}: {sorted(expected - found)[:5]} not among {len(found)} results")
    finally:
        context.close()
    record_summary(
        "aliases",
        f"{len(counts)} glossary aliases searched in Chinese: "
        + ", ".join(f"{a} {n}" for a, n in list(counts.items())[:6])
        + ", ...",
    )
    assert not problems, "\n".join(problems)


def test_the_alias_mechanism_adds_the_terms_pages(tmp_path):
    """On a two-page index: without the aliases 海森矩阵 and hessian find nothing; with them, both pages."""
    glossary = tmp_path / "glossary.csv"
    glossary.write_text("English,中文,Aliases,Meaning\nHessian,黑塞矩阵,海森矩阵 / Hessian 矩阵,x\n", encoding="utf-8")
    index = tmp_path / "searchindex.js"
    data = {"docnames": ["a", "b"], "terms": {"黑塞矩阵": [0, 1], "矩阵": 1}, "titleterms": {}}
    index.write_text("Search.setIndex(" + json.dumps(data, ensure_ascii=False) + ")", encoding="utf-8")
    assert "海森矩阵" not in data["terms"]
    add_search_aliases(index, glossary, stem=str.lower)
    text = index.read_text(encoding="utf-8")
    terms = json.loads(text[text.index("(") + 1 : text.rindex(")")])["terms"]
    assert terms["海森矩阵"] == [0, 1] and terms["hessian"] == [0, 1] and terms["矩阵"] == [0, 1]
