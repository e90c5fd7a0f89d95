"""The built site in headless Chromium, as a reader meets it, in both languages.

One pass loads every page of both languages over HTTP (nothing blocked) and
records, per page: console errors, failed requests, requests to other hosts,
math left untypeset (navigation, titles and tooltips included), images without
meaningful alt text, the heading outline, ``lang``, and the layout at desktop
and phone width. The tests below each assert one of those records. The key
pages (browser.KEY_PAGES) are then checked in depth: search, the language
switcher, copy buttons, downloads, the animation, dark mode, and axe-core.

Each test adds a one-line summary with its counts to the terminal summary and
to _build/browser/report.json.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import DESKTOP, KEY_PAGES, PHONE, WAIT_FOR_MATHJAX, search_result_pages
from built_site import CHINESE, HTML, LANGUAGES, SOURCE_LANGUAGE, built_pages, moved_pages, record_summary

# --- what one page load records -----------------------------------------------

#: English strings of the theme and of Sphinx that a Chinese page must not show.
THEME_STRINGS = [
    "Collapse Sidebar",
    "Expand Sidebar",
    "Color mode",
    "System Settings",
    "Link to this heading",
    "Link to this equation",
    "Search the docs",
    "Breadcrumb",
    "Show or hide the pages",
    '"Language"',
    "Skip to main content",
    "Back to top",
    "On this page",
    "Section Navigation",
    "contributors",  # the footer's copyright holder (conf.py's site_copyright)
    "(.ipynb)",  # the download buttons, translated whole (笔记本（.ipynb）)
]

AUDIT = r"""(THEME_STRINGS) => {
  const TEX_TEXT = /\\[()[\]]|\$\$|\\(?:frac|tfrac|partial|sum|sigma|beta|alpha|nabla|mathrm|left|right|cdot|odot|top|begin|end)\b/;
  const TEX_ATTR = /\\[A-Za-z]+|\\[()[\]]|[\w)}\]]\^|_\{/;
  const SKIP = "script, style, pre, code, kbd, samp, textarea, noscript, template, mjx-container, .highlight";
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (parent && !parent.closest(SKIP) && TEX_TEXT.test(node.nodeValue)) raw.push(node.nodeValue.trim().slice(0, 100));
  }
  for (const el of document.querySelectorAll("[title], [tooltip], [aria-label], [alt], [placeholder]")) {
    if (el.closest("head, mjx-container, pre, code")) continue;  // <head> links are never shown
    for (const name of ["title", "tooltip", "aria-label", "alt", "placeholder"]) {
      const v = el.getAttribute(name);
      if (v && TEX_ATTR.test(v)) raw.push(`${el.tagName.toLowerCase()}[${name}]: ${v.slice(0, 100)}`);
    }
  }
  if (TEX_ATTR.test(document.title)) raw.push(`<title>: ${document.title}`);
  const untypeset = [...document.querySelectorAll("span.math, div.math")]
    .filter(el => !el.querySelector("mjx-container")).map(el => el.textContent.trim().slice(0, 80));
  const mathErrors = [...document.querySelectorAll("mjx-merror")].map(el => el.getAttribute("data-mjx-error") || "error");
  const FILE_NAME = /^\S*\/\S*$|\.(png|jpe?g|gif|svg|webp)$/i;  // a path or a file name
  const images = [...document.querySelectorAll("img")];
  const badAlt = images.filter(img => { const alt = (img.getAttribute("alt") || "").trim(); return !alt || FILE_NAME.test(alt); })
    .map(img => `${(img.getAttribute("src") || "").slice(-60)} alt=${JSON.stringify(img.getAttribute("alt"))}`);
  const brokenImages = images.filter(img => img.complete && img.naturalWidth === 0 && img.getAttribute("src")).map(img => img.getAttribute("src"));
  const main = document.querySelector("main") || document.body;
  const levels = [...main.querySelectorAll("h1, h2, h3, h4, h5, h6")].map(h => +h.tagName[1]);
  const headingProblems = [];
  if (levels.filter(l => l === 1).length !== 1) headingProblems.push(`${levels.filter(l => l === 1).length} h1`);
  if (levels.length && levels[0] !== 1) headingProblems.push(`first heading is h${levels[0]}`);
  levels.forEach((l, i) => { if (i && l > levels[i - 1] + 1) headingProblems.push(`h${levels[i - 1]} then h${l}`); });
  const icon = document.querySelector('link[rel~="icon"]');
  const markup = document.body.innerHTML;
  const english = THEME_STRINGS.filter(t => markup.includes(t));
  return {lang: document.documentElement.lang, title: document.title, raw, untypeset, mathErrors,
          mathCount: document.querySelectorAll("mjx-container").length, images: images.length, badAlt, brokenImages,
          headings: levels.length, headingProblems, favicon: icon ? icon.href : null, english};
}"""

LAYOUT = r"""(desktop) => {
  const vw = document.documentElement.clientWidth;
  const sideways = Math.max(document.scrollingElement.scrollWidth, document.body.scrollWidth) - vw;
  const cut = [], scrolled = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/)[0] : "");
  const SELECT = "pre, table, img, video, iframe, mjx-container[display='true'], div.math, .cell_output, .sphx-glr-script-out, .highlight";
  for (const el of document.querySelectorAll(`.bd-article :is(${SELECT})`)) {
    let r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;  // not shown
    let clippedBy = null;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow === "visible") continue;
      const ar = a.getBoundingClientRect();
      if (r.left >= ar.left - 1 && r.right <= ar.right + 1) continue;
      if (overflow === "auto" || overflow === "scroll") { r = ar; continue; }  // scrolls inside its box
      clippedBy = a; break;
    }
    if (clippedBy || r.left < -1 || r.right > vw + 1)
      cut.push(`${name(el)} [${Math.round(r.left)}, ${Math.round(r.right)}] in ${vw}px` + (clippedBy ? ` clipped by ${name(clippedBy)}` : ""));
  }
  for (const eq of document.querySelectorAll("mjx-container[display='true']")) {
    if (eq.getBoundingClientRect().width && eq.scrollWidth > eq.clientWidth + 1)
      (desktop ? cut : scrolled).push(`equation ${eq.scrollWidth}px in a ${eq.clientWidth}px box: ${(eq.querySelector("mjx-assistive-mml") || eq).textContent.slice(0, 40)}`);
  }
  // The navbar on one row: its end items (search, languages, colour mode) beside its links.
  const center = document.querySelector(".navbar-header-items__center"), end = document.querySelector(".navbar-header-items__end");
  if (desktop && center && end && end.getBoundingClientRect().top - center.getBoundingClientRect().top > 20)
    cut.push(`the navbar wraps onto a second row`);
  return {width: vw, sideways, cut, scrolled};
}"""


def page_urls(site_url: str) -> list[tuple[str, str]]:
    """(language, URL) of every built page of both languages, moved pages left out."""
    out = []
    for language in LANGUAGES:
        base, moved = HTML / language, moved_pages(language)
        out += [
            (language, f"{site_url}/{language}/{p.relative_to(base).as_posix()}")
            for p in built_pages(language)
            if p not in moved
        ]
    return out


def test_moved_pages_send_the_reader_on(browser, site_url):
    """An old URL lands on the page that replaced it, in the same language."""
    context = browser.new_context(viewport=DESKTOP)
    checked = 0
    try:
        page = context.new_page()
        for language in LANGUAGES:
            base = HTML / language
            for path, target in moved_pages(language).items():
                landing = (path.parent / target).resolve().relative_to(HTML.resolve()).as_posix()
                assert (HTML / landing).is_file(), f"{path.relative_to(HTML)} sends readers to a missing {landing}"
                page.goto(f"{site_url}/{language}/{path.relative_to(base).as_posix()}")
                page.wait_for_url(f"{site_url}/{landing}", timeout=10000)
                checked += 1
    finally:
        context.close()
    assert checked >= len(LANGUAGES), "no moved page found: the porting page's old URL should redirect"
    record_summary("moved pages", f"moved pages send the reader on ({checked} old URLs)")


def _listen(page, site_url: str, current: dict, log: dict) -> None:
    """Record console errors, failed requests and requests to other hosts into ``log``."""

    def on_request(request):
        log["requests"] += 1
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and not request.url.startswith(
            site_url + "/"
        ):
            log["outside"].append(f"{current['url']}: {request.url}")

    page.on("request", on_request)
    # ERR_ABORTED: the page was left before the request ended (the next page was loaded).
    page.on(
        "requestfailed",
        lambda r: (
            "ERR_ABORTED" not in (r.failure or "") and log["failed"].append(f"{current['url']}: {r.url} ({r.failure})")
        ),
    )
    page.on(
        "response", lambda r: r.status >= 400 and log["failed"].append(f"{current['url']}: {r.url} (HTTP {r.status})")
    )
    page.on("console", lambda m: m.type == "error" and log["console"].append(f"{current['url']}: {m.text}"))
    page.on("pageerror", lambda e: log["console"].append(f"{current['url']}: uncaught {e}"))


def _record(page, url: str, language: str) -> dict:
    """Load ``url`` at desktop width; audit it; audit its layout again at phone width."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(url, wait_until="load")
    record = {"language": language, "status": response.status if response else None}
    record["mathjax"] = page.evaluate(WAIT_FOR_MATHJAX)
    record.update(page.evaluate(AUDIT, THEME_STRINGS))
    record["desktop"] = page.evaluate(LAYOUT, True)
    page.set_viewport_size(PHONE)
    page.evaluate("() => window.tfoptFitMath && window.tfoptFitMath()")
    record["phone"] = page.evaluate(LAYOUT, False)
    return record


def _new_log() -> dict:
    return {"console": [], "failed": [], "outside": [], "requests": 0}


@pytest.fixture(scope="module")
def sweep(browser, site_url):
    """Load every page of both languages once; return what each load recorded."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    current = {"url": ""}
    log = _new_log()
    _listen(page, site_url, current, log)
    pages = {}
    started = time.monotonic()
    try:
        # The root page sends a reader on to a language.
        current["url"] = f"{site_url}/index.html"
        page.goto(current["url"])
        page.wait_for_url(re.compile(rf"/({'|'.join(LANGUAGES)})/index\.html$"), timeout=10000)
        log["root_redirect"] = page.url
        for language, url in page_urls(site_url):
            current["url"] = url
            pages[url[len(site_url) + 1 :]] = _record(page, url, language)
        icons = {r["favicon"] for r in pages.values()}
        log["favicons"] = {icon: context.request.get(icon).status if icon else None for icon in icons}
    finally:
        context.close()
    log["pages"] = pages
    log["seconds"] = round(time.monotonic() - started, 1)
    return log


BAD_PAGE = r"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Adam on \((x - 50)^2\)</title></head>
<body><main><article class="bd-article">
<h1>A page with every defect</h1><h3>a skipped heading level</h3>
<p>raw \(x^2\) math</p><span class="math">y^2</span>
<div tooltip="f(x) = x^2"></div>
<img src="pic.png"><img src="pic.png" alt="../_images/pic.png"><img src="missing.png" alt="a missing picture">
<div style="width: 200px; overflow: hidden"><pre style="width: 600px">clipped code</pre></div>
<pre style="width: 3000px">a block wider than any screen</pre>
<script>console.error("boom")</script>
<script src="http://localhost:9/outside.js"></script>
</article></main></body></html>"""
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_the_page_checks_catch_a_page_with_every_defect(browser, tmp_path):
    """Each per-page check fails on a page made to fail it."""
    from browser import serve

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (tmp_path / "en" / "pic.png").write_bytes(PNG_1PX)
    with serve(tmp_path) as url:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        log = _new_log()
        _listen(page, url, {"url": "bad"}, log)
        try:
            record = _record(page, f"{url}/en/bad.html", "en")
        finally:
            context.close()
    assert any("boom" in e for e in log["console"]), log["console"]
    assert any("missing.png" in f for f in log["failed"]), log["failed"]
    assert any("localhost:9" in o for o in log["outside"]), log["outside"]
    assert len(record["raw"]) == 3, record["raw"]  # the text, the tooltip, the <title>
    assert record["untypeset"] == ["y^2"], record["untypeset"]
    assert len(record["badAlt"]) == 2 and len(record["brokenImages"]) == 1, record
    assert record["headingProblems"] == ["h1 then h3"], record["headingProblems"]
    assert record["lang"] == ""
    assert record["desktop"]["sideways"] > 0 and record["phone"]["sideways"] > 0
    cut = record["desktop"]["cut"]
    assert len(cut) == 2 and any("clipped by div" in c for c in cut), cut
    record_summary("self-test", "the per-page checks flag a page made with every defect (11 of 11 checks)")


def _where(problems: list[str], limit: int = 25) -> str:
    return "\n".join(problems[:limit]) + (f"\n... and {len(problems) - limit} more" if len(problems) > limit else "")


def test_every_page_loads_without_console_errors_or_failed_requests(sweep):
    n = len(sweep["pages"]) + 1
    record_summary(
        "pages",
        f"{n} pages loaded (root included) in {sweep['seconds']} s, {sweep['requests']} requests, "
        f"{len(sweep['console'])} console errors, {len(sweep['failed'])} failed requests",
    )
    assert n >= 2 * 40, f"only {n} pages found"
    assert sweep["root_redirect"].endswith("/en/index.html"), sweep["root_redirect"]
    bad_status = [u for u, r in sweep["pages"].items() if r["status"] != 200]
    assert not bad_status, bad_status
    assert not sweep["console"], f"{len(sweep['console'])} console errors on {n} pages:\n" + _where(sweep["console"])
    assert not sweep["failed"], f"{len(sweep['failed'])} of {sweep['requests']} requests failed:\n" + _where(
        sweep["failed"]
    )


def test_no_page_requests_another_host(sweep):
    record_summary(
        "outside",
        f"{sweep['requests']} requests from {len(sweep['pages'])} pages, {len(sweep['outside'])} to other hosts",
    )
    assert sweep["requests"] > len(sweep["pages"]) * 5, sweep["requests"]
    assert not sweep["outside"], f"{len(sweep['outside'])} requests to other hosts:\n" + _where(sweep["outside"])


def test_every_page_has_a_favicon(sweep):
    assert all(r["favicon"] for r in sweep["pages"].values()), [
        u for u, r in sweep["pages"].items() if not r["favicon"]
    ]
    assert all(status == 200 for status in sweep["favicons"].values()), sweep["favicons"]


def test_all_math_is_typeset_navigation_titles_and_tooltips_included(sweep):
    pages = sweep["pages"]
    problems = [f"{u}: raw TeX {t!r}" for u, r in pages.items() for t in r["raw"]]
    problems += [f"{u}: not typeset {t!r}" for u, r in pages.items() for t in r["untypeset"]]
    problems += [f"{u}: MathJax error {t!r}" for u, r in pages.items() for t in r["mathErrors"]]
    typeset = sum(r["mathCount"] for r in pages.values())
    record_summary(
        "math",
        f"{typeset} formulas typeset on {sum(r['mathjax'] for r in pages.values())} pages with MathJax, "
        f"{len(problems)} problems",
    )
    assert typeset > 100, f"only {typeset} formulas typeset"
    assert not problems, f"{len(problems)} problems:\n" + _where(problems)


def test_every_image_has_meaningful_alt_text(sweep):
    pages = sweep["pages"]
    problems = [f"{u}: {t}" for u, r in pages.items() for t in r["badAlt"]]
    problems += [f"{u}: broken image {t}" for u, r in pages.items() for t in r["brokenImages"]]
    count = sum(r["images"] for r in pages.values())
    record_summary(
        "images", f"{count} images on {len(pages)} pages, {len(problems)} without meaningful alt text or broken"
    )
    assert count > 0
    assert not problems, f"{len(problems)} of {count} images:\n" + _where(problems)


def test_headings_in_order_lang_set_and_theme_strings_translated(sweep):
    pages = sweep["pages"]
    problems = [f"{u}: {p}" for u, r in pages.items() for p in r["headingProblems"]]
    problems += [
        f"{u}: untranslated {t!r}" for u, r in pages.items() if r["language"] != SOURCE_LANGUAGE for t in r["english"]
    ]
    problems += [f"{u}: lang={r['lang']!r}" for u, r in pages.items() if r["lang"] != r["language"].replace("_", "-")]
    record_summary(
        "headings",
        f"{sum(r['headings'] for r in pages.values())} headings, lang and {len(THEME_STRINGS)} theme "
        f"strings on {len(pages)} pages, "
        f"{len(problems)} problems",
    )
    assert not problems, f"{len(problems)} problems:\n" + _where(problems)


def test_nothing_is_cut_and_no_page_scrolls_sideways(sweep):
    pages = sweep["pages"]
    problems = []
    for url, r in pages.items():
        for mode in ("desktop", "phone"):
            layout = r[mode]
            if layout["sideways"] > 1:
                problems.append(f"{url} at {layout['width']}px: the page scrolls sideways by {layout['sideways']}px")
            problems += [f"{url} at {layout['width']}px: {c}" for c in layout["cut"]]
    scrolled = sum(len(r["phone"]["scrolled"]) for r in pages.values())
    record_summary(
        "layout",
        f"{len(pages)} pages at {DESKTOP['width']} and {PHONE['width']} px, {len(problems)} cut or "
        f"sideways; {scrolled} equations scroll in their own box on a phone",
    )
    assert not problems, f"{len(problems)} problems:\n" + _where(problems, 40)


# --- the key pages, in depth ------------------------------------------------------


def key_url(site_url: str, language: str, page: str) -> str:
    return f"{site_url}/{language}/{page}.html"


def _open(context, url: str):
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"uncaught {e}"))
    page.goto(url)
    page.evaluate(WAIT_FOR_MATHJAX)
    return page, errors


SEARCHES = [
    (
        SOURCE_LANGUAGE,
        "GradientTape",
        {"tutorials/first-gradient", "reference/gradient-tape", "tutorials/tape-basics"},
    ),
    (CHINESE, "梯度带", {"tutorials/first-gradient", "reference/gradient-tape", "tutorials/tape-basics"}),
    (CHINESE, "学习率", {"tutorials/first-gradient", "how-to/use-schedules", "reference/schedules"}),
    (SOURCE_LANGUAGE, "migration", {"how-to/port-tf2-code"}),  # the porting page's first paragraph
    (SOURCE_LANGUAGE, "upgrade", {"how-to/port-tf2-code"}),
]


def test_search_from_the_navbar_lists_the_right_pages(browser, site_url):
    """Type the term in the theme's search box, as a reader does; read the result list."""
    context = browser.new_context(viewport=DESKTOP)
    found = {}
    try:
        for language, query, expected in SEARCHES:
            page, errors = _open(context, key_url(site_url, language, "index"))
            page.locator("button.search-button__button:visible").first.click()
            box = page.locator("#pst-search-dialog input[name=q]")
            box.fill(query)
            box.press("Enter")
            page.wait_for_url(re.compile(r"/search\.html\?q="))
            docs = search_result_pages(page)
            found[(language, query)] = docs
            summary = page.inner_text("#search-results .search-summary")
            if language == CHINESE:
                assert re.search(r"[\u4e00-\u9fff]", summary), f"untranslated search summary: {summary!r}"
            missing = expected - set(docs)
            assert not missing, f"{language} search {query!r}: {missing} not among {len(docs)} results {docs[:10]}"
            assert not errors, errors
            page.close()
    finally:
        context.close()
    record_summary(
        "search",
        f"{len(found)} searches from the navbar: "
        + ", ".join(f"{q!r} ({lang}) {len(d)} results" for (lang, q), d in found.items()),
    )


def _other(language: str) -> str:
    return next(code for code in LANGUAGES if code != language)


def _click_switcher(page) -> None:
    """Click the navbar's language link where it is on screen, as a mouse does.

    (Playwright's own click first scrolls the target into view, which moves the
    page under the sticky header and changes the section being read.)
    """
    box = page.locator("nav.site-lang-switcher a[hreflang]:visible").first.bounding_box()
    assert box and 0 <= box["y"] < DESKTOP["height"], f"language switcher not on screen: {box}"
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_load_state("load")


def test_language_switcher_keeps_the_page_and_the_section(browser, site_url):
    context = browser.new_context(viewport=DESKTOP)
    checked = scrolled = anchored = 0
    try:
        for language in LANGUAGES:
            for page_name in KEY_PAGES.values():
                page, errors = _open(context, key_url(site_url, language, page_name))
                sections = page.eval_on_selector_all("article.bd-article section[id]", "els => els.map(s => s.id)")
                # The reader has scrolled to a section (no #anchor in the address): a
                # section from the middle on whose heading can reach the top of the window.
                target = None
                for candidate in sections[len(sections) // 2 :] if len(sections) > 1 else []:
                    top = page.evaluate(
                        """id => { const s = document.getElementById(id); s.scrollIntoView();
                        return s.firstElementChild.getBoundingClientRect().top; }""",
                        candidate,
                    )
                    if 0 <= top <= 100:
                        target = candidate
                        break
                if target:
                    scrolled += 1
                page.wait_for_timeout(100)
                _click_switcher(page)
                other = _other(language)
                path = urlsplit(page.url)
                assert path.path == f"/{other}/{page_name}.html", f"{language} {page_name} -> {page.url}"
                other_sections = page.eval_on_selector_all(
                    "article.bd-article section[id]", "els => els.map(s => s.id)"
                )
                assert other_sections == sections, f"{page_name}: the sections differ between languages"
                if target:
                    assert path.fragment == target, f"{language} {page_name}: section {target!r} -> {page.url}"
                if len(sections) > 1:
                    anchored += 1
                    # A link to a section (#anchor in the address) leads to the same section.
                    last = sections[-1]
                    page.goto(key_url(site_url, language, page_name) + "#" + last)
                    _click_switcher(page)
                    assert urlsplit(page.url).fragment == last, page.url
                    assert page.evaluate("id => !!document.getElementById(id)", last)
                assert page.evaluate("() => document.documentElement.lang") == other.replace("_", "-")
                assert not errors, errors
                checked += 1
                page.close()
    finally:
        context.close()
    record_summary(
        "switcher",
        f"language switcher followed on {checked} key pages ({scrolled} scrolled to a section, "
        f"{anchored} with a #section address): page and section kept",
    )
    assert checked == len(LANGUAGES) * len(KEY_PAGES) and scrolled >= len(LANGUAGES) * (len(KEY_PAGES) - 1)


def _clipboard_after_click(page, button) -> str:
    page.evaluate("() => navigator.clipboard.writeText('')")
    button.click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)", timeout=5000)
    return page.evaluate("() => navigator.clipboard.readText()")


def test_copy_buttons_copy_code_without_prompts_or_outputs(browser, site_url):
    context = browser.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    copied = 0
    try:
        for language in LANGUAGES:
            # A doctest block: only the code after the prompts, none of the printed lines.
            page, errors = _open(context, key_url(site_url, language, KEY_PAGES["reference"]))
            index = page.evaluate("""() => [...document.querySelectorAll("div.highlight")]
                .findIndex(d => /^>>> /m.test(d.querySelector("pre").textContent) && /^[^>.\\s]/m.test(d.querySelector("pre").textContent))""")
            assert index >= 0, "no doctest block with printed output on the reference page"
            block = page.locator("div.highlight").nth(index)
            text = block.locator("pre").inner_text()
            code = [line[4:] for line in text.splitlines() if line.startswith((">>> ", "... "))]
            outputs = [line for line in text.splitlines() if line.strip() and not line.startswith((">>>", "..."))]
            assert outputs, "the doctest block prints nothing"
            block.hover()
            got = _clipboard_after_click(page, block.locator("button.copybtn"))
            assert got.splitlines() == code, (got, code)
            copied += 1
            # A notebook cell: its code, not its output.
            cell = page.locator("div.cell:has(div.cell_output) div.cell_input div.highlight").first
            cell.hover()
            got = _clipboard_after_click(page, cell.locator("button.copybtn"))
            assert got.strip() == cell.locator("pre").inner_text().strip()
            assert not got.lstrip().startswith(">>>")
            copied += 1
            page.close()
            # A gallery example's code block.
            page, errors2 = _open(context, key_url(site_url, language, KEY_PAGES["gallery-example"]))
            block = page.locator("div.highlight-Python div.highlight").first
            block.hover()
            got = _clipboard_after_click(page, block.locator("button.copybtn"))
            assert got.strip() == block.locator("pre").inner_text().strip()
            copied += 1
            assert not errors and not errors2, errors + errors2
            page.close()
    finally:
        context.close()
    record_summary("copy", f"{copied} copy buttons clicked (doctest, notebook cell, gallery code) in both languages")


def test_downloads_are_served(browser, site_url):
    """The gallery's .py and .ipynb, and each executed page's notebook (with outputs) and source."""
    context = browser.new_context(viewport=DESKTOP)
    fetched = []
    try:
        for language in LANGUAGES:
            page, _ = _open(context, key_url(site_url, language, KEY_PAGES["gallery-example"]))
            links = page.eval_on_selector_all("a.download", "els => els.map(a => a.href)")
            suffixes = {Path(urlsplit(u).path).suffix for u in links}
            assert {".py", ".ipynb"} <= suffixes, links
            for url in links:
                response = context.request.get(url)
                assert response.status == 200, url
                fetched.append(url)
                if url.endswith(".py"):
                    compile(response.text(), url, "exec")
                elif url.endswith(".ipynb"):
                    notebook = json.loads(response.text())
                    assert notebook["nbformat"] == 4 and any(c["cell_type"] == "code" for c in notebook["cells"])
            page.close()
            for kind in ("tutorial", "reference", "derivation"):
                page, _ = _open(context, key_url(site_url, language, KEY_PAGES[kind]))
                button = page.locator("a.site-download-notebook")
                assert button.count() == 1 and button.is_visible(), f"{language} {kind}: no notebook button"
                url = button.get_attribute("href")
                response = context.request.get(page.url.rsplit("/", 1)[0] + "/" + url)
                assert response.status == 200, url
                notebook = json.loads(response.text())
                code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
                assert code, f"{url}: no code cells"
                with_outputs = [c for c in code if c.get("outputs")]
                assert with_outputs, f"{url}: no cell has outputs (not the executed notebook)"
                fetched.append(url)
                source = page.locator("a.site-download-source")
                response = context.request.get(page.url.rsplit("/", 1)[0] + "/" + source.get_attribute("href"))
                assert response.status == 200 and "file_format: mystnb" in response.text()
                fetched.append(source.get_attribute("href"))
                page.close()
    finally:
        context.close()
    record_summary(
        "downloads",
        f"{len(fetched)} downloads fetched and parsed (gallery .py/.ipynb, page notebooks with outputs, sources)",
    )


ANIMATION_PAGE = "auto_examples/optimizers/plot_race_rosenbrock"


def test_the_animation_plays(browser, site_url):
    context = browser.new_context(viewport=DESKTOP)
    try:
        for language in LANGUAGES:
            page, errors = _open(context, key_url(site_url, language, ANIMATION_PAGE))
            slider = page.locator(".animation input[type=range]").first
            assert slider.count() == 1, "no animation on the page"
            image = page.locator(".animation img").first
            # The whole frame: JPEG frames share their first few hundred bytes (the header).
            before = (slider.input_value(), image.get_attribute("src"))
            page.locator(".anim-buttons button[title*='Play' i]").first.click()
            page.wait_for_function("el => +el.value > 2", arg=slider.element_handle(), timeout=10000)
            after = (slider.input_value(), image.get_attribute("src"))
            assert after[0] != before[0] and after[1] != before[1], (before[0], after[0])
            # Every player button draws its icon (offline, from the bundled Font Awesome).
            glyphs = page.eval_on_selector_all(
                ".anim-buttons button i",
                """els => els.map(i => {
                const style = getComputedStyle(i, '::before');
                return [i.className, style.content, document.fonts.check(`900 16px ${style.fontFamily}`)]; })""",
            )
            assert len(glyphs) >= 8, glyphs
            blank = [g for g in glyphs if g[1] in ("none", "normal", '""') or not g[2]]
            assert not blank, f"buttons without an icon: {blank}"
            assert not errors, errors
            page.close()
    finally:
        context.close()
    record_summary("animation", f"animation played on {ANIMATION_PAGE} in {len(LANGUAGES)} languages")


def test_dark_mode_without_errors_and_figures_on_light_backgrounds(browser, site_url):
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    checked = 0
    try:
        for language in LANGUAGES:
            page, errors = _open(context, key_url(site_url, language, KEY_PAGES["gallery-example"]))
            assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"  # "auto" follows the system
            for mode in ("light", "dark", "auto", "dark"):  # through the theme's own menu
                page.locator("button.theme-switch-button:visible").first.click()
                page.locator(f"button.theme-change-button[data-mode='{mode}']:visible").click()
                assert page.evaluate("() => document.documentElement.dataset.mode") == mode
                assert page.evaluate("() => localStorage.getItem('mode')") == mode
            assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
            backgrounds = page.eval_on_selector_all(
                ".bd-content img", "els => els.map(e => getComputedStyle(e).backgroundColor)"
            )
            assert backgrounds, "no figures"
            dark = [b for b in backgrounds if not _is_light(b)]
            assert not dark, f"{len(dark)} of {len(backgrounds)} figures on a dark background: {dark[:3]}"
            checked += len(backgrounds)
            assert not errors, errors
            page.close()
    finally:
        context.close()
    record_summary("dark", f"dark mode: {checked} figures on light backgrounds, theme switched without console errors")


def _is_light(css_color: str) -> bool:
    values = [float(v) for v in re.findall(r"[\d.]+", css_color)]
    if len(values) == 4 and values[3] == 0:
        return False
    return sum(values[:3]) / 3 > 180


# --- accessibility: axe-core on the key pages ---------------------------------------

#: Serious or critical axe-core findings on the key pages that are not ours to fix,
#: as (rule id, text in the element's selector): reason. Anything else fails.
AXE_ALLOWED: dict[tuple[str, str], str] = {}


def _axe_script() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


def test_axe_finds_no_serious_or_critical_violations(browser, site_url):
    script = _axe_script()
    version = re.search(r"axe v([\d.]+)", script.read_text(encoding="utf-8")[:200])[1]
    context = browser.new_context(viewport=DESKTOP)
    found, allowed, passes, pages = [], [], 0, 0
    try:
        for language in LANGUAGES:
            for page_name in KEY_PAGES.values():
                page, _ = _open(context, key_url(site_url, language, page_name))
                page.add_script_tag(path=str(script))
                result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
                passes += len(result["passes"])
                pages += 1
                for violation in result["violations"]:
                    if violation["impact"] not in ("serious", "critical"):
                        continue
                    for node in violation["nodes"]:
                        selector = " ".join(map(str, node["target"]))
                        line = f"{language}/{page_name}: {violation['id']} ({violation['impact']}) at {selector}: {node['failureSummary'][:160]}"
                        if any(rule == violation["id"] and where in selector for rule, where in AXE_ALLOWED):
                            allowed.append(line)
                        else:
                            found.append(line)
                page.close()
    finally:
        context.close()
    record_summary(
        "axe",
        f"axe-core {version} on {pages} key pages: {passes} rule checks passed, {len(found)} serious/critical "
        f"violations, {len(allowed)} allowed with a reason",
    )
    assert pages == len(LANGUAGES) * len(KEY_PAGES)
    assert not found, f"{len(found)} serious or critical violations:\n" + _where(found, 40)
