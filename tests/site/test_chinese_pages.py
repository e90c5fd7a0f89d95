"""The built Chinese pages: theme strings, emphasis and math read as Chinese.

Run on a full build (`make html`) or on a no-execution one:
``TFOPT_SITE_HTML=/tmp/site`` with the Chinese build in ``/tmp/site/zh_CN``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Comment, Doctype
from built_site import CHINESE, HTML, ROOT, built_pages, soup

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
#: English that a Chinese page shows on purpose: the project's name, the
#: language switcher's "English", the search box's key hint, Sphinx's name.
THEME_ALLOWED = {"tfopt_docs", "English", "Ctrl", "Sphinx"}
THEME_ATTRIBUTES = ("title", "aria-label", "placeholder", "data-bs-title")


def theme_strings(page: BeautifulSoup) -> list[str]:
    """Text and labels of the theme around the article (navigation titles left out).

    Links to pages show the pages' (translated) titles, which may be API names
    (``Adam``, ``tf.GradientTape``), so they are not theme strings.
    """
    page = BeautifulSoup(str(page), "html.parser")
    for node in page.select("article, script, style, code, pre, kbd, title"):
        node.decompose()
    for a in page.find_all("a", href=True):
        if not a["href"].startswith(("http:", "https:")):
            a.decompose()
    for comment in page.find_all(string=lambda s: isinstance(s, (Comment, Doctype))):
        comment.extract()
    found = [s.strip() for s in page.find_all(string=True) if s.strip()]
    found += [el[a] for el in page.find_all(True) for a in THEME_ATTRIBUTES if el.get(a)]
    return found


def untranslated(strings: list[str]) -> list[str]:
    """The strings that are English words and no Chinese.

    >>> untranslated(["收起侧边栏", "Collapse Sidebar", "tfopt_docs", "Ctrl", "More"])
    ['Collapse Sidebar', 'More']
    """
    out = []
    for s in strings:
        words = set(ENGLISH_WORD.findall(s)) - THEME_ALLOWED
        if words and not CJK.search(s) and not re.fullmatch(r"tfopt_docs [\d.]+", s):
            out.append(s)
    return out


def _page_titles(language: str) -> set[str]:
    """The pages' titles, as the search index has them (page titles may be API names)."""
    text = (HTML / language / "searchindex.js").read_text(encoding="utf-8")
    return set(json.loads(text[text.index("(") + 1 : text.rindex(")")])["titles"])


def test_no_untranslated_theme_string_on_a_chinese_page():
    titles = _page_titles(CHINESE)
    problems: dict[str, list[str]] = {}
    for path in built_pages(CHINESE):
        if path.relative_to(HTML / CHINESE).parts[0] == "_downloads":
            continue  # the wheel's pip index page, in English for pip
        for s in untranslated(theme_strings(soup(path))):
            if s in titles or re.fullmatch(r"\w+(\.\w+)+", s):  # a page title, an API name
                continue
            problems.setdefault(s, []).append(str(path.relative_to(HTML)))
    assert not problems, "\n".join(f"{s!r} on {len(p)} pages, e.g. {p[0]}" for s, p in problems.items())


def test_the_theme_check_can_fail():
    page = BeautifulSoup(
        '<html><body><nav><button aria-label="Collapse Sidebar">x</button><a href="a.html">Adam</a></nav>'
        "<article><p>Prose in English is the page's own business here.</p></article></body></html>",
        "html.parser",
    )
    assert untranslated(theme_strings(page)) == ["Collapse Sidebar"]


# --- alt text of the figures that page cells draw -----------------------------------


def english_alt_texts(page: BeautifulSoup) -> list[str]:
    """The alt texts of the figures a page's cells draw that are English (no Chinese)."""
    return untranslated([img.get("alt", "") for img in page.select(".cell_output img")])


def test_figures_that_page_cells_draw_have_chinese_alt_text():
    # The gallery's figures take their alt text from their plot titles, in English.
    pages = [p for p in built_pages(CHINESE) if "auto_examples" not in p.parts]
    problems = [f"{p.relative_to(HTML)}: {alt!r}" for p in pages for alt in english_alt_texts(soup(p))]
    assert not problems, "\n".join(problems[:40])


def test_the_alt_text_check_can_fail():
    page = BeautifulSoup(
        '<div class="cell_output"><img alt="Training loss against the epoch"></div>'
        '<div class="cell_output"><img alt="训练损失随轮次下降"></div>',
        "html.parser",
    )
    assert english_alt_texts(page) == ["Training loss against the epoch"]


# --- emphasis that shows its asterisks ------------------------------------------

LITERAL_EMPHASIS = re.compile(r"[\u3400-\u9fff，。：；（）“”]\*+[^\s*]|[^\s*]\*+[\u3400-\u9fff，。：；（）“”]")


def literal_asterisks(page: BeautifulSoup) -> list[str]:
    article = page.select_one("article")
    if article is None:
        return []
    article = BeautifulSoup(str(article), "html.parser")
    for node in article.select("script, style, code, pre, .math, .highlight, .cell_output"):
        node.decompose()
    text = article.get_text()
    return [text[max(0, m.start() - 10) : m.end() + 10] for m in LITERAL_EMPHASIS.finditer(text)]


def test_no_literal_emphasis_asterisks_on_a_chinese_page():
    problems = [f"{p.relative_to(HTML)}: {s!r}" for p in built_pages(CHINESE) for s in literal_asterisks(soup(p))]
    assert not problems, "\n".join(problems[:40])


def test_the_asterisk_check_can_fail():
    broken = BeautifulSoup("<article><p>这些函数会*饱和*，所以</p></article>", "html.parser")
    rendered = BeautifulSoup("<article><p>这些函数会<em>饱和</em>，x * y</p></article>", "html.parser")
    assert literal_asterisks(broken) and not literal_asterisks(rendered)


# --- English words in math ------------------------------------------------------

#: ``\text{...}`` that is a name, not an English word: Python's None and the
#: names of arguments or of the article's variables, used as symbols.
MATH_NAMES = {"None", "loss", "decay"}
TEXT_IN_MATH = re.compile(r"(?<![_^])(?<![_^]\{)\\(?:text|textrm|mbox)\s*\{((?:[^{}]|\{[^{}]*\})*)\}")


def english_in_math(tex: str) -> list[str]:
    """Words in ``\\text{...}`` of a formula (a subscript label such as ``\\eta_\\text{end}`` is a name).

    >>> english_in_math(r"G_t = \\begin{cases} g_t & \\text{nesterov (default),} \\\\ m_t & \\text{otherwise.} \\end{cases}")
    ['nesterov (default),', 'otherwise.']
    >>> english_in_math(r"\\eta_\\text{end} + \\text{None} \\quad (t < W)")
    []
    """
    return [m[1] for m in TEXT_IN_MATH.finditer(tex) if set(re.findall(r"[A-Za-z]{2,}", m[1])) - MATH_NAMES]


def test_no_english_words_in_math_on_a_chinese_page():
    problems = []
    for path in built_pages(CHINESE):
        for node in soup(path).select(".math"):
            problems += [f"{path.relative_to(HTML)}: {w!r}" for w in english_in_math(node.get_text())]
    assert not problems, "\n".join(problems[:40])


SOURCES = [*sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "examples").rglob("*.py"))]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_english_words_in_math_in_the_sources(path: Path):
    """The same, without a build: math in the English sources is shared by the Chinese pages."""
    if "auto_examples" in path.parts:
        pytest.skip("generated")
    text = path.read_text(encoding="utf-8")
    assert not english_in_math(text), english_in_math(text)
