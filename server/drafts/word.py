"""Read the text of a Word (DOCX) draft: the body's paragraphs in document order, tables included."""
from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn
from lxml.etree import _Element

from server import archives
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


def _paragraphs(parent: _Element) -> Iterator[str]:
    for child in parent.iterchildren():
        if child.tag == _PARAGRAPH:
            yield "".join(run.text for run in child.xpath(_RUNS))
        elif child.tag in _CONTAINERS:
            yield from _paragraphs(child)


def paragraphs(raw: bytes) -> list[str]:
    """The text of each non-blank body paragraph, runs joined as written; Invalid when it is not a readable DOCX."""
    package = _unpacked(raw)
    try:
        body = docx.Document(io.BytesIO(package)).element.body
        texts = [text for text in _paragraphs(body) if text.strip()]
    # python-docx reports a broken package through whatever failed inside it: KeyError for a missing part,
    # ValueError for a wrong content type, lxml's XMLSyntaxError for damaged XML, and its own errors.
    except Exception:  # noqa: BLE001
        raise Invalid("The file is an unreadable DOCX", UNREADABLE) from None
    return texts


def read_text(raw: bytes) -> str:
    """The document as the draft parser reads it: one paragraph per line, with a blank line between them."""
    return "\n\n".join(paragraphs(raw))
