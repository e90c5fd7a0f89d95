"""Site plumbing for conf.py; imports nothing heavy (no TensorFlow).

* per-language settings, read once ``-D language=...`` has been applied;
* the jieba user dictionary built from the glossary's Chinese terms and
  aliases, so that terms such as 梯度带 are indexed (and found) as whole words;
* search aliases: in the Chinese search index, each glossary alias (海森矩阵,
  Hessian 矩阵, EMA, ...) leads to the pages that use the glossary's term;
* the language switcher's links, which keep the current page;
* the root ``index.html`` that sends a reader to a language (those of
  conf.py's ``site_languages``, which docs/_ext/site_languages.py reads for
  the Makefile and the tests);
* MathJax served with the site (from the sphinx-mathjax-offline package),
  never from a CDN.
"""

from __future__ import annotations

import csv
import html
import importlib.util
import json
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.fileutil import copy_asset

ZH_COLUMN = "中文"
ALIAS_COLUMN = "Aliases"


def glossary_terms(csv_path: Path) -> list[dict[str, str]]:
    """Rows of the glossary table (English, 中文, Aliases, Meaning)."""
    with csv_path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, skipinitialspace=True))


def cell_words(row: dict[str, str], column: str) -> list[str]:
    """The variants in one cell of the glossary, which separates them by "/".

    >>> cell_words({"Aliases": "海森矩阵 / Hessian 矩阵"}, "Aliases")
    ['海森矩阵', 'Hessian 矩阵']
    """
    return [w.strip() for w in (row.get(column) or "").split("/") if w.strip()]


def write_jieba_userdict(csv_path: Path, out: Path) -> Path:
    """Write one Chinese glossary term or alias per line (jieba's user-dictionary format).

    Without a frequency jieba picks one that keeps the word whole. An alias
    with a space in it (Hessian 矩阵) is not one word: its parts are indexed
    on their own.
    """
    words = []
    for row in glossary_terms(csv_path):
        words += cell_words(row, ZH_COLUMN) + [w for w in cell_words(row, ALIAS_COLUMN) if " " not in w]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(f"{w}\n" for w in dict.fromkeys(words)), encoding="utf-8")
    return out


#: How the search page splits a query into words (Sphinx's searchtools.js
#: ``splitQuery``): at every character that is not a letter, digit or "_".
_QUERY_SPLIT = re.compile(r"[^\w]+")


def search_aliases(csv_path: Path) -> dict[str, list[str]]:
    """Each glossary alias -> the Chinese terms whose pages it should find.

    >>> aliases = search_aliases(Path(__file__).parents[1] / "reference" / "glossary.csv")
    >>> aliases["海森矩阵"]
    ['黑塞矩阵']
    """
    out: dict[str, list[str]] = {}
    for row in glossary_terms(csv_path):
        for alias in cell_words(row, ALIAS_COLUMN):
            out.setdefault(alias, []).extend(cell_words(row, ZH_COLUMN))
    return out


def add_search_aliases(index_path: Path, csv_path: Path, stem) -> int:
    """Let every word of each alias find the pages of its glossary term in ``searchindex.js``.

    A query is split into words and each word must match (Sphinx's search
    ANDs them), so each word of an alias (海森矩阵; ``hessian`` and 矩阵 for
    "Hessian 矩阵") gets the documents of the term's own entry, stemmed as the
    search page stems a query (``stem``, the language's stemmer). Returns the
    number of index entries that gained documents.
    """
    text = index_path.read_text(encoding="utf-8")
    start, end = text.index("(") + 1, text.rindex(")")
    data = json.loads(text[start:end])
    terms = data["terms"]

    def docs(entry) -> set[int]:
        if entry is None:
            return set()
        return {entry} if isinstance(entry, int) else set(entry)

    changed = 0
    for alias, targets in search_aliases(csv_path).items():
        found: set[int] = set()
        for target in targets:
            found |= docs(terms.get(stem(target))) | docs(data["titleterms"].get(stem(target)))
        for word in filter(None, _QUERY_SPLIT.split(alias)):
            # The page stems a query with a Porter stemmer in JavaScript, the
            # indexer with Snowball's: the unstemmed word covers a difference.
            for key in dict.fromkeys((stem(word), word.lower())):
                merged = docs(terms.get(key)) | found
                if merged != docs(terms.get(key)):
                    terms[key] = sorted(merged)
                    changed += 1
    index_path.write_text(
        text[:start] + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + text[end:], encoding="utf-8"
    )
    return changed


def on_config_inited(app: Sphinx, config: Config) -> None:
    # The footer's "© Copyright ..." notice in the page's language.
    config.copyright = config.site_copyright.get(config.language, config.copyright)
    if config.language.startswith("zh"):
        userdict = write_jieba_userdict(
            Path(app.srcdir) / config.site_glossary_csv,
            Path(app.doctreedir) / "jieba_userdict.txt",
        )
        config.html_search_options = {"dict": str(userdict)}


MATPLOTLIB_FONT_AWESOME_CDN = re.compile(
    r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]*">\s*'
)


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give every page links to the same page in each language.

    Each language is built into a sibling folder (``html/en``, ``html/zh_CN``),
    so the same page in another language is ``../<code>/<pagename>.html``
    seen from that language's root.
    """
    up = "../" * (pagename.count("/") + 1)
    if "body" in context:
        # Matplotlib's JS animations (to_jshtml) link Font Awesome 4 from a CDN;
        # the theme already ships Font Awesome, which draws the same icons offline.
        context["body"] = MATPLOTLIB_FONT_AWESOME_CDN.sub("", context["body"])
    context["site_language_links"] = [
        (code, label, f"{up}{code}/{pagename}.html", code == app.config.language)
        for code, label in app.config.site_languages
    ]


ROOT_REDIRECT = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{project}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>
  // Send the reader to the first language their browser prefers that the site
  // has (the whole tag, e.g. zh-cn, else its first part, zh), else the first one.
  var codes = {codes};
  var prefs = navigator.languages || [navigator.language || ""];
  var target = codes[0];
  search: for (var i = 0; i < prefs.length; i++) {{
    var p = prefs[i].toLowerCase();
    for (var whole = 1; whole >= 0; whole--) {{
      for (var j = 0; j < codes.length; j++) {{
        var tag = codes[j].toLowerCase().replace("_", "-");
        if (whole ? p === tag : p.split("-")[0] === tag.split("-")[0]) {{ target = codes[j]; break search; }}
      }}
    }}
  }}
  window.location.replace(target + "/index.html");
</script>
</head>
<body>
<h1>{project}</h1>
<ul>
{links}
</ul>
</body>
</html>
"""


#: MathJax 3 as the sphinx-mathjax-offline package ships it. Its own Sphinx
#: extension does the same copy but does not declare itself safe for parallel
#: reading, which would make every build read serially.
MATHJAX_DIR = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static" / "mathjax"


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    index = Path(app.outdir) / "searchindex.js"
    indexer = getattr(app.builder, "indexer", None)
    if app.config.language.startswith("zh") and index.is_file() and indexer is not None:
        add_search_aliases(index, Path(app.srcdir) / app.config.site_glossary_csv, indexer.lang.stem)
    copy_asset(str(MATHJAX_DIR), str(Path(app.outdir) / "_static" / "mathjax"))
    links = "\n".join(
        f'<li><a href="{code}/index.html" hreflang="{code.replace("_", "-")}">{html.escape(label)}</a></li>'
        for code, label in app.config.site_languages
    )
    codes = [code for code, _ in app.config.site_languages]
    page = ROOT_REDIRECT.format(
        project=html.escape(app.config.project),
        lang=codes[0].replace("_", "-"),
        codes=json.dumps(codes),
        links=links,
    )
    root = redirect_root(Path(app.outdir), app.config.language)
    if root is not None:
        root.joinpath("index.html").write_text(page, encoding="utf-8")


def redirect_root(outdir: Path, language: str) -> Path | None:
    """The folder that gets the root ``index.html``: the parent of ``html/<language>``.

    Only a build laid out as the Makefile lays it out (``.../html/en``,
    ``.../html/zh_CN``) has a root above its language folders; any other
    output folder (``sphinx-build ... OUT/site``) gets no redirect, so nothing
    is written outside it.

    >>> print(redirect_root(Path("_build/html/zh_CN"), "zh_CN"))
    _build/html
    >>> print(redirect_root(Path("OUT/site"), "en"))
    None
    """
    if outdir.name == language and outdir.parent.name == "html":
        return outdir.parent
    return None


def setup(app: Sphinx) -> dict:
    app.add_config_value("site_languages", [("en", "English")], "html")
    app.add_config_value("site_glossary_csv", "", "env")
    app.add_config_value("site_copyright", {}, "html")
    app.connect("config-inited", on_config_inited)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
