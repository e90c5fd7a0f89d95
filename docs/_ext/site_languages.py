"""The languages the site is built in: conf.py's ``site_languages``, read without running conf.py.

conf.py is the one place they are written, in switcher order, the source
language first. The Makefile (one build per language, the catalogs to
update), the site tests and tools read them from here. Standard library
only, so that the Makefile can run it before the venv exists::

    python3 docs/_ext/site_languages.py            # en zh_CN
    python3 docs/_ext/site_languages.py --translations   # zh_CN
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "conf.py"


def site_languages(conf: Path = CONF) -> list[tuple[str, str]]:
    """``[(code, label), ...]`` as conf.py assigns them (a literal list).

    Raises:
        ValueError: if conf.py assigns no literal ``site_languages``.
    """
    tree = ast.parse(conf.read_text(encoding="utf-8"), filename=str(conf))
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        if target is None and isinstance(node, ast.AnnAssign):
            target = node.target
        if isinstance(target, ast.Name) and target.id == "site_languages" and node.value is not None:
            try:
                languages = [(str(code), str(label)) for code, label in ast.literal_eval(node.value)]
            except ValueError as e:
                raise ValueError(f"{conf}: site_languages must be a literal list of (code, label)") from e
            if not languages:
                raise ValueError(f"{conf}: site_languages is empty")
            return languages
    raise ValueError(f"{conf} assigns no site_languages")


def codes(conf: Path = CONF) -> list[str]:
    """The language codes, source language first: ``["en", "zh_CN"]``."""
    return [code for code, _ in site_languages(conf)]


def main(argv: list[str]) -> int:
    languages = codes()
    print(" ".join(languages[1:] if "--translations" in argv else languages))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
