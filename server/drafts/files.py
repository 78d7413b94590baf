"""Tell an uploaded draft file by its bytes: DOCX, or else Markdown or plain text in UTF-8."""
from __future__ import annotations

from server.errors import Invalid

MARKDOWN_SUFFIXES = (".md", ".markdown")
# Word 97-2003 files are OLE compound documents; saying so helps more than "binary file".
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_draft_file(raw: bytes, filename: str) -> tuple[str, str]:
    """The format ("docx", "markdown" or "text") and the text of an upload; Invalid when it is neither DOCX nor text."""
    # python-docx is imported by the first draft file, not by every start of the server.
    from server.drafts import word

    name = filename.lower()
    if word.is_docx(raw) or name.endswith(".docx"):
        return "docx", word.read_text(raw)
    if raw.startswith(OLE_MAGIC):
        raise Invalid("The file is an old Word (.doc) document; save it as .docx", {"file": "binary file"})
    # UTF-8 text never holds a NUL byte, while nearly every binary format does.
    if b"\x00" in raw:
        raise Invalid("The file is binary, not text: upload Markdown, plain text or DOCX", {"file": "binary file"})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("The draft is not UTF-8 text", {"file": "not UTF-8 text"}) from None
    return ("markdown" if name.endswith(MARKDOWN_SUFFIXES) else "text"), text
