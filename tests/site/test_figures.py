"""Every figure a page's code draws reaches the built page (as the cell's image output).

The page notebooks offered as downloads carry the executed outputs (the
notebooks myst-nb writes to ``jupyter_execute/`` do not, in cache mode).
"""

from __future__ import annotations

import json
import re

from built_site import HTML, SOURCE_LANGUAGE, built_pages, record_summary, soup

#: A cell that ends by showing a figure: ``plt.show()`` or a bare ``fig`` as its last line.
SHOWS_A_FIGURE = re.compile(r"plt\.show\(\)|^fig\s*$", re.M)


def figure_cells_without_image(notebook: dict) -> list[str]:
    """The first line of each code cell that shows a figure but has no image output."""
    missing = []
    for cell in notebook.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") != "code" or not SHOWS_A_FIGURE.search(source):
            continue
        if not any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
            missing.append(source.strip().splitlines()[0])
    return missing


def test_the_figure_check_can_fail():
    shown = {"cell_type": "code", "source": ["plt.plot([1])\n", "plt.show()"]}
    assert figure_cells_without_image({"cells": [{**shown, "outputs": []}]}) == ["plt.plot([1])"]
    with_image = {**shown, "outputs": [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]}
    assert figure_cells_without_image({"cells": [with_image]}) == []


def image_outputs(notebook: dict) -> int:
    return sum("image/png" in o.get("data", {}) for c in notebook.get("cells", []) for o in c.get("outputs", []))


def test_every_cell_that_shows_a_figure_has_its_image_on_the_page():
    notebooks = HTML / SOURCE_LANGUAGE / "_downloads" / "notebooks"
    executed = sorted(notebooks.rglob("*.ipynb"))
    assert executed, f"no page notebooks in {notebooks}: run `make html` first"
    pages = {p.relative_to(HTML / SOURCE_LANGUAGE).with_suffix("").as_posix(): p for p in built_pages(SOURCE_LANGUAGE)}
    problems, figures = [], 0
    for path in executed:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        problems += [f"{path.relative_to(HTML)}: {line!r}" for line in figure_cells_without_image(notebook)]
        drawn = image_outputs(notebook)
        figures += drawn
        # ... and the page carries them: every figure output is an <img> in the article.
        page = pages.get(path.relative_to(notebooks).with_suffix("").as_posix())
        if drawn and page is not None:
            shown = len((soup(page).select_one("article") or soup(page)).select("img"))
            if shown < drawn:
                problems.append(f"{page.relative_to(HTML)}: {drawn} figures drawn, {shown} images on the page")
    assert not problems, f"{len(problems)} figures missing:\n" + "\n".join(problems)
    record_summary("figures", f"{figures} figures drawn by page cells, each on its page")
