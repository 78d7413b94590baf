"""Render the summary model as Word (DOCX): the whole record, and the revised draft with real tracked changes."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt

from server.summary.render import (
    ATTENDANCE_COLUMNS,
    ATTENDANCE_LEGEND,
    AUDIT_HEADER,
    CHECKSUM_LABEL,
    DISPOSITION_COUNTS,
    DRAFT_MARKER,
    NOTE_REASONS,
    SIGN_HINT,
    SIGNERS,
    absentee_line,
    authors,
    clock,
    hour,
    proposed,
    receipts_line,
    revision_legend,
    ruling,
    when,
)
from server.summary.revision import applied_line

TITLE = "BIÊN BẢN TỔNG HỢP HỘI THẢO"
REVISED_TITLE = "Dự thảo sau tiếp thu"
PRODUCER = "Điểm Cầu"
# Who Word names on each tracked change and comment: the workshop decided them, not a person.
REVIEWER = "Hội thảo"
FONT = "Times New Roman"
EMPTY = "(Không có nội dung.)"
DOCUMENT_PART = "word/document.xml"
COMMENTS_PART = "word/comments.xml"

_W = nsdecls("w")
_XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
# A4 less the 30 mm binding margin and the 15 mm right margin, in twentieths of a point.
_TEXT_WIDTH = round((210 - 30 - 15) / 25.4 * 1440)
_TABLE_TEXT = "Table Text"
# The letterhead's columns: the issuing body at the left, the national title and motto, which are longer, at the right.
_LETTERHEAD = (_TEXT_WIDTH * 2 // 5, _TEXT_WIDTH - _TEXT_WIDTH * 2 // 5)
# Word's default left and right padding of a table cell.
_CELL_MARGIN = 108
# About how wide a character is, for the lines under the letterhead: capitals in 12 pt bold, the motto in 13 pt bold.
_CAPS_CHAR = 140
_MOTTO_CHAR = 110
_NO_BORDERS = "<w:tblBorders>" + "".join(
    f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV")
) + "</w:tblBorders>"
# A record without a number leaves room to write it by hand, as offices do.
_UNNUMBERED = "Số:      /BB-…"
# Every zip entry gets the same date, so the bytes depend only on the content (the zip format cannot store 1970).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# What XML 1.0 cannot carry. Upstream cleaning removes control characters, but a U+FFFF or a lone surrogate
# would still make the package unreadable (or fail to encode), losing the whole export for one character.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEWLINES = re.compile(r"(\n+)")
_BOLD = "<w:rPr><w:b/><w:bCs/></w:rPr>"
_ITALIC = "<w:rPr><w:i/><w:iCs/></w:rPr>"
_STRIKE = "<w:rPr><w:strike/></w:rPr>"
# The record's draft headings undo their style's bold and italic, so that bold still marks only an insertion.
_UPRIGHT = '<w:b w:val="0"/><w:bCs w:val="0"/><w:i w:val="0"/><w:iCs w:val="0"/>'
_INSERTED_HEADING = '<w:rPr><w:b/><w:bCs/><w:i w:val="0"/><w:iCs w:val="0"/></w:rPr>'
# How each op of a section's diff is written: in the record's appendix as marks, in the drafters' copy inside
# w:ins and w:del (which Word marks itself); a heading's runs first, then the rest of the text.
_MARKS = {
    (False, True): {"equal": f"<w:rPr>{_UPRIGHT}</w:rPr>", "insert": _INSERTED_HEADING,
                    "delete": f"<w:rPr>{_UPRIGHT}<w:strike/></w:rPr>"},
    (False, False): {"equal": "", "insert": _BOLD, "delete": _STRIKE},
    (True, True): {"equal": _BOLD, "insert": _BOLD, "delete": _BOLD},
    (True, False): {"equal": "", "insert": "", "delete": ""},
}
_MARKER = '<w:rPr><w:b/><w:bCs/><w:color w:val="C00000"/></w:rPr>'
_HIGHLIGHT = '<w:rPr><w:highlight w:val="yellow"/></w:rPr>'
# The mark Word draws in a comment's first paragraph, linking it to its anchor in the text.
_ANNOTATION = '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>'
# The letterhead's headings are set in 12 pt, a point under the text, as Nghị định 30/2020 allows.
_HEAD = '<w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>'
_HEAD_BOLD = '<w:rPr><w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>'
_SMALL = '<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'
# Kinds whose heading line stands on its own, centred, as in printed Vietnamese legal texts.
_CENTRED_KINDS = frozenset({"part", "chapter", "section"})
# The draft's headings, outermost first.
_HEADED_KINDS = ("part", "chapter", "section", "article")


def _text(value: Any) -> str:
    """User text made safe for XML without changing what it says: line endings unified, the unencodable replaced."""
    text = "" if value is None else str(value)
    # Printable text has no line break, tab or character XML refuses (those are all unprintable): most values.
    if text.isprintable():
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("\ufffd", text) if _XML_ILLEGAL.search(text) else text


def _t(tag: str, text: str) -> str:
    """A w:t (or w:delText) with the text escaped; told to keep its spaces only when XML would otherwise drop some."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[0] == " " or text[-1] == " " or "  " in text:
        return f'<{tag} xml:space="preserve">{escaped}</{tag}>'
    return f"<{tag}>{escaped}</{tag}>"


def _run(value: Any, rpr: str = "", *, deleted: bool = False) -> str:
    """A w:r holding plain text: each line break a w:br, each tab a w:tab, every other character literal."""
    text = _text(value)
    if not text:
        return ""
    tag = "w:delText" if deleted else "w:t"
    if "\n" not in text and "\t" not in text:
        # The common case of a one-line value, taken without splitting: it is most of a 10,000-row table.
        return f"<w:r>{rpr}{_t(tag, text)}</w:r>"
    parts = []
    for index, line in enumerate(text.split("\n")):
        if index:
            parts.append("<w:br/>")
        for column, piece in enumerate(line.split("\t")):
            if column:
                parts.append("<w:tab/>")
            if piece:
                parts.append(_t(tag, piece))
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def _p(runs: str, *, style: str | None = None, align: str | None = None, keep: bool = False,
       page_break: bool = False) -> str:
    """A w:p; its properties are written in the order the schema requires, which Word enforces."""
    ppr = (
        (f'<w:pStyle w:val="{style}"/>' if style else "")
        + ("<w:keepNext/>" if keep else "")
        + ("<w:pageBreakBefore/>" if page_break else "")
        + (f'<w:jc w:val="{align}"/>' if align else "")
    )
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


def _lines(text: str | None) -> list[str]:
    """User text as the Markdown renderer reads it: each non-blank line on its own, stripped."""
    return [line.strip() for line in _text(text).split("\n") if line.strip()]


def _paragraphs(text: str | None) -> str:
    return "".join(_p(_run(line)) for line in _lines(text)) or _p(_run(EMPTY, _ITALIC))


def _bullets(items: Iterable[str]) -> str:
    return "".join(_p(_run(item), style="ListBullet") for item in items)


class _Grid:
    """The columns of one table (header, share of the width, alignment) and how its rows are written as XML."""

    def __init__(self, columns: Sequence[tuple[str, int, str]], style: str) -> None:
        self.columns = columns
        self.style = style
        self.widths = [_TEXT_WIDTH * share // 100 for _, share, _ in columns]
        # Everything around a cell's text is the same in every row: built once, it keeps 70,000 cells cheap.
        # Left is the style's own alignment; leaving it out saves a megabyte on a big table.
        self.opens = [
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="{style}"/>'
            + ("" if align == "left" else f'<w:jc w:val="{align}"/>')
            + "</w:pPr>"
            for width, (_, _, align) in zip(self.widths, columns, strict=True)
        ]

    def row(self, values: Sequence[Any], rpr: str = "") -> str:
        cells = "".join(
            f"{opening}{_run(value, rpr)}</w:p></w:tc>" for opening, value in zip(self.opens, values, strict=True)
        )
        return f"<w:tr>{cells}</w:tr>"

    def span(self, text: str) -> str:
        """A row across every column: a group's heading, kept on the page with its first comment."""
        return (
            f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{sum(self.widths)}" w:type="dxa"/>'
            f'<w:gridSpan w:val="{len(self.columns)}"/><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
            f"{_p(_run(text, _BOLD), style=self.style, keep=True)}</w:tc></w:tr>"
        )

    def table(self, rows: Iterable[str]) -> str:
        """A "Table Grid" table whose first row repeats on every page; a fixed layout spares Word measuring it."""
        header = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f"{_p(_run(label, _BOLD), style=self.style, align='center')}</w:tc>"
            for width, (label, _, _) in zip(self.widths, self.columns, strict=True)
        )
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in self.widths)
        return (
            f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(self.widths)}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
            f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>{''.join(rows)}</w:tbl>"
        )


def _utc(model: dict[str, Any], frozen_at: str | None) -> datetime:
    """The one moment the file is stamped with: the close for the record, the conference's start for a preview."""
    value = frozen_at or model["conference"]["starts_at"]
    if value is None:
        return datetime(2000, 1, 1, tzinfo=UTC)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(model["conference"]["timezone"]))
    return moment.astimezone(UTC)


def _fonts(rpr: BaseOxmlElement) -> None:
    """Times New Roman for every script: theme attributes would win over a plain w:ascii and show Calibri."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {_W}/>")
        rpr.insert(0, fonts)
    fonts.attrib.clear()
    for name in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{name}"), FONT)


def _styles(document: Document) -> None:
    """Vietnamese administrative type: Times New Roman 13 pt, black headings, tables in 11 pt."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _fonts(rpr)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), "26")
    language = rpr.find(qn("w:lang"))
    language.attrib.clear()
    language.set(qn("w:val"), "vi-VN")
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "264")
    styles["Normal"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Levels as in the Markdown record: the title is Heading 1, sections I–VI Heading 2, their parts Heading 3;
    # a draft's parts, chapters, sections and articles go as deep as Heading 6.
    levels = [("Heading 1", 14, False), ("Heading 2", 13, False), ("Heading 3", 13, True),
              *((f"Heading {level}", 13, False) for level in (4, 5, 6))]
    for name, size, italic in levels:
        style = styles[name]
        _fonts(style.element.get_or_add_rPr())
        style.font.size = Pt(size)
        # Complex-script size too, so a heading measures the same whichever script Word decides a run is.
        rpr = style.element.rPr
        complex_size = rpr.find(qn("w:szCs"))
        if complex_size is None:
            complex_size = parse_xml(f"<w:szCs {_W}/>")
            rpr.find(qn("w:sz")).addnext(complex_size)
        complex_size.set(qn("w:val"), str(size * 2))
        style.font.bold = True
        style.font.italic = italic
        style.font.color.rgb = None
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
    table_text = styles.add_style(_TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    table_text.font.size = Pt(11)
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0


class _Writer:
    """One DOCX being written: python-docx for the package, page and styles; XML strings for the body's bulk."""

    def __init__(self, model: dict[str, Any], *, frozen: bool, sha256: str | None, frozen_at: str | None,
                 title: str) -> None:
        self.model = model
        self.document = docx.Document()
        self.parts: list[str] = []
        self.stamp = _utc(model, frozen_at)
        self.revision_date = self.stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        # Tracked changes and comments share one id space in Word's eyes: one counter numbers both.
        self.next_id = 0
        self.comments: list[str] = []
        _styles(self.document)
        self.table_style = self.document.styles[_TABLE_TEXT].style_id
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance, section.footer_distance = Mm(8), Mm(8)
        # Nghị định 30/2020 puts the page number at the top centre and shows none on the first page.
        marker = "" if frozen else _p(_run(DRAFT_MARKER, _MARKER), style="Header", align="center")
        page = _p('<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>', style="Header", align="center")
        section.different_first_page_header_footer = True
        self._fill(section.header.paragraphs[0]._p.getparent(), marker + page)
        self._fill(section.first_page_header.paragraphs[0]._p.getparent(), marker or _p("", style="Header"))
        if frozen and sha256:
            checksum = _p(_run(f"{CHECKSUM_LABEL}: {sha256}", _SMALL), style="Footer", align="center")
            for footer in (section.footer, section.first_page_footer):
                self._fill(footer.paragraphs[0]._p.getparent(), checksum)
        package_rels = self.document.part.package.rels
        # The template's thumbnail shows an empty page; file browsers would preview every summary as blank.
        for rid in [rid for rid, rel in package_rels.items() if rel.reltype.endswith("/thumbnail")]:
            del package_rels[rid]
        properties = self.document.core_properties
        properties.author = properties.last_modified_by = PRODUCER
        properties.title = title
        properties.subject = _text(model["conference"]["title"])
        properties.comments = ""
        properties.language = "vi-VN"
        properties.revision = 1
        moment = self.stamp.replace(tzinfo=None)
        properties.created = properties.modified = properties.last_printed = moment

    @staticmethod
    def _fill(container: BaseOxmlElement, xml: str) -> None:
        for child in list(container):
            container.remove(child)
        for child in parse_xml(f"<w:hdr {_W}>{xml}</w:hdr>"):
            container.append(child)

    def add(self, xml: str) -> None:
        """Queue body XML (paragraphs and tables); it goes in before the section properties when saved."""
        self.parts.append(xml)

    def revision(self, tag: str, content: str = "") -> str:
        """A w:ins or w:del (or, empty, a paragraph mark's) with a fresh id, the workshop as author and a fixed date."""
        self.next_id += 1
        attributes = f'w:id="{self.next_id}" w:author="{REVIEWER}" w:date="{self.revision_date}"'
        return f"<w:{tag} {attributes}>{content}</w:{tag}>" if content else f"<w:{tag} {attributes}/>"

    def comment(self, text: str) -> int:
        """A margin comment by the workshop, one paragraph per line, dated with the file; its id for the anchors.

        Written as text, not with python-docx's add_comment, which looks through every earlier comment for a free
        id: 1,400 comments cost it 3 s.
        """
        self.next_id += 1
        paragraphs = "".join(
            f'<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>{"" if number else _ANNOTATION}{_run(line)}</w:p>'
            for number, line in enumerate(_text(text).split("\n"))
        )
        self.comments.append(
            f'<w:comment w:id="{self.next_id}" w:author="{REVIEWER}" w:initials="HT" w:date="{self.revision_date}">'
            f"{paragraphs}</w:comment>"
        )
        return self.next_id

    def save(self) -> bytes:
        comments = None
        if self.comments:
            # Reading the property makes python-docx add the comments part, its relationship and content type;
            # the part's content is then written below.
            _ = self.document.comments
            comments = f"<w:comments {_W}>{''.join(self.comments)}</w:comments>".encode()
        out = io.BytesIO()
        self.document.save(out)
        return _reproducible(out.getvalue(), "".join(self.parts).encode(), comments)


def _reproducible(package: bytes, body: bytes, comments: bytes | None) -> bytes:
    """The package re-zipped so equal content gives equal bytes, with the body and the comments written in.

    Entries come in a fixed order, all dated 1980-01-01 and deflated alike. The body goes in as text, before the
    final w:sectPr: moving a parsed 10,000-row table into python-docx's tree costs lxml quadratic time.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    end = entries[DOCUMENT_PART].rindex(b"<w:sectPr")
    entries[DOCUMENT_PART] = entries[DOCUMENT_PART][:end] + body + entries[DOCUMENT_PART][end:]
    if comments is not None:
        entries[COMMENTS_PART] = _XML_DECLARATION + comments
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        # [Content_Types].xml first, as Word writes it; some readers sniff only the start of the archive.
        for name in sorted(entries, key=lambda name: (name != "[Content_Types].xml", name)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            # Level 3 still uses zlib's fast matcher: a 20 MB body deflates in a tenth of a second, not a quarter.
            target.writestr(info, entries[name], compresslevel=3)
    return out.getvalue()


def _split(pieces: Sequence[tuple[str, str]]) -> list[tuple[list[tuple[str, str]], str]]:
    """A section's diff cut into paragraphs, one per non-blank line as the Markdown renderer shows them.

    Each paragraph's mark carries the op of the line break that ends it: a break only the revised text has was
    inserted, one only the original has was deleted; so rejecting a new paragraph in Word rejoins the text.
    """
    paragraphs: list[tuple[list[tuple[str, str]], str]] = []
    current: list[tuple[str, str]] = []
    breaks: set[str] = set()

    def close() -> None:
        nonlocal current
        while current and not current[0][1].strip():
            current.pop(0)
        while current and not current[-1][1].strip():
            current.pop()
        if current:
            current[0] = (current[0][0], current[0][1].lstrip())
            current[-1] = (current[-1][0], current[-1][1].rstrip())
            revised, original = breaks & {"equal", "insert"}, breaks & {"equal", "delete"}
            mark = "insert" if revised and not original else "delete" if original and not revised else "equal"
            paragraphs.append((current, mark))
        current = []
        breaks.clear()

    for op, text in pieces:
        for token in _NEWLINES.split(_text(text)):
            if not token:
                continue
            if token[0] == "\n":
                breaks.add(op)
            else:
                if breaks:
                    close()
                current.append((op, token))
    close()
    return paragraphs


def _heading_levels(sections: Sequence[dict[str, Any]], top: int) -> dict[str, int]:
    """The Word heading level of each kind of heading the draft has: the outermost at `top`, each inner one deeper."""
    present = {section["kind"] for section in sections}
    return {kind: top + depth for depth, kind in enumerate(k for k in _HEADED_KINDS if k in present)}


def _draft_body(writer: _Writer, draft: dict[str, Any], *, tracked: bool, top: int) -> str:
    """The revised draft, section by section, for both the summary's appendix and the drafters' own copy.

    `tracked` writes each change as a Word revision (w:ins/w:del) and each note as a comment, for the drafters to
    accept or reject. The sealed record instead shows them as plain formatting: a record holding pending revisions
    would read differently in Word's "No Markup" view and change under "Accept all". The headings of parts,
    chapters, sections and articles are Word headings from level `top` down, so they show in the navigation pane.
    """
    out = [_p(_run(line)) for line in _lines(draft["preamble"])]
    levels = _heading_levels(draft["sections"], top)
    for section in draft["sections"]:
        changed = section["revised"] is not None and section["changes"]
        pieces = [(c["op"], c["text"]) for c in section["changes"]] if changed else [("equal", section["text"])]
        paragraphs: list[tuple[str, str]] = []
        for number, (runs, mark) in enumerate(_split(pieces)):
            level = levels.get(section["kind"]) if number == 0 else None
            align = "center" if level is not None and section["kind"] in _CENTRED_KINDS else None
            rprs = _MARKS[tracked, level is not None]
            xml = []
            for op, text in runs:
                if not tracked or op == "equal":
                    xml.append(_run(text, rprs[op]))
                elif op == "insert":
                    xml.append(writer.revision("ins", _run(text, rprs[op])))
                else:
                    xml.append(writer.revision("del", _run(text, rprs[op], deleted=True)))
            ppr = (f'<w:pStyle w:val="Heading{level}"/>' if level is not None else "") + (
                f'<w:jc w:val="{align}"/>' if align else "")
            if tracked and mark != "equal":
                ppr += f"<w:rPr>{writer.revision('ins' if mark == 'insert' else 'del')}</w:rPr>"
            paragraphs.append((f"<w:pPr>{ppr}</w:pPr>" if ppr else "", "".join(xml)))
        if tracked:
            remarks = [_note_comment(note) for note in section["notes"]]
            applied = applied_line(section)
            if applied is not None:
                remarks.insert(0, applied.strip("()"))
            ids = [writer.comment(text) for text in remarks]
            if ids:
                paragraphs = paragraphs or [("", "")]
                starts = "".join(f'<w:commentRangeStart w:id="{i}"/>' for i in ids)
                ends = "".join(
                    f'<w:commentRangeEnd w:id="{i}"/><w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
                    f'<w:commentReference w:id="{i}"/></w:r>'
                    for i in ids
                )
                paragraphs[0] = (paragraphs[0][0], starts + paragraphs[0][1])
                paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + ends)
        out += [f"<w:p>{ppr}{runs}</w:p>" for ppr, runs in paragraphs]
        if not tracked:
            applied = applied_line(section)
            if applied is not None:
                out.append(_p(_run(applied, _ITALIC)))
            for note in section["notes"]:
                response = f": {_text(note['response'])}" if note["response"] else ""
                line = f"Ý kiến số {note['no']} ({_text(note['authors'])}) – {NOTE_REASONS[note['reason']]}{response}"
                out.append(_p(_run(line, _HIGHLIGHT)))
    return "".join(out)


def _note_comment(note: dict[str, Any]) -> str:
    """A note as the drafters read it in the margin: who, why, and what was proposed and answered."""
    lines = [f"Ý kiến số {note['no']} ({note['authors']}) – {NOTE_REASONS[note['reason']]}",
             f"Nội dung góp ý: {note['body']}"]
    if note["proposed_text"]:
        lines.append(f"Đề xuất sửa đổi: {note['proposed_text']}")
    if note["response"]:
        lines.append(f"Tiếp thu, giải trình: {note['response']}")
    return "\n".join(lines)


def _heading(text: str, level: int, *, page_break: bool = False) -> str:
    return _p(_run(text), style=f"Heading{level}", keep=True, page_break=page_break)


def _general(model: dict[str, Any]) -> str:
    c, draft = model["conference"], model["draft"]
    facts = [
        ("Thời gian", when(c["starts_at"])),
        ("Địa điểm", c["venue"]),
        ("Chủ trì", c["chair_name"]),
        ("Điểm cầu chính", c["host_point"]),
        ("Số điểm cầu", f"{c['points_count']} (không kể điểm cầu chính)"),
        ("Dự thảo lấy ý kiến", None if draft is None else f"{_text(draft['title'])} (phiên bản {draft['revision']})"),
    ]
    return _heading("I. Thông tin chung", 2) + _bullets(f"{label}: {_text(value)}" for label, value in facts if value)


def _attendance(model: dict[str, Any], style: str) -> str:
    grid = _Grid([("Điểm cầu", 28, "left"), *((label, 9, "right") for _, label in ATTENDANCE_COLUMNS)], style)
    keys = [key for key, _ in ATTENDANCE_COLUMNS]
    rows = [
        grid.row([_text(p["name"]) + (" (điểm cầu chính)" if p["is_host"] else ""), *(p[k] for k in keys)])
        for p in model["attendance"]["points"]
    ]
    totals = model["attendance"]["totals"]
    rows.append(grid.row(["Tổng cộng", *(totals[k] for k in keys)], _BOLD))
    out = _heading("II. Tình hình tham dự", 2) + grid.table(rows) + _p(_run(ATTENDANCE_LEGEND))
    if model["substitutions"]:
        out += _p(_run("Đại biểu dự thay:"), keep=True) + _bullets(
            f"{_text(s['full_name'])} dự thay {_text(s['substitute_for'])} ({_text(s['point'])})"
            for s in model["substitutions"]
        )
    if model["walk_ins"]:
        out += _p(_run("Khách mời, đại biểu không có trong danh sách triệu tập:"), keep=True) + _bullets(
            _text(w["full_name"]) + (f", {_text(w['organization'])}" if w["organization"] else "")
            + f" ({_text(w['point'])})"
            for w in model["walk_ins"]
        )
    if model["absentees"]:
        out += _p(_run("Đại biểu vắng mặt:"), keep=True) + _bullets(_text(absentee_line(a)) for a in model["absentees"])
    return out


def _agenda(model: dict[str, Any], style: str) -> str:
    out = _heading("III. Chương trình và diễn biến", 2)
    if not model["agenda"]:
        return out + _p(_run("Không có."))
    grid = _Grid([("STT", 5, "center"), ("Nội dung", 25, "left"), ("Người trình bày", 16, "left"),
                  ("Bắt đầu dự kiến", 9, "center"), ("Dự kiến (phút)", 8, "right"), ("Bắt đầu", 9, "center"),
                  ("Kết thúc", 9, "center"), ("Thực tế (phút)", 9, "right"), ("Vượt (phút)", 10, "right")], style)
    rows = []
    for number, item in enumerate(model["agenda"], start=1):
        presenter = ", ".join(_text(v) for v in (item["presenter"], item["point"]) if v)
        title = _text(item["title"]) + (" (không thực hiện)" if item["status"] == "skipped" else "")
        rows.append(grid.row([number, title, presenter, hour(item["planned_start"]), item["planned_minutes"],
                              hour(item["started_at"]), hour(item["finished_at"]), item["actual_minutes"],
                              item["overrun_minutes"] or None]))
    return out + grid.table(rows)


def _speakers(model: dict[str, Any], style: str) -> str:
    out = _heading("IV. Phát biểu", 2)
    if not model["speakers"]:
        return out + _p(_run("Không có."))
    grid = _Grid([("STT", 6, "center"), ("Người phát biểu", 20, "left"), ("Điểm cầu", 16, "left"),
                  ("Nội dung", 28, "left"), ("Bắt đầu", 10, "center"), ("Kết thúc", 10, "center"),
                  ("Thời lượng", 10, "right")], style)
    rows = [
        grid.row([n, s["full_name"], s["point"], s["topic"], hour(s["started_at"]), hour(s["finished_at"]),
                  clock(s["duration_seconds"])])
        for n, s in enumerate(model["speakers"], start=1)
    ]
    return out + grid.table(rows)


def _comments(model: dict[str, Any], style: str) -> str:
    totals = model["comment_totals"]
    out = _heading("V. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý", 2) + _p(_run(
        f"Tổng số {totals['total']} ý kiến của {totals['people']} người tại {totals['points']} điểm cầu."
    ))
    if model["comments"]:
        grid = _Grid([("Số", 6, "center"), ("Điều, khoản", 11, "left"), ("Nội dung góp ý", 23, "left"),
                      ("Người góp ý, điểm cầu", 15, "left"), ("Đề xuất sửa đổi", 17, "left"),
                      ("Hình thức xử lý", 10, "left"), ("Tiếp thu, giải trình", 18, "left")], style)
        rows = []
        for group in model["comments"]:
            rows.append(grid.span(_text(group["heading"])))
            rows += [
                grid.row([row["no"], row["provision"], row["body"], "\n".join(authors(row)), proposed(row),
                          row["disposition_label"], ruling(row)])
                for row in group["rows"]
            ]
        out += grid.table(rows)
    out += _p(_run("Kết quả xử lý:"), keep=True)
    out += _bullets(f"{label}: {totals[key]}" for label, key in DISPOSITION_COUNTS)
    if model["comments_by_point"]:
        grid = _Grid([("Điểm cầu", 24, "left"), ("Tổng số", 11, "right"),
                      *((label, 13, "right") for label, _ in DISPOSITION_COUNTS)], style)
        rows = [grid.row([p["point"], p["total"], *(p[key] for _, key in DISPOSITION_COUNTS)])
                for p in model["comments_by_point"]]
        out += _p(_run("Theo điểm cầu:"), keep=True) + grid.table(rows)
    return out


def _borderless(widths: Sequence[int], rows: Sequence[Sequence[str]]) -> str:
    """Blocks of paragraphs side by side in a table without lines: how Word lays out a letterhead or signatures."""
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    body = "".join(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{cell}</w:tc>'
                  for width, cell in zip(widths, row, strict=True))
        + "</w:tr>"
        for row in rows
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>{_NO_BORDERS}<w:tblLayout w:type="fixed"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
    )


def _centred(value: Any, rpr: str = "", *, before: int = 0) -> str:
    """A centred line of the letterhead, set close to the next (no space after, single spacing)."""
    return (f'<w:p><w:pPr><w:keepNext/><w:spacing w:before="{before}" w:after="0" w:line="240" w:lineRule="auto"/>'
            f'<w:jc w:val="center"/></w:pPr>{_run(value, rpr)}</w:p>')


def _rule(text: str, per_char: int, cell: int, share: float) -> str:
    """The short line under a letterhead heading: `share` of the text's length (estimated), centred in the cell.

    It is the top border of an empty paragraph a tenth of a point high, three points under the text: it moves with
    the text and needs no drawing.
    """
    length = min(len(text) * per_char, cell - 2 * _CELL_MARGIN) * share
    side = round((cell - 2 * _CELL_MARGIN - length) / 2)
    return (
        '<w:p><w:pPr><w:keepNext/><w:pBdr><w:top w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
        f'<w:spacing w:before="60" w:after="0" w:line="2" w:lineRule="exact"/><w:ind w:left="{side}" w:right="{side}"/>'
        '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
    )


def _letterhead(document: dict[str, Any]) -> str:
    """Nghị định 30/2020's header: the issuing body under its parent and the number at the left; the national title,
    the motto and the place and date at the right; then the kind of document and what it is about, centred.

    The issuing body has a line of a third of its length under it (a Party body a star, as Hướng dẫn 36-HD/VPTW sets
    it), the motto (or a Party body's title) a line as long.
    """
    left, right = _LETTERHEAD
    body = _text(document["issuing_body"])
    mark = _centred("*", _HEAD_BOLD) if document["style"] == "party" else _rule(body, _CAPS_CHAR, left, 1 / 3)
    issuer = (_centred(document["parent_body"], _HEAD) if document["parent_body"] else "") + _centred(body, _HEAD_BOLD)
    issuer += mark
    motto = document["motto"]
    title = _text(document["national_title"])
    nation = _centred(title, _HEAD_BOLD) + (
        _centred(motto, _BOLD) + _rule(motto, _MOTTO_CHAR, right, 1) if motto else _rule(title, _CAPS_CHAR, right, 1)
    )
    number = f"Số: {_text(document['number'])}" if document["number"] else _UNNUMBERED
    dated = _centred(document["date_text"], _ITALIC, before=120)
    return (
        _borderless(_LETTERHEAD, [[issuer, nation], [_centred(number, before=120), dated]])
        + _p(_run(document["title"]), style="Heading1", align="center", keep=True)
        + _p(_run(document["subtitle"], _BOLD), align="center")
    )


def _signatures(model: dict[str, Any]) -> str:
    """Secretary left, chair right, room to sign; a borderless table, as signature blocks are laid out in Word.

    A record frozen before its letterhead was configurable names the secretary and the chair as it did then.
    """
    document = model.get("document")
    if document is None:
        signers = list(zip(SIGNERS, (None, model["conference"]["chair_name"]), strict=True))
    else:
        signers = [(signature["role"], signature["name"]) for signature in document["signatures"]]
    space = _p("", align="center") * 3
    cells = [
        _p(_run(role, _BOLD), align="center", keep=True) + _p(_run(SIGN_HINT, _ITALIC), align="center", keep=True)
        + space + _p(_run(name, _BOLD), align="center")
        for role, name in signers
    ]
    width = _TEXT_WIDTH // len(cells)
    return _borderless([width] * len(cells), [cells])


def _statement(model: dict[str, Any]) -> str:
    statement = _paragraphs(model["closing_statement"]["text"])
    return _heading("VI. Kết luận của chủ trì", 2) + statement + _signatures(model)


def _remarks(model: dict[str, Any]) -> str:
    out = [_heading("Phụ lục 1. Toàn văn tham luận", 2, page_break=True)]
    if not model["remarks"]:
        return out[0] + _p(_run("Không có."))
    # Collected and joined once: adding each remark to a growing string copied the megabytes before it.
    for number, remark in enumerate(model["remarks"], start=1):
        facts = [("Tác giả", remark["author"]), ("Chức vụ", remark["position"]), ("Đơn vị", remark["organization"]),
                 ("Điểm cầu", remark["point"]), ("Mục chương trình", remark["agenda_item"])]
        byline = "\n".join(f"{label}: {_text(value)}" for label, value in facts if value)
        out += [
            _heading(f"{number}. {_text(remark['title'])}", 3),
            _p(_run(byline, _ITALIC)),
            _paragraphs(remark["body"]),
        ]
    return "".join(out)


def _revised(writer: _Writer) -> str:
    out = _heading("Phụ lục 2. Dự thảo sau tiếp thu", 2, page_break=True)
    draft = writer.model["revised_draft"]
    if draft is None:
        return out + _p(_run("Không có dự thảo."))
    intro = f"{revision_legend(draft)} Phần bị thay thế được gạch ngang, phần bổ sung in đậm."
    return out + _p(_run(intro, _ITALIC)) + _draft_body(writer, draft, tracked=False, top=3)


def _audit(model: dict[str, Any], style: str) -> str:
    out = _heading("Phụ lục 3. Nhật ký thao tác", 2, page_break=True)
    if not model["audit"]:
        return out + _p(_run("Không có."))
    widths = (6, 17, 20, 45, 12)
    grid = _Grid([(label, width, "left") for label, width in zip(AUDIT_HEADER, widths, strict=True)], style)
    rows = [
        grid.row([n, when(e["at"]), e["actor"], e["sentence"], e["address"]])
        for n, e in enumerate(model["audit"], start=1)
    ]
    return out + grid.table(rows)


def _seal(model: dict[str, Any], frozen: bool, sha256: str | None, frozen_at: str | None) -> str:
    """When frozen: the close time, in the conference's zone as every other time, the root over the contributions'
    receipts (for a record frozen after receipts were given) and the checksum."""
    if not frozen:
        return ""
    out = ""
    if frozen_at is not None:
        local = datetime.fromisoformat(frozen_at).astimezone(ZoneInfo(model["conference"]["timezone"]))
        out += _p(_run(f"Chốt lúc: {when(local.isoformat())}"))
    receipts = receipts_line(model)
    if receipts is not None:
        out += _p(_run(receipts))
    if sha256:
        out += _p(_run(f"{CHECKSUM_LABEL}: {sha256}"))
    return out


def _opening(frozen: bool) -> str:
    return "" if frozen else _p(_run(DRAFT_MARKER, _MARKER), align="center")


def render_docx(model: dict[str, Any], *, frozen: bool, sha256: str | None, frozen_at: str | None) -> bytes:
    """The whole summary as a Word document, in the order and with the labels of the Markdown record."""
    writer = _Writer(model, frozen=frozen, sha256=sha256, frozen_at=frozen_at, title=TITLE)
    style = writer.table_style
    document = model.get("document")
    if document is None:
        # A record frozen before the letterhead existed keeps its title block.
        head = _p(_run(TITLE), style="Heading1", align="center", keep=True) + _p(
            _run(model["conference"]["title"], _BOLD), align="center")
    else:
        head = _letterhead(document)
    parts = [
        _opening(frozen) + head,
        _general(model),
        _attendance(model, style),
        _agenda(model, style),
        _speakers(model, style),
        _comments(model, style),
        _statement(model),
        _remarks(model),
        _revised(writer),
        _audit(model, style),
        _seal(model, frozen, sha256, frozen_at),
    ]
    # Appended one by one, so a large table is joined into the document once rather than copied at every "+".
    for part in parts:
        writer.add(part)
    return writer.save()


def render_revised_docx(model: dict[str, Any], *, frozen: bool, sha256: str | None, frozen_at: str | None) -> bytes:
    """The revised draft alone, each applied change a real tracked change and each open point a comment."""
    draft = model["revised_draft"]
    name = REVISED_TITLE if draft is None else f"{REVISED_TITLE} – {_text(draft['title'])}"
    writer = _Writer(model, frozen=frozen, sha256=sha256, frozen_at=frozen_at, title=name)
    out = _opening(frozen)
    if draft is None:
        out += _p(_run(REVISED_TITLE, _BOLD), align="center") + _p(_run("Không có dự thảo."))
    else:
        source = (f"{REVISED_TITLE}: {_text(draft['title'])} (phiên bản {draft['revision']}), "
                  f"tiếp thu ý kiến tại {_text(model['conference']['title'])}.")
        intro = (
            f"Tiếp thu {draft['applied']} đề xuất sửa đổi; {draft['flagged']} ý kiến cần cơ quan soạn thảo chỉnh lý. "
            "Sửa đổi được ghi bằng chế độ theo dõi thay đổi (Track Changes); ý kiến cần chỉnh lý ghi thành chú thích."
        )
        out += _p(_run(source, _ITALIC), align="center") + _p(_run(intro, _ITALIC))
        out += _draft_body(writer, draft, tracked=True, top=1)
    writer.add(out + _seal(model, frozen, sha256, frozen_at))
    return writer.save()
