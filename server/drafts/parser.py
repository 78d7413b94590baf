"""Split a Vietnamese legal draft into addressable sections: Phần, Chương, Mục, Điều, khoản, điểm."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import count

from server.errors import Invalid
from server.text import nfc

KINDS = ("preamble", "part", "chapter", "section", "article", "clause", "point")
_LEVEL = {"part": 0, "chapter": 1, "section": 2, "article": 3, "clause": 4, "point": 5}
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"
_ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5,
             "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

# Headings may be indented and wrapped in Markdown heading or bold marks.
_LEAD = r"\s*(?:#{1,6}\s*)?(?:[*_]{1,3}\s*)?"
_NOT_LETTER = r"(?![^\W\d_])"
_HEADING = re.compile(
    _LEAD + r"(?P<word>Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC|Điều|ĐIỀU)" + _NOT_LETTER + r"(?P<after>.*)")
_KIND = {"phần": "part", "chương": "chapter", "mục": "section", "điều": "article"}
_ORDINAL = "(?i:" + "|".join(_ORDINALS) + ")" + _NOT_LETTER
_NUMBER = {
    "part": re.compile(r"\s+(?P<num>(?i:thứ)\s+" + _ORDINAL + r"|[0-9]+|[IVXLCDM]+)(?P<tail>.*)"),
    "chapter": re.compile(r"\s+(?P<num>[0-9]+|[IVXLCDM]+)(?P<tail>.*)"),
    "section": re.compile(r"\s+(?P<num>[0-9]+|[IVXLCDM]+)(?P<tail>.*)"),
    # Amending drafts insert articles such as "Điều 10a".
    "article": re.compile(r"\s+(?P<num>[0-9]+[a-zđ]?)(?P<tail>.*)"),
}
# A Markdown escape ("1\.") is what converters write to stop a paragraph becoming a list.
_CLAUSE = re.compile(r"\s*(?:[*_]{1,3})?(?P<num>[0-9]{1,3})\\?\.(?:[*_]{1,3})?(?=\s|$)")
_POINT = re.compile(r"\s*(?:[*_]{1,3})?(?P<num>[a-zđ])\\?\)(?:[*_]{1,3})?(?=\s|$)")
_PUNCT = ".:-–—"


@dataclass(frozen=True)
class Section:
    """One addressable piece of a draft; its text runs from its heading to its first child."""

    anchor: str
    kind: str
    number: str
    title: str
    text: str
    parent: str | None
    position: int


@dataclass(frozen=True)
class Outline:
    """A parsed draft: sections in document order, and lines that look like broken structure."""

    sections: list[Section]
    unmatched: list[str]

    @property
    def counts(self) -> dict[str, int]:
        """Number of sections of each kind, zero included."""
        found = Counter(s.kind for s in self.sections)
        return {kind: found[kind] for kind in KINDS}


def normalise(text: str) -> str:
    """Return the draft source as the parser sees it: NFC with \\n line endings."""
    return nfc(text).replace("\r\n", "\n").replace("\r", "\n")


def _roman(numeral: str) -> int | None:
    if not numeral or not _ROMAN.fullmatch(numeral):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0], strict=True))


def _ordinal(number: str) -> int | None:
    """Value of a written number: 5, V, "thứ năm"; None when it is not a valid one."""
    if number.isascii() and number.isdigit():
        return int(number)
    if number[:3].lower() == "thứ":
        return _ORDINALS[number.split()[-1].lower()]
    return _roman(number)


def _clean_title(s: str) -> str:
    return " ".join(s.strip().lstrip("#").strip(" \t*_").split())


def _title(tail: str, strict: bool) -> str | None:
    """Title after a heading's number, or None when the line reads as running text."""
    rest = tail.lstrip("*_")
    stripped = rest.strip()
    if not stripped:
        return ""
    if stripped[0] in _PUNCT:
        return _clean_title(stripped[1:])
    # "Chương I QUY ĐỊNH CHUNG" is a heading; "Chương I của Luật này" is a wrapped sentence.
    if not strict and rest[0].isspace() and not stripped[0].islower():
        return _clean_title(stripped)
    return None


@dataclass
class _Match:
    """How one line reads: the start of an element, or a broken heading."""

    kind: str
    number: str = ""
    title: str = ""
    broken: bool = False


def _heading(body: str) -> _Match | None:
    """Classify a line as a Phần/Chương/Mục/Điều heading, a broken one, or None for text."""
    m = _HEADING.match(body)
    if not m:
        return None
    kind, after = _KIND[m["word"].lower()], m["after"]
    n = _NUMBER[kind].match(after)
    if not n:
        # "Điều" alone or before punctuation is a heading that lost its number; "Điều kiện" is a word.
        bare = after.strip(" \t*_")
        return _Match(kind, broken=True) if not bare or bare[0] in _PUNCT else None
    title = _title(n["tail"], strict=kind == "article")
    if title is None:
        rest = n["tail"].lstrip("*_")
        # An article number before a capitalised title but no full stop is a typo worth review.
        looks_broken = kind == "article" and rest[:1].isspace() and rest.strip()[:1].isupper()
        return _Match(kind, broken=True) if looks_broken else None
    number = " ".join(n["num"].split())
    if kind != "article" and _ordinal(number) is None:
        return _Match(kind, broken=True)
    return _Match(kind, number, title)


@dataclass
class _Entry:
    """A section being built; its lines arrive one by one."""

    kind: str
    number: str
    title: str
    anchor: str
    parent: str | None
    chunks: list[str] = field(default_factory=list)


class _Builder:
    """Accumulates lines into sections while tracking the open structure."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.open: dict[str, _Entry] = {}
        self.preamble: list[str] = []
        self.unmatched: list[str] = []
        self.anchors: set[str] = set()
        self.last: dict[str, int] = {}
        self.pending_title: _Entry | None = None

    def feed(self, line: str) -> None:
        body = line.rstrip("\n")
        match = _heading(body) or self._inner(body)
        if match and match.broken:
            self.unmatched.append(body.strip())
        elif match:
            self.pending_title = None
            self._start(match, body)
        elif self.pending_title and body.strip():
            self.pending_title.title = _clean_title(body)
            self.pending_title = None
        current = self.entries[-1] if self.entries else None
        (current.chunks if current else self.preamble).append(line)

    def _inner(self, body: str) -> _Match | None:
        """Clauses live only in an article, points in a clause or directly in an article."""
        if "article" not in self.open:
            return None
        for kind, pattern in (("clause", _CLAUSE), ("point", _POINT)):
            m = pattern.match(body)
            if m:
                return _Match(kind, m["num"])
        return None

    def _start(self, match: _Match, body: str) -> None:
        kind, number = match.kind, match.number
        level = _LEVEL[kind]
        self.open = {k: e for k, e in self.open.items() if _LEVEL[k] < level}
        parent = max(self.open.values(), key=lambda e: _LEVEL[e.kind], default=None)
        anchor, scope, ordinal = self._address(kind, number)
        flagged = kind == "point" and number not in POINT_LETTERS
        flagged |= ordinal is not None and ordinal != self.last.get(scope, 0) + 1
        if ordinal is not None:
            self.last[scope] = ordinal
        if anchor in self.anchors:
            flagged = True
            anchor = next(f"{anchor}~{k}" for k in count(2) if f"{anchor}~{k}" not in self.anchors)
        if flagged:
            self.unmatched.append(body.strip())
        self.anchors.add(anchor)
        entry = _Entry(kind, number, match.title, anchor, parent.anchor if parent else None)
        self.entries.append(entry)
        self.open[kind] = entry
        if not match.title and kind in ("part", "chapter", "section"):
            self.pending_title = entry

    def _address(self, kind: str, number: str) -> tuple[str, str, int | None]:
        """Anchor, numbering scope and ordinal (None: outside any sequence) of a new element."""
        if kind == "point":
            host = self.open.get("clause") or self.open["article"]
            idx = POINT_LETTERS.find(number)
            anchor = f"{host.anchor}.diem-{number.replace('đ', 'dd')}"
            return anchor, host.anchor + ".diem", idx + 1 if idx >= 0 else None
        if kind == "article":
            # Leading zeros and letter suffixes must not create a second anchor for the same article.
            digits, suffix = (number, "") if number[-1].isdigit() else (number[:-1], number[-1])
            slug = str(int(digits)) + suffix.replace("đ", "dd")
            return f"dieu-{slug}", "dieu", None if suffix else int(digits)
        value = _ordinal(number)
        if kind == "clause":
            article = self.open["article"].anchor
            return f"{article}.khoan-{value}", article + ".khoan", value
        if kind == "section":
            chapter = self.open.get("chapter")
            prefix = chapter.anchor + "." if chapter else ""
            return f"{prefix}muc-{value}", prefix + "muc", value
        prefix = {"part": "phan", "chapter": "chuong"}[kind]
        return f"{prefix}-{value}", prefix, value

    def sections(self) -> list[Section]:
        entries = self.entries
        lead = "".join(self.preamble)
        if lead.strip():
            first = next((_clean_title(line) for line in self.preamble if line.strip()), "")
            entries = [_Entry("preamble", "", first, "mo-dau", None, [lead]), *entries]
        elif entries:
            # Blank lines before the first heading are kept with it so that the split stays lossless.
            entries[0].chunks.insert(0, lead)
        return [Section(e.anchor, e.kind, e.number, e.title, "".join(e.chunks), e.parent, i)
                for i, e in enumerate(entries)]


def _lines(text: str) -> list[str]:
    """Split on \\n only, keeping the ends; splitlines() would also break at \\x0c, \\u2028 and others."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def parse_draft(text: str) -> Outline:
    """Split a draft into sections; raise Invalid when it is empty or has no article (Điều)."""
    source = normalise(text)
    if not source.strip():
        raise Invalid("The draft is empty", {"content": "empty"})
    builder = _Builder()
    for line in _lines(source):
        builder.feed(line)
    outline = Outline(builder.sections(), builder.unmatched)
    if not outline.counts["article"]:
        raise Invalid("The draft has no article (Điều)", {"content": "no article"})
    return outline
