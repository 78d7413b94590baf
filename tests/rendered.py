"""Reads rendered documents back as what they say, never as where a renderer broke the lines.

Where a PDF breaks its lines and pages, and the order pdftotext gives the pieces of table cells that run onto the next
page, is layout; the words are the content. Tests compare `squeezed` text.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pytest


def poppler(tool: str, *args: str, stdin: bytes | None = None) -> str:
    """What one of poppler-utils' tools prints; a file name "-" reads the PDF from `stdin`."""
    if shutil.which(tool) is None:
        pytest.fail(f"The PDF tests need {tool} from Debian's poppler-utils (scripts/test installs it)")
    return subprocess.run([tool, *args], input=stdin, check=True, capture_output=True).stdout.decode()


def pdf_text(pdf: Path | bytes) -> str:
    """The PDF's text in the order it was drawn: a table cell's lines stay together wherever the cell wraps."""
    if isinstance(pdf, bytes):
        return poppler("pdftotext", "-raw", "-enc", "UTF-8", "-", "-", stdin=pdf)
    return poppler("pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-")


def pdf_body_text(pdf: bytes) -> str:
    """pdf_text without the page numbers at the head of every page after the first, so a paragraph that runs on
    to the next page reads on."""
    pages = pdf_text(pdf).split("\f")
    return "\n".join([pages[0], *(page.split("\n", 1)[-1] if page.split("\n", 1)[0].isdigit() else page
                                   for page in pages[1:])])


def squeezed(text: str) -> str:
    """The text in NFC with every space and line break removed: what is written, wherever the lines break."""
    return "".join(unicodedata.normalize("NFC", text).split())


def tracked_changes(raw: bytes) -> tuple[str, str]:
    """The text a Word file marks as inserted (w:ins) and as deleted (w:del), each run after run."""
    body = docx.Document(io.BytesIO(raw)).element.body
    namespace = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    inserted = "".join(t.text for t in body.iterfind(".//w:ins//w:t", namespace))
    deleted = "".join(t.text for t in body.iterfind(".//w:del//w:delText", namespace))
    return inserted, deleted
