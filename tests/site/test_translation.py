"""Every English message has a Chinese translation; none is fuzzy.

The catalogs are compared with messages extracted afresh from the current
sources, so a new English sentence fails until it is translated.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from built_site import CHINESE, GLOSSARY, ROOT, ZH_COLUMN, glossary_terms

LOCALE = ROOT / "locale" / CHINESE / "LC_MESSAGES"
# Inline code, math and roles: what a translation must carry over unchanged in number.
MARKUP = {"backtick": "`", "dollar": "$"}
CODE = re.compile(r"``.*?``|`[^`]*`|\$[^$]*\$")
# Quoted text (article titles) keeps its original wording.
QUOTED = re.compile(r'"[^"]*"')
# A role with an explicit title, `title <target>`: only the target must stay.
TITLED = re.compile(r"^`[^`<]*<([^`>]+)>`$")
# Substitutions (the versions, docs/_ext/site_versions.py): MyST {{ name }}, rST |name|.
SUBSTITUTION = re.compile(r"\{\{\s*(\w+)\s*\}\}|\|(\w+_(?:version|release)|pip_install_\w+)\|")


def _code_spans(text: str) -> list[str]:
    spans = [TITLED.sub(r"<\1>", span) for span in CODE.findall(text)]
    return sorted(spans)


@pytest.fixture(scope="session")
def fresh_pots(tmp_path_factory) -> Path:
    """Extract the messages from the current sources (what `make gettext` does)."""
    out = tmp_path_factory.mktemp("gettext")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "gettext",
            "-q",
            "-c",
            str(ROOT),
            "-D",
            "plot_gallery=0",
            "-D",
            "nb_execution_mode=off",  # as `make gettext`: same messages
            "-d",
            str(ROOT / "_build" / "doctrees" / "gettext"),
            str(ROOT / "docs"),
            str(out),
        ],
        check=True,
        cwd=ROOT,
    )
    return out


def _messages(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def test_every_message_is_translated_and_not_fuzzy(fresh_pots):
    problems = []
    pots = sorted(fresh_pots.rglob("*.pot"))
    assert pots, "no messages extracted"
    for pot in pots:
        rel = pot.relative_to(fresh_pots).with_suffix(".po")
        po_path = LOCALE / rel
        if not po_path.is_file():
            problems.append(f"{rel}: no catalog (run `make update-po`)")
            continue
        catalog = _messages(po_path)
        if catalog.fuzzy:
            problems.append(f"{rel}: header marked fuzzy")
        for message in _messages(pot):
            if not message.id:
                continue
            translated = catalog.get(message.id, message.context)
            if translated is None or not translated.string:
                problems.append(f"{rel}: untranslated: {message.id[:70]!r}")
            elif translated.fuzzy:
                problems.append(f"{rel}: fuzzy: {message.id[:70]!r}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def _translated_pairs():
    for po_path in sorted(LOCALE.rglob("*.po")):
        for message in _messages(po_path):
            if message.id and message.string:
                yield po_path.relative_to(LOCALE), message.id, message.string


def test_translations_keep_code_math_and_roles():
    problems = []
    for rel, source, target in _translated_pairs():
        for name, char in MARKUP.items():
            if source.count(char) != target.count(char):
                problems.append(f"{rel}: {name} count differs in {source[:60]!r}")
        if _code_spans(source) != _code_spans(target):
            problems.append(f"{rel}: code or math changed in {source[:60]!r}")
        if sorted(SUBSTITUTION.findall(source)) != sorted(SUBSTITUTION.findall(target)):
            problems.append(f"{rel}: substitutions differ in {source[:60]!r}")
    assert not problems, "\n".join(problems[:40])


def test_translations_follow_the_glossary():
    """A message that uses a glossary term in prose uses its Chinese pair."""
    terms = [(row["English"], row[ZH_COLUMN].split("/")) for row in glossary_terms(GLOSSARY)]
    problems = []
    for rel, source, target in _translated_pairs():
        if rel.name == "glossary.po":
            continue
        prose = QUOTED.sub(" ", CODE.sub(" ", source))
        for english, chinese in terms:
            if re.search(rf"\b{re.escape(english)}s?\b", prose, re.IGNORECASE) and not any(
                c.strip() in target for c in chinese
            ):
                problems.append(f"{rel}: {english!r} -> {'/'.join(chinese)} missing in {target[:50]!r}")
    assert not problems, "\n".join(problems[:40])
