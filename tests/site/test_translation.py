"""Every English message has a Chinese translation; none is fuzzy.

The catalogs are compared with messages extracted afresh from the current
sources, so a new English sentence fails until it is translated.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
import unicodedata
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


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`")


def glued_in_translation(source: str, target: str) -> bool:
    """Whether a translated message glues a value: myst-nb resolves no glue role
    in a translated message (the translated build fails on it), so prose that is
    translated states its numbers, asserted by the cell beside it.

    >>> glued_in_translation("x is {glue:md}`x`", "x 是 {glue:md}`x`")
    True
    >>> glued_in_translation("{glue:md}`cell`", "{glue:md}`cell`")  # kept as it is: never re-parsed
    False
    """
    return source != target and bool(GLUE_ROLE.search(target))


def test_no_glue_role_in_a_translated_message():
    problems = [
        f"{rel}: {source[:70]!r}" for rel, source, target in _translated_pairs() if glued_in_translation(source, target)
    ]
    assert not problems, "\n".join(problems[:40])


# --- the glossary ---------------------------------------------------------------

#: Plurals the "-s" rule misses.
IRREGULAR = {"minimum": "minima"}
#: Messages where an English glossary word is not the glossary's term, with the
#: reason: (catalog, start of the msgid, English term).
# None yet. Add a message here only when the English word is not the
# glossary's term (e.g. "graph" for the graph of a function, "tangent" in
# "hyperbolic tangent"), with a comment saying so.
GLOSSARY_EXCEPTIONS: set[tuple[str, str, str]] = set()


def _term_pattern(english: str) -> re.Pattern:
    """The English term as a word: spaces and hyphens alike, an inflected last word."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", english)]
    last = IRREGULAR.get(english.lower())
    tail = rf"(?:{words[-1]}(?:s|es|d|ed)?" + (f"|{re.escape(last)}" if last else "") + ")"
    return re.compile(r"\b" + r"[\s-]+".join([*words[:-1], tail]) + r"\b", re.IGNORECASE)


def glossary_pairs() -> list[tuple[str, re.Pattern, list[str]]]:
    """(English, its pattern, Chinese variants), longest English first."""
    rows = glossary_terms(GLOSSARY)
    pairs = [(r["English"], _term_pattern(r["English"]), [c.strip() for c in r[ZH_COLUMN].split("/")]) for r in rows]
    return sorted(pairs, key=lambda p: -len(p[0]))


def glossary_problems(source: str, target: str, pairs=None) -> list[str]:
    """The glossary terms of ``source`` whose Chinese is missing from ``target``.

    A term inside a longer one ("Jacobian" in "Jacobian-vector product") is
    judged as the longer term only.
    """
    prose = QUOTED.sub(" ", CODE.sub(" ", source))
    missing = []
    for english, pattern, chinese in pairs or glossary_pairs():
        if pattern.search(prose):
            if not any(c in target for c in chinese):
                missing.append(english)
            prose = pattern.sub(" ", prose)
    return missing


def _excepted(rel: Path, source: str, english: str) -> bool:
    return any(str(rel) == f and source.startswith(s) and english == e for f, s, e in GLOSSARY_EXCEPTIONS)


def test_translations_follow_the_glossary():
    """A message that uses a glossary term in prose uses its Chinese pair."""
    pairs = glossary_pairs()
    problems = []
    for rel, source, target in _translated_pairs():
        if rel.name == "glossary.po":
            continue
        for english in glossary_problems(source, target, pairs):
            if not _excepted(rel, source, english):
                chinese = next(c for e, _, c in pairs if e == english)
                problems.append(f"{rel}: {english!r} -> {'/'.join(chinese)} missing in {target[:60]!r}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_every_glossary_exception_is_still_needed():
    pairs = glossary_pairs()
    used = {
        (str(rel), f, e)
        for rel, source, target in _translated_pairs()
        for f, s, e in GLOSSARY_EXCEPTIONS
        if str(rel) == f and source.startswith(s) and e in glossary_problems(source, target, pairs)
    }
    assert used == GLOSSARY_EXCEPTIONS, f"stale exceptions: {GLOSSARY_EXCEPTIONS - used}"


def test_the_glossary_check_can_fail():
    assert glossary_problems("Run 3 epochs with batch size 8.", "训练 3 个轮次，批量大小为 8。") == []
    assert glossary_problems("Run 3 epochs.", "训练 3 个 epoch。") == ["epoch"]
    assert glossary_problems("the Jacobian-vector product", "雅可比-向量积") == []
    assert glossary_problems("a local minimum and two minima", "一个局部极小值和两个最小值") == []
    assert glossary_problems("It raised an error", "它引发了错误") == ["raise"]


# --- Chinese punctuation, spaces, emphasis ---------------------------------------

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CJK_PUNCT = "，。：；！？、（）“”《》‘’…—"
# Inline code, math, roles, links and quoted titles: left out of the form checks.
NOT_PROSE = re.compile(
    r"<[^<>]+>|``.*?``|:[a-z:]+:`[^`]*`|\{[a-z:-]+\}`[^`]*`|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|https?://\S+|《[^》]*》",
    re.S,
)
FORM = {
    "ASCII quote": re.compile(r'"'),
    "ASCII punctuation next to Chinese": re.compile(
        rf"[{CJK}{CJK_PUNCT}] ?[,;:?!(]|[,;:?!)] ?[{CJK}]|\( ?[{CJK}]|[{CJK}] ?\)"
    ),
    "space between Chinese characters": re.compile(rf"[{CJK}] +[{CJK}]"),
    "space next to Chinese punctuation": re.compile(r"(?<!\\)[^\S\n][，。：；！？、）”》]|[（“《][^\S\n]"),
    "space before %": re.compile(r"\d\s+%"),
}


def form_problems(text: str) -> list[str]:
    """Punctuation and spacing a Chinese sentence must not have (its code and math left out)."""
    prose = NOT_PROSE.sub("\0", text)
    return [
        f"{name}: {prose[max(0, m.start() - 12) : m.end() + 12]!r}"
        for name, rx in FORM.items()
        for m in rx.finditer(prose)
    ]


def test_chinese_punctuation_and_spacing():
    problems = []
    for rel, _, target in _translated_pairs():
        if rel.name == "glossary.po" and not re.search(f"[{CJK}]", target):
            continue
        problems += [f"{rel}: {p}" for p in form_problems(target)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_the_form_check_can_fail():
    assert form_problems("接受（梯度，变量）对，见 `x` 和 $y$。") == []
    assert form_problems('称为 "切向量" 的向量') != []
    assert form_problems("接受（梯度, 变量）对") != []
    assert form_problems("是 黑塞矩阵") != []
    assert form_problems("占 98 % 的时间") != []
    assert form_problems("见(上文)") != []


# Emphasis that renders. reStructuredText (the gallery's catalogs) needs
# whitespace or punctuation outside its asterisks, so next to a Chinese
# character it is written ``\\ *词*\\ ``. MyST (CommonMark) cannot open
# emphasis whose first inner character is punctuation after a letter, nor
# close it when the last inner character is punctuation before a letter.
EMPHASIS = re.compile(r"(?<![*\\])(\*{1,3})(?=\S)([^*]+?)(?<=\S)\1(?!\*)")


def _punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _space(ch: str) -> bool:
    return ch == "" or ch.isspace()


def emphasis_problems(text: str, rst: bool) -> list[str]:
    """Emphasis in ``text`` that would show its asterisks."""
    prose = NOT_PROSE.sub("\0", text)
    problems = []
    for m in EMPHASIS.finditer(prose):
        before, after = prose[m.start() - 1 : m.start()], prose[m.end() : m.end() + 1]
        first, last = m[2][0], m[2][-1]
        if rst:
            ok = (_space(before) or _punct(before)) and (_space(after) or _punct(after))
        else:
            ok = (not _punct(first) or _space(before) or _punct(before)) and (
                not _punct(last) or _space(after) or _punct(after)
            )
        if not ok:
            problems.append(repr(prose[max(0, m.start() - 12) : m.end() + 12]))
    return problems


def test_emphasis_renders_next_to_chinese():
    problems = []
    for rel, _, target in _translated_pairs():
        rst = rel.parts[0] == "auto_examples"
        problems += [f"{rel}: {p}" for p in emphasis_problems(target, rst)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_the_emphasis_check_can_fail():
    assert emphasis_problems("这些函数会\\ *饱和*\\ ，所以", rst=True) == []
    assert emphasis_problems("这些函数会*饱和*，所以", rst=True) != []
    assert emphasis_problems("（称为 *切向量*）", rst=True) == []
    assert emphasis_problems("。*闭式解*是公式", rst=False) == []
    assert emphasis_problems("这是**“全局”**批量", rst=False) != []


# --- spaces around links -----------------------------------------------------------
# Between Chinese text and a link whose text is Chinese there is no space: MyST
# writes the role right against the text (见{doc}`../about`), reStructuredText (the
# gallery's catalogs) needs an escaped space there (见\ :doc:`/about`). A link whose
# text begins or ends with Latin letters or code keeps the space on that side.
# The link text is the role's explicit title, or the (translated) title of the
# page a {doc} names; other roles are not judged.
LINK = re.compile(r"(\{(?:doc|ref)\}|:(?:doc|ref):)`([^`]*)`")
LINK_TITLE = re.compile(r"^(.*?)\s*<[^<>]+>$", re.S)
CJK_TEXT = re.compile(f"[{CJK}{CJK_PUNCT}]")


def _page_titles() -> dict[str, str]:
    """Each MyST page (path under docs/, no suffix) -> its title, in Chinese when translated."""
    titles = {}
    for md in (ROOT / "docs").rglob("*.md"):
        rel = md.relative_to(ROOT / "docs").with_suffix("").as_posix()
        heading = re.search(r"^# (.+)$", md.read_text(encoding="utf-8"), re.M)
        if heading is None:
            continue
        po = LOCALE / f"{rel}.po"
        message = _messages(po).get(heading[1].strip()) if po.is_file() else None
        titles[rel] = message.string if message is not None and message.string else heading[1].strip()
    return titles


def _link_text(role: str, content: str, page: str, titles: dict[str, str]) -> str | None:
    titled = LINK_TITLE.match(content)
    if titled:
        return titled[1]
    if "doc" not in role:
        return None
    target = (
        content.lstrip("/")
        if content.startswith("/")
        else posixpath.normpath(posixpath.join(posixpath.dirname(page), content))
    )
    return titles.get(target)


def link_space_problems(text: str, page: str, titles: dict[str, str]) -> list[str]:
    """Spaces between Chinese text and a link whose text is Chinese on that side."""
    problems = []
    for m in LINK.finditer(text):
        link = _link_text(m[1], m[2], page, titles)
        if not link:
            continue
        before, after = text[max(0, m.start() - 2) : m.start()], text[m.end() : m.end() + 2]
        if len(before) == 2 and before[1] == " " and CJK_TEXT.match(before[0]) and CJK_TEXT.match(link[0]):
            problems.append(repr(text[max(0, m.start() - 8) : m.end()]))
        if len(after) == 2 and after[0] == " " and CJK_TEXT.match(after[1]) and CJK_TEXT.match(link[-1]):
            problems.append(repr(text[m.start() : m.end() + 8]))
    return problems


def test_no_space_between_chinese_text_and_chinese_link_text():
    titles = _page_titles()
    problems = []
    for rel, _, target in _translated_pairs():
        page = rel.with_suffix("").as_posix()
        problems += [f"{rel}: {p}" for p in link_space_problems(target, page, titles)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_the_link_space_check_can_fail():
    titles = {"about": "关于本站", "tutorials/index": "教程", "reference/gradient-tape": "tf.GradientTape"}
    assert link_space_problems("从 {doc}`tutorials/index` 开始", "index", titles) == [
        "'从 {doc}`tutorials/index`'",
        "'{doc}`tutorials/index` 开始'",
    ]
    assert link_space_problems("从{doc}`tutorials/index`开始", "index", titles) == []
    assert link_space_problems("见\\ :doc:`/about`）", "auto_examples/x", titles) == []
    assert link_space_problems("见 :doc:`/about`）", "auto_examples/x", titles) != []
    assert link_space_problems("{ref}`下文 <fit>` 会解释", "how-to/x", titles) != []
    # Latin link text keeps its spaces, as any Latin word in Chinese text does.
    assert link_space_problems("见 {doc}`../reference/gradient-tape` 一页", "how-to/x", titles) == []
    assert link_space_problems("见 {doc}`tf.GradientTape <../reference/gradient-tape>` 一页", "how-to/x", titles) == []
