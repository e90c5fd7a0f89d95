"""Links, anchors, assets and the language switcher of the built site."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from built_site import HTML, LANGUAGES, built_pages, moved_pages, soup

# Attributes that make the browser fetch something when the page loads.
LOADED = [
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
]
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


def is_remote(url: str) -> bool:
    return url.startswith("//") or urlsplit(url).scheme not in ("", "file")


def test_no_page_loads_anything_from_another_host(all_pages):
    offenders = []
    for page in all_pages:
        s = soup(page)
        for tag, attr in LOADED:
            for node in s.find_all(tag):
                url = node.get(attr)
                # <link rel="canonical"> and the like are not fetched; stylesheets, icons, preloads are.
                if url and is_remote(url) and not (tag == "link" and "canonical" in node.get("rel", [])):
                    offenders.append(f"{page.relative_to(HTML)}: <{tag} {attr}={url}>")
        for style in s.find_all("style"):
            offenders += [f"{page.relative_to(HTML)}: <style> {m}" for m in _css_urls(style.get_text()) if is_remote(m)]
    for css in HTML.rglob("*.css"):
        offenders += [
            f"{css.relative_to(HTML)}: {m}" for m in _css_urls(css.read_text("utf-8", "replace")) if is_remote(m)
        ]
    assert not offenders, "\n".join(offenders[:30])


def _css_urls(text: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(text) if not (a or b).startswith("data:")]


@cache
def ids_in(path: Path) -> frozenset[str]:
    s = soup(path)
    return frozenset(n.get("id") for n in s.find_all(id=True)) | frozenset(
        n.get("name") for n in s.find_all("a", attrs={"name": True})
    )


def _resolve(page: Path, url: str) -> tuple[Path, str]:
    parts = urlsplit(url)
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves(all_pages):
    broken = []
    for page in all_pages:
        s = soup(page)
        urls = [a["href"] for a in s.find_all("a", href=True)]
        urls += [n.get(attr) for tag, attr in LOADED for n in s.find_all(tag) if n.get(attr)]
        for url in urls:
            if is_remote(url) or url.startswith(("mailto:", "javascript:", "data:")):
                continue
            target, fragment = _resolve(page, url)
            if not target.is_file():
                broken.append(f"{page.relative_to(HTML)}: {url} (no file)")
            elif fragment and target.suffix == ".html" and fragment not in ids_in(target):
                broken.append(f"{page.relative_to(HTML)}: {url} (no anchor)")
    assert not broken, f"{len(broken)} broken:\n" + "\n".join(broken[:40])


def test_no_page_links_to_a_moved_page():
    # A moved page (a meta refresh for an old URL) is only there for old bookmarks;
    # a link to it shows its title, "This page has moved", as the link text.
    found_moved = False
    offenders = []
    for language in LANGUAGES:
        moved = {path.resolve() for path in moved_pages(language)}
        found_moved |= bool(moved)
        for page in built_pages(language):
            if page.resolve() in moved:
                continue
            for a in soup(page).find_all("a", href=True):
                url = a["href"]
                if is_remote(url) or url.startswith(("mailto:", "javascript:", "data:")):
                    continue
                target, _ = _resolve(page, url)
                if target in moved:
                    offenders.append(f"{page.relative_to(HTML)}: {url} ({a.get_text(' ', strip=True)!r})")
    assert found_moved, "no moved page found: the check would pass vacuously"
    assert not offenders, "links to moved pages:\n" + "\n".join(offenders[:30])


def test_language_switcher_on_every_page_keeps_the_page():
    for language in LANGUAGES:
        base = HTML / language
        for page in built_pages(language):
            switcher = soup(page).select_one("nav.site-lang-switcher")
            assert switcher is not None, f"{page} has no language switcher"
            links = {a["hreflang"]: a["href"] for a in switcher.find_all("a")}
            others = {code.replace("_", "-") for code in LANGUAGES if code != language}
            assert set(links) == others, page
            for code, href in links.items():
                target, _ = _resolve(page, href)
                expected = HTML / code.replace("-", "_") / page.relative_to(base)
                assert target == expected.resolve() and target.is_file(), f"{page}: {href}"


def test_root_index_offers_every_language():
    s = soup(HTML / "index.html")
    hrefs = {a["href"] for a in s.find_all("a")}
    assert hrefs == {f"{code}/index.html" for code in LANGUAGES}
    assert "navigator.languages" in s.find("script").get_text()


def test_math_is_typeset_by_the_bundled_mathjax():
    for language in LANGUAGES:
        page = HTML / language / "tutorials" / "first-gradient.html"
        s = soup(page)
        scripts = [n["src"] for n in s.find_all("script", src=True) if "mathjax" in n["src"].lower()]
        assert scripts and not any(is_remote(u) for u in scripts), scripts
        assert all(_resolve(page, u)[0].is_file() for u in scripts)
        assert s.select("div.math"), "no display math on the page"


def test_gallery_offers_script_and_notebook_downloads():
    for language in LANGUAGES:
        page = HTML / language / "auto_examples" / "getting_started" / "plot_adam_shifted_square.html"
        downloads = {Path(urlsplit(a["href"]).path).suffix for a in soup(page).select("a.download")}
        assert {".py", ".ipynb"} <= downloads, downloads
        assert soup(page).select("img.sphx-glr-single-img, img.sphx-glr-multi-img"), "no figure"
