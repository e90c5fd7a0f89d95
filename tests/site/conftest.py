"""Fixtures for the checks on the built site (`make html`, `make gettext`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from built_site import HTML, LANGUAGES, built_pages


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.site)


@pytest.fixture(scope="session")
def all_pages() -> list[Path]:
    return [p for lang in LANGUAGES for p in built_pages(lang)] + [HTML / "index.html"]
