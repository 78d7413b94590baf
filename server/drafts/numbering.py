"""Word's automatic numbering: the label ("Điều 3.", "2.", "a)") that each paragraph of a DOCX shows."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from docx.oxml.ns import qn
from lxml.etree import _Element

_PLACEHOLDER = re.compile(r"%([1-9])")
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
# Between the label and the text Word puts a tab (the default), a space or nothing; a tab reads as a space here.
_SUFFIX = {"tab": " ", "space": " ", "nothing": ""}
# A style chain or a numbering-style link longer than this is a loop in a damaged file.
_MAX_CHAIN = 32
# Past these a start value is written in digits: a hostile w:start must not become a billion "m"s or "z"s.
_MAX_ROMAN = 3999
_MAX_LETTERS = 780


def _val(parent: _Element | None, tag: str) -> str | None:
    """The w:val of parent's child w:tag, or None when either is missing."""
    child = parent.find(qn(f"w:{tag}")) if parent is not None else None
    return child.get(qn("w:val")) if child is not None else None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _roman(n: int) -> str:
    if not 0 < n <= _MAX_ROMAN:
        return str(n)
    out = []
    for value, digits in _ROMAN:
        count, n = divmod(n, value)
        out.append(digits * count)
    return "".join(out)


def _letters(n: int) -> str:
    """Word's letters: a … z, then aa, bb, … (the letter repeated, not spreadsheet columns)."""
    if not 0 < n <= _MAX_LETTERS:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A counter value written in a numFmt; formats this reader does not know are written in decimal, as digits."""
    if fmt == "none":
        return ""
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt in ("lowerLetter", "upperLetter"):
        letters = _letters(n)
        return letters.upper() if fmt == "upperLetter" else letters
    return str(n)


@dataclass(frozen=True)
class Level:
    """One level of a list: its counter's start, how it is written, and when it starts again."""

    start: int
    fmt: str
    text: str
    suffix: str
    restart: int | None
    legal: bool
    style: str | None

    @classmethod
    def read(cls, lvl: _Element) -> Level:
        text = lvl.find(qn("w:lvlText"))
        return cls(
            # A level without w:start counts from zero (ECMA-376 17.9.25).
            start=_int(_val(lvl, "start")) or 0,
            fmt=_val(lvl, "numFmt") or "decimal",
            text=(text.get(qn("w:val")) or "") if text is not None else "",
            suffix=_SUFFIX.get(_val(lvl, "suff") or "tab", " "),
            restart=_int(_val(lvl, "lvlRestart")),
            legal=lvl.find(qn("w:isLgl")) is not None and _val(lvl, "isLgl") not in ("0", "false", "off"),
            style=_val(lvl, "pStyle"),
        )

    def restarts_after(self, used: int, own: int) -> bool:
        """Whether this level (ilvl `own`) starts again when a paragraph at the higher level `used` is counted."""
        # lvlRestart names, one-based, the deepest level that restarts this one; 0 means never; a value that is
        # not above this level is ignored, and then every higher level restarts it.
        if self.restart is None or self.restart - 1 >= own:
            return True
        return self.restart != 0 and used <= self.restart - 1


@dataclass(frozen=True)
class _Num:
    """A w:num: the abstract list it counts in, with the levels and starts it overrides."""

    abstract: str
    levels: dict[int, Level]
    starts: dict[int, int]


@dataclass(frozen=True)
class _Style:
    """What a paragraph style says about numbering, and the style it is based on."""

    based_on: str | None
    num_id: str | None
    ilvl: int | None


@dataclass
class _Counters:
    """The counters of one abstract list, shared by every w:num that points at it."""

    values: dict[int, int] = field(default_factory=dict)
    # A startOverride waits here until its level is next counted.
    pending: dict[int, int] = field(default_factory=dict)


class Lists:
    """The lists of one document, counted paragraph by paragraph in document order."""

    def __init__(self, numbering: _Element | None, styles: _Element | None) -> None:
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.style_links: dict[str, str] = {}
        self.nums: dict[str, _Num] = {}
        self.styles: dict[str, _Style] = {}
        self.default_style: str | None = None
        self.counters: dict[str, _Counters] = {}
        self.seen: set[str] = set()
        if styles is not None:
            self._read_styles(styles)
        if numbering is not None:
            self._read_numbering(numbering)

    def _read_styles(self, styles: _Element) -> None:
        for style in styles.iterchildren(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            if style_id is None:
                continue
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            self.styles[style_id] = _Style(_val(style, "basedOn"), _val(num_pr, "numId"), _int(_val(num_pr, "ilvl")))
            if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in ("1", "true", "on"):
                self.default_style = style_id

    def _read_numbering(self, numbering: _Element) -> None:
        for abstract in numbering.iterchildren(qn("w:abstractNum")):
            abstract_id = abstract.get(qn("w:abstractNumId"))
            if abstract_id is None:
                continue
            self.abstracts[abstract_id] = _levels(abstract.iterchildren(qn("w:lvl")))
            link = _val(abstract, "numStyleLink")
            if link is not None:
                self.style_links[abstract_id] = link
        for num in numbering.iterchildren(qn("w:num")):
            num_id, abstract_id = num.get(qn("w:numId")), _val(num, "abstractNumId")
            if num_id is None or abstract_id is None:
                continue
            overrides = list(num.iterchildren(qn("w:lvlOverride")))
            starts = {}
            for override in overrides:
                ilvl, start = _int(override.get(qn("w:ilvl"))), _int(_val(override, "startOverride"))
                if ilvl is not None and start is not None:
                    starts[ilvl] = start
            levels = _levels(lvl for override in overrides for lvl in override.iterchildren(qn("w:lvl")))
            self.nums[num_id] = _Num(abstract_id, levels, starts)

    def _chain(self, style_id: str | None) -> Iterator[_Style]:
        """The style and those it is based on, nearest first."""
        for _ in range(_MAX_CHAIN):
            style = self.styles.get(style_id) if style_id is not None else None
            if style is None:
                return
            yield style
            style_id = style.based_on

    def _abstract(self, num: _Num) -> str | None:
        """The abstract list a num counts in, following a list style's link (numStyleLink) to its definition."""
        abstract_id = num.abstract
        for _ in range(_MAX_CHAIN):
            link = self.style_links.get(abstract_id)
            if link is None:
                return abstract_id if abstract_id in self.abstracts else None
            linked = next((s.num_id for s in self._chain(link) if s.num_id is not None), None)
            target = self.nums.get(linked) if linked is not None else None
            if target is None:
                return None
            abstract_id = target.abstract
        return None

    def _list_of(self, paragraph: _Element) -> tuple[str, int | None, str | None] | None:
        """numId, ilvl and paragraph style of a numbered paragraph; None when Word shows no number."""
        p_pr = paragraph.find(qn("w:pPr"))
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        num_id, ilvl = _val(num_pr, "numId"), _int(_val(num_pr, "ilvl"))
        style_id = _val(p_pr, "pStyle") or self.default_style
        for style in self._chain(style_id):
            num_id = num_id if num_id is not None else style.num_id
            ilvl = ilvl if ilvl is not None else style.ilvl
        # numId 0 is how Word says "no numbering here", overriding a style that numbers.
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        return num_id, ilvl, style_id

    def label(self, paragraph: _Element) -> str:
        """The label Word shows before this paragraph, with its separator; "" when none. Call in document order."""
        found = self._list_of(paragraph)
        if found is None:
            return ""
        num_id, ilvl, style_id = found
        num = self.nums[num_id]
        abstract_id = self._abstract(num)
        if abstract_id is None:
            return ""
        levels = {**self.abstracts[abstract_id], **num.levels}
        if ilvl is None:
            # A style linked to a level of the list (the level's w:pStyle) sits at that level; otherwise level 0.
            ilvl = next((k for k, level in levels.items() if style_id is not None and level.style == style_id), 0)
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self.counters.setdefault(abstract_id, _Counters())
        if num_id not in self.seen:
            # Word's "Restart at 1" is a new num over the same abstract list with a startOverride.
            self.seen.add(num_id)
            for restarted, start in num.starts.items():
                counters.values.pop(restarted, None)
                counters.pending[restarted] = start
        values = counters.values
        values[ilvl] = values[ilvl] + 1 if ilvl in values else counters.pending.pop(ilvl, level.start)
        for deeper in [k for k in values if k > ilvl]:
            if deeper not in levels or levels[deeper].restarts_after(ilvl, deeper):
                del values[deeper]
        text = _render(level, levels, values)
        return text + level.suffix if text else ""


def _levels(lvls: Iterable[_Element]) -> dict[int, Level]:
    levels = {}
    for lvl in lvls:
        ilvl = _int(lvl.get(qn("w:ilvl")))
        if ilvl is not None:
            levels[ilvl] = Level.read(lvl)
    return levels


def _render(level: Level, levels: dict[int, Level], values: dict[int, int]) -> str:
    """The level's lvlText with %1..%9 replaced by the counters of those levels, each in its own format."""
    if level.fmt == "bullet":
        # Symbol and Wingdings bullets are private-use code points that mean nothing outside their font.
        return "".join("•" if "\ue000" <= c <= "\uf8ff" else c for c in level.text)

    def number(match: re.Match[str]) -> str:
        k = int(match[1]) - 1
        shown = levels.get(k)
        if shown is None:
            return ""
        # Word writes a level not counted since its last restart as one less than its start: a clause typed
        # straight under a chapter shows "1.0.1", which reports the skipped level instead of hiding it.
        value = values.get(k, shown.start - 1)
        # Legal numbering (isLgl) writes every level it shows in decimal: "Điều 1.2", never "Điều I.2".
        fmt = "decimal" if level.legal and shown.fmt != "none" else shown.fmt
        return format_number(value, fmt)

    return _PLACEHOLDER.sub(number, level.text)


def labels(paragraphs: Iterable[_Element], numbering: _Element | None, styles: _Element | None) -> list[str]:
    """The label Word shows before each paragraph ("" when none), given the numbering and styles parts' roots.

    Word does not store these labels in the text: a paragraph names a list (numId) and a level (ilvl), directly or
    through its paragraph style, and Word counts as it lays the document out. This counts the same way, so that
    the draft parser reads the structure the ministry saw on screen. The labels are Word's, not corrected: Word's
    lowerLetter runs a, b, c, d, e, … without đ, and the parser then reads those letters as written (a point "e)"
    right after "d)" is reported as out of sequence, as it would be if typed by hand).
    """
    lists = Lists(numbering, styles)
    return [lists.label(p) for p in paragraphs]
