"""`make screenshots`: full-page screenshots of the key pages, both languages, desktop and phone.

Written to _build/screenshots/<language>/<page>-<desktop|phone>[-dark].png from the
built site (`make html` first), served over HTTP as the browser tests serve it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import DESKTOP, KEY_PAGES, PHONE, WAIT_FOR_MATHJAX, chromium_path, launch, serve
from built_site import HTML, LANGUAGES, ROOT


def main(out: Path) -> int:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    if not (HTML / "index.html").is_file():
        print(f"{HTML} is not built: run `make html` first", file=sys.stderr)
        return 1
    shots = []
    started = time.monotonic()
    with serve(HTML) as url, sync_playwright() as playwright:
        browser = launch(playwright, executable)
        try:
            for scheme in ("light", "dark"):
                for mode, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                    context = browser.new_context(viewport=viewport, color_scheme=scheme)
                    page = context.new_page()
                    for language in LANGUAGES:
                        for kind, name in KEY_PAGES.items():
                            if scheme == "dark" and kind not in ("gallery-example", "derivation"):
                                continue
                            page.goto(f"{url}/{language}/{name}.html")
                            page.evaluate(WAIT_FOR_MATHJAX)
                            page.wait_for_timeout(200)  # fonts and the equation fit settle
                            suffix = "-dark" if scheme == "dark" else ""
                            path = out / language / f"{kind}-{mode}{suffix}.png"
                            path.parent.mkdir(parents=True, exist_ok=True)
                            page.screenshot(path=str(path), full_page=True)
                            shots.append(path)
                    context.close()
        finally:
            browser.close()
    print(
        f"{len(shots)} screenshots in {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
        f"({time.monotonic() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "_build" / "screenshots"))
