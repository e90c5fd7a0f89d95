"""Fixtures for the checks on the built site (`make html`, `make gettext`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from built_site import HTML, LANGUAGES, SUMMARIES, built_pages


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.site)


@pytest.fixture(scope="session")
def all_pages() -> list[Path]:
    return [p for lang in LANGUAGES for p in built_pages(lang)] + [HTML / "index.html"]


# --- the browser ---------------------------------------------------------------
# Every browser test shares one HTTP server and one headless Chromium (browser.py).


@pytest.fixture(scope="session")
def site_url():
    """Base URL of the built site, served over HTTP on 127.0.0.1 (stopped at the end)."""
    from browser import serve

    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML} is not built: run `make html` first")
    with serve(HTML) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from browser import chromium_path, launch

    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if executable is None or sync_playwright is None:
        missing = "chromium (apt-get install chromium)" if executable is None else "playwright (make install)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have {missing} to test the site in a browser (.ci/run installs it)")
        pytest.skip(f"{missing} is not installed")
    with sync_playwright() as playwright:
        chromium = launch(playwright, executable)
        try:
            yield chromium
        finally:
            chromium.close()


def pytest_terminal_summary(terminalreporter):
    if SUMMARIES:
        terminalreporter.section("site checks in the browser")
        for line in SUMMARIES.values():
            terminalreporter.write_line(line)
