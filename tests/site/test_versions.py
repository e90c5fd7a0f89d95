"""The built pages state the installed versions, and no substitution is left unresolved."""

from __future__ import annotations

import re

import site_versions  # docs/_ext: on sys.path through built_site, which conftest.py imports first
from built_site import HTML, LANGUAGES, built_pages, soup

VALUES = site_versions.myst_substitutions()
# {{ tf_version }} (MyST) or |tf_version| (rST) as a reader would see it.
UNRESOLVED = re.compile(r"\{\{\s*\w+\s*\}\}|\|(?:" + "|".join(map(re.escape, VALUES)) + r")\|")


def test_landing_page_title_states_the_installed_tensorflow():
    for language in LANGUAGES:
        built_pages(language)  # fails if the language is not built
        page = soup(HTML / language / "index.html")
        assert f"TensorFlow {VALUES['tf_version']}" in page.title.get_text(), (language, page.title)
        assert f"TensorFlow {VALUES['tf_version']}" in page.h1.get_text(), (language, page.h1)


def test_no_page_shows_an_unresolved_substitution():
    problems = []
    for language in LANGUAGES:
        for path in built_pages(language):
            page = soup(path)
            main = page.find("main") or page
            # Visible text, and the gallery's thumbnail tooltips.
            texts = [main.get_text(" ")] + [tag["tooltip"] for tag in page.find_all(attrs={"tooltip": True})]
            problems += [f"{language}/{path.name}: {m}" for t in texts for m in UNRESOLVED.findall(t)]
    assert not problems, "\n".join(problems[:40])
