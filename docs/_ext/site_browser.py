"""What a reader's browser needs from the built pages; TensorFlow-free.

* MathJax on every page whose navigation, neighbours or thumbnails show math
  (the gallery's index pages have no math of their own, so Sphinx would load
  none and their sidebar and "next" links would show raw ``\\(...\\)``);
* math in places MathJax never typesets (the browser tab's ``<title>``, the
  gallery's hover tooltips, search results) turned into plain Unicode text;
* alt text for the gallery's thumbnails and for figures that notebook cells
  draw (docutils would otherwise use the image's file name), and the alt
  text cells give their figures in the pages' catalogs, to be translated;
* gallery thumbnails titled with their page's (translated) title;
* every executed page downloadable as a notebook with its outputs: the
  notebook myst-nb wrote (``jupyter_execute/``), merged with its outputs from
  the jupyter-cache, goes into the language's own ``_downloads/notebooks/``,
  and ``_templates/page-downloads.html`` links it and the MyST source;
* theme and search-page strings in the page's language: the theme's search
  box text, and messages Sphinx's prebuilt zh_CN ``translations.js`` lacks
  (the rest are in ``locale/zh_CN/LC_MESSAGES/sphinx.po``).

The reader-side half is ``_static/site_browser.js``; tests/site/test_browser.py
checks both in headless Chromium.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path, PurePosixPath

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging

logger = logging.getLogger(__name__)

NOTEBOOK_DIR = "_downloads/notebooks"
SEARCH_BAR_TEXT = "Search the docs ..."  # pydata-sphinx-theme's default

# --- TeX as plain text --------------------------------------------------------

_SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "psi": "ψ",
    "omega": "ω",
    "Delta": "Δ",
    "Sigma": "Σ",
    "nabla": "∇",
    "partial": "∂",
    "cdot": "·",
    "odot": "⊙",
    "times": "×",
    "top": "ᵀ",
    "infty": "∞",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "approx": "≈",
    "ne": "≠",
    "neq": "≠",
    "to": "→",
    "in": "∈",
    "sum": "Σ",
    "prod": "Π",
    "sqrt": "√",
    "pm": "±",
    "ldots": "…",
    "dots": "…",
    "mid": "|",
    "lvert": "|",
    "rvert": "|",
}
_FUNCTIONS = {"tanh", "sinh", "cosh", "exp", "log", "ln", "sin", "cos", "tan", "max", "min", "arg", "sign"}
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", "quad": " ", "qquad": " "}
_STYLE = {"mathrm", "mathbf", "mathit", "operatorname", "text", "textrm", "boldsymbol", "mathcal"}
_SUP = dict(zip("0123456789+-=()nitTk", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵗᵀᵏ"))
_SUB = dict(zip("0123456789+-=()ijktnx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ᵢⱼₖₜₙₓ"))
_FRACTIONS = {("1", "2"): "½", ("1", "3"): "⅓", ("1", "4"): "¼", ("3", "4"): "¾"}
_GROUP = r"(\{[^{}]*\}|[A-Za-z0-9])"


def _ungroup(text: str) -> str:
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


def _script(text: str, table: dict[str, str], mark: str) -> str:
    inner = _ungroup(text)
    if inner and all(ch in table for ch in inner):
        return "".join(table[ch] for ch in inner)
    return f"{mark}({inner})" if len(inner) > 1 else f"{mark}{inner}"


def tex_to_text(tex: str) -> str:
    """Plain-text reading of a short TeX formula (for places MathJax cannot reach).

    >>> tex_to_text(r"(x - 50)^2")
    '(x - 50)²'
    >>> tex_to_text(r"1 - \\beta_1^t")
    '1 - β₁ᵗ'
    >>> tex_to_text(r"f(x, y) = \\tfrac12 (x^2 + 50 y^2)")
    'f(x, y) = ½ (x² + 50 y²)'
    >>> tex_to_text(r"\\sigma' = \\sigma(1 - \\sigma)")
    'σ′ = σ(1 - σ)'
    """
    out = tex
    out = re.sub(
        r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP,
        lambda m: _FRACTIONS.get((_ungroup(m[1]), _ungroup(m[2])), f"{_ungroup(m[1])}/{_ungroup(m[2])}"),
        out,
    )
    out = re.sub(r"\\(" + "|".join(sorted(_STYLE)) + r")\s*\{([^{}]*)\}", r"\2", out)
    out = re.sub(r"\\left|\\right|\\big|\\Big|\\bigl|\\bigr", "", out)
    out = re.sub(r"\\([,;:!])", lambda m: _SPACES[m[1]], out)

    def command(m: re.Match) -> str:
        name = m[1]
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _FUNCTIONS:
            return name
        return _SPACES.get(name, name)

    out = re.sub(r"\\([A-Za-z]+)", command, out)
    out = out.replace("'", "′")
    out = re.sub(r"_" + _GROUP, lambda m: _script(m[1], _SUB, "_"), out)
    out = re.sub(r"\^" + _GROUP, lambda m: _script(m[1], _SUP, "^"), out)
    out = out.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", out).strip()


_INLINE_MATH = re.compile(r"\\\((.*?)\\\)", re.S)
_MATH_SPAN = re.compile(r'<span class="math[^"]*">(.*?)</span>', re.S)


def plain_math(text: str) -> str:
    """Replace every ``\\(...\\)`` (and its ``<span class="math">``) with plain text."""
    text = _MATH_SPAN.sub(lambda m: m[1], text)
    return _INLINE_MATH.sub(lambda m: tex_to_text(html.unescape(m[1])), text)


# Where sphinx-gallery strips a ``:math:`` role it leaves bare TeX: ``x^2``,
# ``\sigma``, ``m_t``, ``\beta_1^t``. Only such tokens are read as TeX (so
# ``apply_gradients`` and file names stay as they are).
_BARE_TEX = re.compile(
    r"\\[,;:!]|\\[A-Za-z]+(?:\s*\{[^{}]*\})*[_^]?[A-Za-z0-9{}_^]*|(?<![\w.])[0-9]*[A-Za-z)\]]*[_^](?:\{[^{}]*\}|[A-Za-z0-9])(?:[_^](?:\{[^{}]*\}|[A-Za-z0-9]))*(?![\w])"
)


def bare_tex_to_text(text: str) -> str:
    """Plain text for prose in which TeX lost its delimiters (gallery tooltips)."""
    return _BARE_TEX.sub(lambda m: _SPACES[m[0][1]] if m[0][1] in ",;:!" else tex_to_text(m[0]), text)


# --- MathJax where navigation shows math ---------------------------------------


def _has_math(node: nodes.Node | None) -> bool:
    return node is not None and any(True for _ in node.findall(nodes.math))


def _top_section(env, docname: str) -> str:
    """The child of the root document under which ``docname`` sits (the sidebar's scope)."""
    parents = {}
    for parent, children in env.toctree_includes.items():
        for child in children:
            parents.setdefault(child, parent)
    seen = set()
    while docname in parents and parents[docname] != env.config.root_doc and docname not in seen:
        seen.add(docname)
        docname = parents[docname]
    return docname


def _math_sections(app: Sphinx) -> set[str]:
    """Top-level sections that hold a page whose title has math."""
    env = app.env
    return {_top_section(env, doc) for doc, title in env.titles.items() if _has_math(title)}


def _needs_mathjax(app: Sphinx, pagename: str, context: dict) -> bool:
    if pagename not in app.env.titles:  # genindex, search: no navigation with math
        return False
    if _top_section(app.env, pagename) in _math_sections(app):
        return True
    neighbours = [context.get(k) or {} for k in ("prev", "next")]
    return any("\\(" in (n.get("title") or "") for n in neighbours) or "\\(" in context.get("body", "")


# --- the gallery's thumbnails ---------------------------------------------------

_THUMB = re.compile(
    r'(?P<open><div class="sphx-glr-thumbcontainer" tooltip=")(?P<tooltip>[^"]*)(?P<mid>">\s*<img alt=")(?P<alt>[^"]*)'
    r'(?P<img>" src="[^"]*" />\s*<p><a class="reference internal" href=")(?P<href>[^"#]*)(?P<link>[^"]*"><span class="[^"]*">)'
    r'(?P<linktext>.*?)(?P<close></span></a></p>\s*<div class="sphx-glr-thumbnail-title">)(?P<title>.*?)(?P<end></div>)',
    re.S,
)


def _thumbnails(app: Sphinx, pagename: str, body: str) -> str:
    def fix(m: re.Match) -> str:
        target = str(PurePosixPath(pagename).parent / m["href"])
        docname = re.sub(r"\.html$", "", str(PurePosixPath(*_normalize(target.split("/")))))
        title_node = app.env.titles.get(docname)
        title_html = app.builder.render_partial(title_node)["title"] if title_node is not None else m["title"]
        alt = html.unescape(re.sub(r"<[^>]+>", "", plain_math(title_html)))
        tooltip = html.escape(bare_tex_to_text(html.unescape(m["tooltip"])))
        return (
            m["open"]
            + tooltip
            + m["mid"]
            + html.escape(alt)
            + m["img"]
            + m["href"]
            + m["link"]
            + bare_tex_to_text(m["linktext"])
            + m["close"]
            + title_html
            + m["end"]
        )

    return _THUMB.sub(fix, body)


_GALLERY_ALT = re.compile(r'(<img src="[^"]*" srcset="[^"]*" alt=")([^"]*)(" class = "sphx-glr-)')


def _normalize(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


# --- notebooks ------------------------------------------------------------------


def _executed_notebook(app: Sphinx, docname: str) -> Path | None:
    """The notebook myst-nb wrote for ``docname`` (in cache mode without outputs: see _with_outputs)."""
    if docname.startswith(tuple(f"{d}/" for d in _gallery_dirs(app))):
        return None
    if docname not in app.env.found_docs:
        return None
    path = Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"
    return path if path.is_file() and _shows_code(path) else None


def _shows_code(path: Path) -> bool:
    """Whether a notebook has a code cell whose input the page shows (else no download: nothing to run)."""
    hidden = {"remove-input", "remove-cell", "hide-input"}
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return True
    return any(c.get("cell_type") == "code" and not hidden & set(c.get("metadata", {}).get("tags", [])) for c in cells)


def _execution_cache(app: Sphinx):
    """myst-nb's jupyter-cache, or None when pages are not executed from it."""
    if getattr(app.config, "nb_execution_mode", "off") not in ("cache", "auto"):
        return None
    path = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    if not path.is_dir():
        return None
    from jupyter_cache import get_cache

    return get_cache(str(path))


def _with_outputs(notebook: Path, cache) -> str:
    """The notebook with its executed outputs.

    In cache mode myst-nb writes ``jupyter_execute/`` before it merges the
    cached outputs in, so the outputs are merged here, as myst-nb does.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    if cache is not None:
        try:
            _, nb = cache.merge_match_into_notebook(nb, nb_meta=("kernelspec", "language_info", "widgets"))
        except KeyError:  # not executed (yet): offer the notebook as it is
            logger.info(f"site_browser: no executed outputs cached for {notebook.name}")
    try:  # what to install, as every gallery notebook says first (docs/_ext/site_downloads.py)
        from site_downloads import notebook_first_cell
    except ImportError:
        pass
    else:
        cell = nbformat.v4.new_code_cell(notebook_first_cell())
        if nb.nbformat_minor < 5:
            cell.pop("id", None)  # cell ids exist from nbformat 4.5 on
        else:
            cell["id"] = "tfopt-install"  # the same notebook in every build and language
        nb.cells.insert(0, cell)
    if nb.nbformat_minor >= 5:
        # myst-nb gives the cells random ids: number them, so that every build
        # and both languages offer the same notebook (check-downloads runs it once).
        for index, each in enumerate(nb.cells):
            if each.get("id") != "tfopt-install":
                each["id"] = f"cell-{index}"
    nbformat.validate(nb)
    return nbformat.writes(nb)


def _gallery_dirs(app: Sphinx) -> list[str]:
    dirs = getattr(app.config, "sphinx_gallery_conf", {}).get("gallery_dirs", [])
    return [dirs] if isinstance(dirs, str) else list(dirs)


# --- events ---------------------------------------------------------------------


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != "html":
        return
    if context.get("theme_search_bar_text") == SEARCH_BAR_TEXT:
        # The theme shows this default without passing it through gettext.
        context["theme_search_bar_text"] = str(_(SEARCH_BAR_TEXT))
    if _needs_mathjax(app, pagename, context):
        context["has_maths_elements"] = True  # read by sphinx.ext.mathjax (runs after this)
    if context.get("title"):
        context["title"] = plain_math(context["title"])
    if "body" in context and "sphx-glr-thumbcontainer" in context["body"]:
        context["body"] = _thumbnails(app, pagename, context["body"])
    if "body" in context and '<img id="_anim_img' in context["body"]:
        # Matplotlib's JS animation: one <img> whose frames the player swaps.
        alt = html.escape(
            f"{_('Animation')}: {html.unescape(re.sub(r'<[^>]+>', '', context.get('title', '')))}", quote=True
        )
        context["body"] = context["body"].replace('<img id="_anim_img', f'<img alt="{alt}" id="_anim_img')
    if "body" in context and "sphx-glr-" in context["body"]:
        # sphinx-gallery takes a figure's alt text from its axes titles, TeX included.
        context["body"] = _GALLERY_ALT.sub(
            lambda m: m[1] + html.escape(bare_tex_to_text(html.unescape(m[2]))) + m[3], context["body"]
        )
    notebook = _executed_notebook(app, pagename)
    if notebook is not None:
        uri = f"{NOTEBOOK_DIR}/{pagename}.ipynb"
        context["site_notebook_url"] = context["pathto"](uri, 1)
        context["site_notebook_name"] = PurePosixPath(pagename).name + ".ipynb"
        source = context.get("sourcename")
        if source and app.config.html_copy_source:
            context["site_source_url"] = context["pathto"](f"_sources/{source}", 1)
            context["site_source_name"] = PurePosixPath(source).name.removesuffix(app.config.html_sourcelink_suffix)


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Let a section index's hidden toctrees feed the landing page's table of contents.

    A section index (``tutorials/index``, ...) lists its pages in its own words and
    keeps its toctrees ``:hidden:``; Sphinx then leaves those pages out of every
    toctree that includes the index, so the landing page listed the index's
    headings instead. Only the copies in the table of contents are made visible:
    the index page itself still shows no toctree.
    """
    docname = app.env.docname
    if docname.endswith("index") and docname != app.config.root_doc and docname in app.env.tocs:
        for toctree in app.env.tocs[docname].findall(addnodes.toctree):
            toctree["hidden"] = False


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Alt text for the figures that notebook cells draw."""
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        cell = next((a for a in _ancestors(image) if "cell" in a.get("classes", [])), None)
        if cell is None:
            continue
        source = "".join(n.astext() for n in cell.findall(nodes.literal_block) if "cell_input" in _classes_up(n, cell))
        titles = re.findall(r"""(?:set_title|suptitle|title)\(\s*[rf]?["']([^"'\n]+)["']""", source)
        section = next((a for a in _ancestors(image) if isinstance(a, nodes.section)), None)
        heading = section[0].astext() if section is not None and len(section) else ""
        image["alt"] = "; ".join(dict.fromkeys(titles)) or heading or app.env.titles[docname].astext()


def alt_texts_as_messages(app: Sphinx, doctree: nodes.document) -> None:
    """Make the alt text a cell gives its figure (``mystnb: image: alt:``) a message of the page's catalog.

    The gettext build executes nothing, so the figures are not in its doctrees
    and Sphinx extracts no alt text. A placeholder image carrying each cell's
    alt text stands in for the figure; the translated build's images, drawn
    from the execution cache, carry the same text, which Sphinx's i18n
    transform then translates.
    """
    if app.builder.name != "gettext":
        return
    for cell in doctree.findall(nodes.container):
        metadata = cell.get("cell_metadata") or {}
        alt = ((metadata.get("mystnb") or {}).get("image") or {}).get("alt")
        if alt:
            image = nodes.image(uri="", alt=alt)
            image.source, image.line = cell.source, cell.line
            cell += image


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


def _classes_up(node: nodes.Node, stop: nodes.Node) -> set[str]:
    classes: set[str] = set()
    for a in _ancestors(node):
        classes.update(a.get("classes", []))
        if a is stop:
            break
    return classes


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    cache = _execution_cache(app)
    for docname in sorted(app.env.found_docs):
        notebook = _executed_notebook(app, docname)
        if notebook is not None:
            target = out / NOTEBOOK_DIR / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_with_outputs(notebook, cache), encoding="utf-8")
    _complete_js_translations(app, out / "_static" / "translations.js")
    index = out / "searchindex.js"
    if index.is_file():
        text = index.read_text(encoding="utf-8")
        head, data = text[: text.index("(") + 1], json.loads(text[text.index("(") + 1 : text.rindex(")")])
        data["titles"] = [plain_math(t) for t in data.get("titles", [])]
        if "alltitles" in data:
            data["alltitles"] = {bare_tex_to_text(k): v for k, v in data["alltitles"].items()}
        index.write_text(head + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ")", encoding="utf-8")


#: Messages the page scripts ask for that Sphinx's zh_CN translations.js lacks:
#: msgid in sphinx.po -> (key in translations.js, whether ngettext reads it).
#: Chinese has one plural form, so ngettext's message is a list of one.
JS_MESSAGES = {
    "Search finished, found ${resultCount} pages matching the search query.": (
        "Search finished, found one page matching the search query.",
        True,
    ),
}


def _complete_js_translations(app: Sphinx, path: Path) -> None:
    """Add the messages of our ``sphinx.po`` that the page scripts need and Sphinx's catalog lacks.

    Sphinx copies its own prebuilt ``translations.js``; Sphinx 8.2's search page
    asks for a plural message that its zh_CN catalog only has in an older form.
    """
    if not path.is_file() or not app.config.language or app.config.language == "en":
        return
    from babel.messages.pofile import read_po

    catalogs = [Path(app.srcdir, d, app.config.language, "LC_MESSAGES", "sphinx.po") for d in app.config.locale_dirs]
    text = path.read_text(encoding="utf-8")
    start, end = text.index("(") + 1, text.rindex(")")
    data = json.loads(text[start:end])
    messages = data.setdefault("messages", {})
    for po in filter(Path.is_file, catalogs):
        with po.open("rb") as f:
            for message in read_po(f):
                if message.id in JS_MESSAGES and message.string:
                    key, plural = JS_MESSAGES[message.id]
                    messages.setdefault(key, [message.string] if plural else message.string)
    path.write_text(text[:start] + json.dumps(data, ensure_ascii=False) + text[end:], encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", on_html_page_context, priority=400)  # before sphinx.ext.mathjax
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("doctree-read", on_doctree_read, priority=900)  # after Sphinx's toctree collector (500)
    app.connect("doctree-read", alt_texts_as_messages, priority=900)  # after Sphinx's image collector (500)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
