"""Fixtures for the checks on the built site (`make html`, `make gettext`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
LANGUAGES = ("en", "zh_CN")
# Folders of a built language that hold assets, not pages.
ASSET_DIRS = {"_static", "_sources", "_downloads", "_images"}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.site)


def built_pages(language: str) -> list[Path]:
    base = HTML / language
    if not (base / "index.html").is_file():
        pytest.fail(f"{base} is not built: run `make html` first")
    return sorted(p for p in base.rglob("*.html") if not ASSET_DIRS & set(p.relative_to(base).parts))


@cache
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def all_pages() -> list[Path]:
    return [p for lang in LANGUAGES for p in built_pages(lang)] + [HTML / "index.html"]
