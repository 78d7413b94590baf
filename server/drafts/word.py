"""Read the text of a Word (DOCX) draft: the body's paragraphs in document order, tables included, numbers shown."""
from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from lxml.etree import _Element

from server import archives
from server.drafts import numbering
from server.errors import Invalid, TooLarge

ZIP_MAGIC = b"PK\x03\x04"
DOCUMENT_PART = "word/document.xml"
# A zip may inflate a thousandfold: what a draft's parts hold together, read through server.archives.
MAX_EXPANDED = 128 * 1024 * 1024
UNREADABLE = {"file": "unreadable DOCX"}

_PARAGRAPH = qn("w:p")
# Tables, rows, cells and content controls hold paragraphs; their order in the XML is the reading order.
_CONTAINERS = frozenset(qn(f"w:{tag}") for tag in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml"))
# With tracked changes, inserted text reads as accepted and deleted or moved-away text is left out;
# a text box is a drawing anchored in the paragraph, not part of its running text.
_RUNS = ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]"


def is_docx(raw: bytes) -> bool:
    """True for a ZIP archive, which is how a DOCX starts; whether it holds a Word document is checked on reading."""
    return raw.startswith(ZIP_MAGIC)


def _unpacked(raw: bytes) -> bytes:
    """The DOCX rebuilt through the bounded archive reader, so python-docx never inflates more than it holds."""
    try:
        package = archives.unpacked(raw, MAX_EXPANDED)
    except archives.ArchiveRefused as refused:
        if refused.too_large:
            raise TooLarge(f"The DOCX expands to more than {MAX_EXPANDED} bytes", {"limit": MAX_EXPANDED}) from None
        raise Invalid("The file is an unreadable DOCX: the archive is damaged", UNREADABLE) from None
    if DOCUMENT_PART not in archives.names(package):
        raise Invalid("The file is an unreadable DOCX: it holds no Word document", UNREADABLE)
    return package


def _paragraphs(parent: _Element) -> Iterator[_Element]:
    for child in parent.iterchildren():
        if child.tag == _PARAGRAPH:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _paragraphs(child)


def _text(paragraph: _Element) -> str:
    # python-docx parses w:p as its CT_P, whose xpath knows the "w:" prefix and whose runs' text is always a string.
    assert isinstance(paragraph, CT_P)
    runs: list[CT_R] = paragraph.xpath(_RUNS)
    return "".join(run.text for run in runs)


def _part_root(document: Document, relationship: str) -> _Element | None:
    """The XML root of a part the document refers to, or None when it has none (python-docx would invent one)."""
    try:
        part = document.part.part_related_by(relationship)
    except KeyError:
        return None
    return getattr(part, "element", None)


def paragraphs(raw: bytes) -> list[str]:
    """Each body paragraph that shows anything: the label Word's numbering shows ("Điều 1. ", "2. ", "a) ") and
    its runs joined as written; Invalid when it is not a readable DOCX."""
    package = _unpacked(raw)
    try:
        document = docx.Document(io.BytesIO(package))
        elements = list(_paragraphs(document.element.body))
        labels = numbering.labels(elements, _part_root(document, RELATIONSHIP_TYPE.NUMBERING),
                                  _part_root(document, RELATIONSHIP_TYPE.STYLES))
        # A list paragraph with no text still shows its number: "Chương I" alone, its title on the next line.
        texts = map(_text, elements)
        shown = [label + text if text else label.rstrip() for label, text in zip(labels, texts, strict=True)]
        found = [text for text in shown if text.strip()]
    # python-docx reports a broken package through whatever failed inside it: KeyError for a missing part,
    # ValueError for a wrong content type, lxml's XMLSyntaxError for damaged XML, and its own errors.
    except Exception:  # noqa: BLE001
        raise Invalid("The file is an unreadable DOCX", UNREADABLE) from None
    return found


def read_text(raw: bytes) -> str:
    """The document as the draft parser reads it: one paragraph per line, with a blank line between them."""
    return "\n\n".join(paragraphs(raw))
