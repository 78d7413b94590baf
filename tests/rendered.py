"""Reads rendered documents back as what they say, never as where a renderer broke the lines.

A PDF's line breaks, page breaks and the order pdftotext gives side-by-side table cells depend on the fonts and the
Chromium build of the machine that printed it; the words and their order do not. Tests compare `squeezed` text.
"""
from __future__ import annotations

import difflib
import io
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

_CONTEXT = 60


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


def squeezed(text: str) -> str:
    """The text in NFC with every space and line break removed: what is written, wherever the lines break."""
    return "".join(unicodedata.normalize("NFC", text).split())


class _BodyText(HTMLParser):
    """Collects a page's visible text, and the text of each table's header row, which print repeats on every page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headers: list[str] = []
        self._in_body = False
        self._in_thead = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._in_body = True
        elif tag == "thead":
            self._in_thead = True
            self.headers.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_thead = False

    def handle_data(self, data: str) -> None:
        if self._in_body:
            self.text.append(data)
            if self._in_thead:
                self.headers[-1] += data


def assert_pdf_says(pdf: Path, html: str) -> None:
    """The printed PDF holds exactly the HTML page's text in the same order, whatever the machine's fonts.

    A table longer than a page repeats its header row on every page, as many times as that machine's layout gives;
    header rows are taken out of both texts, and each must still be printed.
    """
    page = _BodyText()
    page.feed(html)
    expected, printed = squeezed("".join(page.text)), squeezed(pdf_text(pdf))
    for header in sorted({squeezed(h) for h in page.headers if h.strip()}, key=len, reverse=True):
        assert header in printed, f"the table header {header!r} is not printed"
        expected, printed = expected.replace(header, ""), printed.replace(header, "")
    if printed != expected:
        at = next((i for i, (a, b) in enumerate(zip(printed, expected)) if a != b), min(len(printed), len(expected)))
        window = slice(max(at - _CONTEXT, 0), at + _CONTEXT)
        diff = "\n".join(difflib.ndiff([expected[window]], [printed[window]]))
        pytest.fail(f"{pdf.name} does not say what the page says (spaces removed; - page, + PDF):\n{diff}")


def tracked_changes(raw: bytes) -> tuple[str, str]:
    """The text a Word file marks as inserted (w:ins) and as deleted (w:del), each run after run."""
    body = docx.Document(io.BytesIO(raw)).element.body
    namespace = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    inserted = "".join(t.text for t in body.iterfind(".//w:ins//w:t", namespace))
    deleted = "".join(t.text for t in body.iterfind(".//w:del//w:delText", namespace))
    return inserted, deleted
