"""Where the built site and its sources are, and how to read them (shared by the site tests).

A plain module, imported by the tests (``conftest.py`` only holds pytest hooks
and fixtures, which pytest finds by itself).
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import site_languages  # noqa: E402  (docs/_ext, standard library only)
from site_helpers import ZH_COLUMN, glossary_terms  # noqa: E402  (docs/_ext, TensorFlow-free)

# TFOPT_SITE_HTML points the checks at another build (e.g. a no-execution preview).
HTML = Path(os.environ.get("TFOPT_SITE_HTML", ROOT / "_build" / "html")).resolve()
# Languages as built, in conf.py's order (its site_languages): the source
# first, then the translations; the Chinese one is the one the glossary's 中文
# column, the search dictionary and the translation checks are about.
LANGUAGES = tuple(site_languages.codes())
SOURCE_LANGUAGE = LANGUAGES[0]
CHINESE = next(code for code in LANGUAGES if code.startswith("zh"))
# Folders of a built language that hold assets, not pages.
ASSET_DIRS = {"_static", "_sources", "_downloads", "_images"}
# The glossary table the site, the search dictionary and the translation follow
# (conf.py's ``site_glossary_csv``, relative to docs/).
GLOSSARY = ROOT / "docs" / "reference" / "glossary.csv"

__all__ = [
    "ASSET_DIRS",
    "CHINESE",
    "GLOSSARY",
    "HTML",
    "LANGUAGES",
    "ROOT",
    "SOURCE_LANGUAGE",
    "SUMMARIES",
    "ZH_COLUMN",
    "built_pages",
    "glossary_terms",
    "record_summary",
    "soup",
]


def built_pages(language: str) -> list[Path]:
    """The HTML pages of one built language (assets left out); fails if it is not built."""
    base = HTML / language
    if not (base / "index.html").is_file():
        pytest.fail(f"{base} is not built: run `make html` first")
    return sorted(p for p in base.rglob("*.html") if not ASSET_DIRS & set(p.relative_to(base).parts))


def moved_pages(language: str) -> dict[Path, str]:
    """Pages that only send the reader on (a meta refresh, for an old URL) and where to."""
    moved = {}
    for path in built_pages(language):
        refresh = soup(path).find("meta", attrs={"http-equiv": "refresh"})
        if refresh is not None:
            moved[path] = refresh["content"].split("url=", 1)[1]
    return moved


@cache
def soup(path: Path) -> BeautifulSoup:
    """The parsed page (cached: several tests read the same pages)."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# One-line summaries of what the site tests counted: pytest hides print()
# output, so conftest.py shows these in the terminal summary, and they are
# written to _build/browser/report.json.
SUMMARIES: dict[str, str] = {}
REPORT = ROOT / "_build" / "browser" / "report.json"


def record_summary(key: str, line: str) -> None:
    """Keep ``line`` for the terminal summary and the report file."""
    SUMMARIES[key] = line
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(SUMMARIES, ensure_ascii=False, indent=1), encoding="utf-8")
