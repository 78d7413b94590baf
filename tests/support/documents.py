"""Documents the tests upload: drafts numbered the way Word numbers them, DOCX bytes, a minimal PDF."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx_bytes(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def level(ilvl: int, fmt: str, text: str, *, start: int = 1, restart: int | None = None, legal: bool = False,
          style: str | None = None, suffix: str | None = None) -> str:
    """A w:lvl as Word writes it, children in the schema's order."""
    parts = [f'<w:start w:val="{start}"/>', f'<w:numFmt w:val="{fmt}"/>']
    parts += [f'<w:lvlRestart w:val="{restart}"/>'] if restart is not None else []
    parts += [f'<w:pStyle w:val="{style}"/>'] if style else []
    parts += ["<w:isLgl/>"] if legal else []
    parts += [f'<w:suff w:val="{suffix}"/>'] if suffix else []
    parts += [f'<w:lvlText w:val="{text}"/>', '<w:lvlJc w:val="left"/>']
    return f'<w:lvl w:ilvl="{ilvl}">{"".join(parts)}</w:lvl>'


class WordDraft:
    """A DOCX built the way Word builds one: list definitions in numbering.xml, numPr on paragraphs and styles."""

    def __init__(self) -> None:
        self.document = docx.Document()
        self.numbering = self.document.part.numbering_part.element
        self.styles = self.document.styles.element

    def abstract(self, *levels: str) -> str:
        """A new abstract list; abstractNum elements go before every w:num, as the schema wants."""
        abstract_id = str(
            1 + max(int(a.get(qn("w:abstractNumId"))) for a in self.numbering.iterchildren(qn("w:abstractNum")))
        )
        element = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                            f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>')
        self.numbering.find(qn("w:num")).addprevious(element)
        return abstract_id

    def num(self, abstract_id: str, starts: dict[int, int] | None = None) -> str:
        """A w:num over an abstract list; starts are Word's "Restart at" overrides (lvlOverride/startOverride)."""
        num_id = str(1 + max(int(n.get(qn("w:numId"))) for n in self.numbering.iterchildren(qn("w:num"))))
        overrides = "".join(f'<w:lvlOverride w:ilvl="{k}"><w:startOverride w:val="{v}"/></w:lvlOverride>'
                            for k, v in (starts or {}).items())
        self.numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                                        f'<w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'))
        return num_id

    def style(self, style_id: str, based_on: str, num_id: str | None = None, ilvl: int | None = None) -> None:
        """A paragraph style, numbered when num_id is given (Word writes ilvl only for levels below the first)."""
        num_pr = ""
        if num_id is not None:
            lvl = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
            num_pr = f'<w:pPr><w:numPr>{lvl}<w:numId w:val="{num_id}"/></w:numPr></w:pPr>'
        self.styles.append(parse_xml(f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{style_id}">'
                                     f'<w:name w:val="{style_id}"/><w:basedOn w:val="{based_on}"/>{num_pr}</w:style>'))

    def link_style(self, style_id: str, num_id: str | None, ilvl: int | None = None) -> None:
        """Give an existing style (such as Heading 1) numPr, as Word does when a list level is linked to it."""
        p_pr = self.document.styles[style_id].element.get_or_add_pPr()
        lvl = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
        p_pr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}>{lvl}<w:numId w:val="{num_id}"/></w:numPr>'))

    def add(self, text: str, num_id: str | None = None, ilvl: int | None = None, style: str | None = None) -> Paragraph:
        paragraph = self.document.add_paragraph(text, style=style)
        if num_id is not None:
            lvl = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
            paragraph._p.get_or_add_pPr().append(
                parse_xml(f'<w:numPr {nsdecls("w")}>{lvl}<w:numId w:val="{num_id}"/></w:numPr>')
            )
        return paragraph

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def multilevel_draft() -> bytes:
    """Điều/khoản/điểm from one three-level list; the Điều level is linked to a style based on Heading 1."""
    draft = WordDraft()
    abstract = draft.abstract(level(0, "decimal", "Điều %1.", style="Dieu", suffix="space"),
                              level(1, "decimal", "%2."), level(2, "lowerLetter", "%3)"))
    num = draft.num(abstract)
    draft.link_style("Heading 1", num)
    draft.style("Dieu", "Heading1")
    draft.add("QUY CHẾ PHỐI HỢP")
    draft.add("Phạm vi điều chỉnh", style="Dieu")
    draft.add("Quy chế này quy định việc phối hợp.")
    draft.add("Đối tượng áp dụng", style="Dieu")
    draft.add("Các cơ quan Trung ương.", num, 1)
    draft.add("Các địa phương:", num, 1)
    draft.add("Tỉnh ủy;", num, 2)
    draft.add("Thành ủy.", num, 2)
    draft.add("Hiệu lực thi hành", style="Dieu")
    draft.add("Quy chế có hiệu lực kể từ ngày ký.", num, 1)
    draft.add("Văn phòng chủ trì theo dõi.", num, 1)
    return draft.bytes()
