"""Headless Chromium on the built site: an HTTP server and the browser.

Shared by the browser tests (``conftest.py`` fixtures) and ``make screenshots``.
Debian's ``chromium`` is driven through Playwright's Python package with
``executable_path``: Playwright's own browser download is never used.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

#: The key pages: one of each kind, checked in depth in both languages.
KEY_PAGES = {
    "landing": "index",
    "tutorial": "tutorials/first-gradient",
    "reference": "reference/gradient-tape",
    "gallery-example": "auto_examples/getting_started/plot_adam_shifted_square",
    "derivation": "explanation/perceptron-and-backpropagation",
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    """Debian's Chromium (``apt-get install chromium``), or None."""
    found = os.environ.get("TFOPT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found


class _QuietHandler(SimpleHTTPRequestHandler):
    # A static host serves notebooks as JSON.
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".ipynb": "application/x-ipynb+json",
    }

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 and a free port; yield the base URL.

    The server is stopped when the block ends, whether it ends well or not.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def launch(playwright, executable: str):
    """Headless Chromium from ``executable``; no sandbox (CI runs as root)."""
    return playwright.chromium.launch(
        executable_path=executable,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )


#: Resolves once MathJax (if the page loads it) has typeset the page.
WAIT_FOR_MATHJAX = """async () => {
  const loads = [...document.scripts].some(s => /mathjax/i.test(s.src));
  if (!loads) return false;
  const t0 = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > 15000) throw new Error("MathJax did not start");
    await new Promise(r => setTimeout(r, 20));
  }
  await MathJax.startup.promise;
  if (window.tfoptFitMath) window.tfoptFitMath();
  return true;
}"""


def search_result_pages(page) -> list[str]:
    """Wait until Sphinx's search page has listed its results; their pages, in order (no ``.html``)."""
    page.wait_for_function(
        "() => { const h = document.querySelector('#search-results h2');"
        " return h && h.textContent === Documentation.gettext('Search Results'); }",
        timeout=30000,
    )
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))")
    return [re.sub(r"\.html.*$", "", h) for h in hrefs]
