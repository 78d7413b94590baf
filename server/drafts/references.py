"""Cross-references inside a draft's text ("khoản 2 Điều 5", "điểm a khoản này"), found and resolved to anchors."""
from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from server.drafts.parser import POINT_LETTERS

_NOT_WORD = r"(?![^\W_])"
_GAP = re.compile(r"[^\S\n]+")
# Between a unit and the one above it, a comma is an informal spelling: "khoản 2, Điều 5" is khoản 2 of Điều 5.
_UP = re.compile(r"[^\S\n]*,[^\S\n]*|[^\S\n]+")
# Unit words in any case: "Khoản 2" opens a sentence, "ĐIỀU 5" sits in a title in capitals.
_UNIT = re.compile(r"(?<![^\W_])(?i:(điểm|khoản|điều))" + _NOT_WORD)
_LEVEL = {"điểm": 0, "khoản": 1, "điều": 2}
# "1.000" and "2,5" are amounts, not clause numbers.
_NUMBER = {
    0: re.compile(f"[{POINT_LETTERS}]" + _NOT_WORD),
    1: re.compile(r"[0-9]{1,3}(?![^\W_]|[.,][0-9])"),
    2: re.compile(r"[0-9]{1,4}[a-zđ]?(?![^\W_]|[.,][0-9])"),
}
_THIS = re.compile("này" + _NOT_WORD)
_JOIN = r"(?:và|hoặc|hay|đến|tới)"
_SEP = re.compile(rf"[^\S\n]*,[^\S\n]*(?:{_JOIN}[^\S\n]+)?|[^\S\n]+{_JOIN}[^\S\n]+")
# What may stand between a reference and the document it belongs to: "Điều 5 Mục 2 Chương II của Luật …".
_STRUCTURE = re.compile(r"[^\S\n]+(?:của[^\S\n]+)?(?i:phần|chương|mục)[^\S\n]+[0-9IVXLCDM]+" + _NOT_WORD)
_DOCUMENT = re.compile(
    r"[^\S\n]+(?:(?i:của)[^\S\n]+)?(?P<doc>(?i:bộ luật|luật|pháp lệnh|hiến pháp|nghị định|nghị quyết|thông tư|"
    r"quyết định|chỉ thị|thông tri|quy chế|quy định|điều lệ|kết luận|hướng dẫn|văn bản|công văn|thông báo|"
    r"điều ước|hiệp định|công ước|đề án|kế hoạch|chương trình))" + _NOT_WORD)
_LIAISON = re.compile(r"(?:[^\S\n]+(?i:liên tịch))?[^\S\n]+này" + _NOT_WORD)


@dataclass(frozen=True)
class Target:
    """One number in a reference (text[start:end]) and the published section it names."""

    anchor: str
    start: int
    end: int


@dataclass(frozen=True)
class Reference:
    """A reference phrase (text[start:end]) and the numbers in it that name sections of this draft."""

    start: int
    end: int
    targets: tuple[Target, ...]


@dataclass
class _Level:
    """One unit word with its numbers ("khoản 1, 2 và khoản 3"), or with "này" (this one)."""

    level: int
    items: list[tuple[str, int, int]]
    this: bool = False


def _level_at(text: str, pos: int) -> tuple[_Level, int] | None:
    unit = _UNIT.match(text, pos)
    gap = unit and _GAP.match(text, unit.end())
    if not unit or not gap:
        return None
    word = unit[1].lower()
    level = _LEVEL[word]
    this = _THIS.match(text, gap.end())
    if this:
        return _Level(level, [], this=True), this.end()
    number = _NUMBER[level].match(text, gap.end())
    if not number:
        return None
    found = _Level(level, [(number[0], number.start(), number.end())])
    end = number.end()
    while sep := _SEP.match(text, end):
        at = sep.end()
        again = _UNIT.match(text, at)
        if again:
            # "khoản 1 và khoản 2" continues the list; "khoản 2 và Điều 5" starts another reference.
            gap = _GAP.match(text, again.end()) if again[1].lower() == word else None
            if not gap:
                break
            at = gap.end()
        number = _NUMBER[level].match(text, at)
        if not number:
            break
        found.items.append((number[0], number.start(), number.end()))
        end = number.end()
    return found, end


def _chain(text: str, pos: int) -> tuple[list[_Level], int] | None:
    """Unit words from the lowest up ("điểm a khoản 2 Điều 5"), and where the phrase ends."""
    first = _level_at(text, pos)
    if first is None:
        return None
    levels, end = [first[0]], first[1]
    while not levels[-1].this and (gap := _UP.match(text, end)):
        upper = _level_at(text, gap.end())
        if upper is None or upper[0].level <= levels[-1].level:
            break
        levels.append(upper[0])
        end = upper[1]
    return levels, end


def _other_document(text: str, end: int) -> bool:
    """True when the phrase names another document: "Điều 5 Luật Công an nhân dân", but not "Điều 5 Quy chế này"."""
    while structure := _STRUCTURE.match(text, end):
        end = structure.end()
    document = _DOCUMENT.match(text, end)
    # A lower-case "quy định" is the verb ("Điều 5 quy định …"); a document's name is capitalised.
    if not document or not document["doc"][0].isupper():
        return False
    return not _LIAISON.match(text, document.end())


def _slug(number: str) -> str:
    digits, suffix = (number, "") if number[-1].isdigit() else (number[:-1], number[-1])
    return str(int(digits)) + suffix.replace("đ", "dd")


def _resolve(levels: list[_Level], article: str | None, clause: str | None) -> list[tuple[str | None, int, int]]:
    """Each number's anchor in the published draft; lower units belong to the first item of the unit above."""
    by_level = {level.level: level for level in levels}
    articles, clauses, points = by_level.get(2), by_level.get(1), by_level.get(0)
    named: list[tuple[str | None, int, int]] = []
    host_article = article
    if articles is not None and not articles.this:
        found: list[tuple[str | None, int, int]] = [
            (f"dieu-{_slug(value)}", start, end) for value, start, end in articles.items
        ]
        named += found
        host_article = found[0][0]
    # A bare "khoản 2" or "điểm a" means this article, this clause: the one the text stands in.
    host_clause = clause if articles is None else None
    if clauses is not None and clauses.this:
        host_clause = clause
    elif clauses is not None:
        found = [(None if host_article is None else f"{host_article}.khoan-{int(value)}", start, end)
                 for value, start, end in clauses.items]
        named += found
        host_clause = found[0][0]
    if points is not None and not points.this:
        host = host_clause if clauses is not None or host_clause else host_article
        named += [(None if host is None else f"{host}.diem-{value.replace('đ', 'dd')}", start, end)
                  for value, start, end in points.items]
    return named


def find_references(text: str, start: int, article: str | None, clause: str | None,
                    known: Container[str]) -> list[Reference]:
    """References to this draft in text[start:], resolved in the context of the article and clause it stands in.

    Numbers that name no known section are left out; a reference with none left is not returned.
    """
    found: list[Reference] = []
    pos = start
    while unit := _UNIT.search(text, pos):
        chain = _chain(text, unit.start())
        if chain is None:
            pos = unit.end()
            continue
        levels, pos = chain
        if _other_document(text, pos):
            continue
        targets = tuple(Target(anchor, s, e) for anchor, s, e in sorted(_resolve(levels, article, clause),
                                                                         key=lambda named: named[1])
                        if anchor is not None and anchor in known)
        if targets:
            found.append(Reference(unit.start(), pos, targets))
    return found
