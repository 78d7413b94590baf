"""Attendance sheets typeset in a child process a batch of points at a time, so that printing them costs the server
no memory it keeps.

Typst memoizes all it lays out in a cache of its process that the Python binding never empties: about 60 MiB a
thousand rows, kept after the PDF is made. A child process gives it all back when it exits, and a batch of at most
BATCH_ROWS rows bounds what one child holds (near 200 MiB), so a national workshop's every point fits too.

    python -m server.summary.sheet_printing < {"data": …, "created": iso}   # the child: the PDF on stdout
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pikepdf

from server.typeset import typeset, typeset_apart

BATCH_ROWS = 3000
# A batch takes a few seconds on a busy machine; a child that takes minutes is stuck, and is stopped.
BATCH_SECONDS = 120
TEMPLATE = "attendance-sheet"


def _batches(sheets: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive points, in order, each batch under BATCH_ROWS rows (a longer point is a batch of its own)."""
    batches: list[list[dict[str, Any]]] = [[]]
    rows = 0
    for sheet in sheets:
        size = len(sheet["rows"]) + sheet["blank"]
        if batches[-1] and rows + size > BATCH_ROWS:
            batches.append([])
            rows = 0
        batches[-1].append(sheet)
        rows += size
    return batches


def _bookmarks(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    """Each point's bookmark (its heading in the template): its title and the index of its page."""
    with pdf.open_outline() as outline:
        return [(str(item.title), _page_index(pdf, item.destination)) for item in outline.root]


def _page_index(pdf: pikepdf.Pdf, destination: object) -> int:
    # Typst gives every heading an explicit destination: an array whose first item is the page.
    assert isinstance(destination, pikepdf.Array)
    return pdf.pages.index(pikepdf.Page(destination[0]))


def _joined(parts: Sequence[bytes]) -> bytes:
    """The batches' pages in one file, with every point's bookmark; it claims no tags: each batch's tags describe
    only its own pages."""
    with contextlib.ExitStack() as stack:
        whole = stack.enter_context(pikepdf.open(io.BytesIO(parts[0])))
        marks = _bookmarks(whole)
        for part in parts[1:]:
            # The pages are copied when the whole is saved: each part stays open until then.
            pdf = stack.enter_context(pikepdf.open(io.BytesIO(part)))
            marks += [(title, len(whole.pages) + page) for title, page in _bookmarks(pdf)]
            whole.pages.extend(pdf.pages)
        for key in ("/StructTreeRoot", "/MarkInfo", "/Metadata"):
            if key in whole.Root:
                del whole.Root[key]
        with whole.open_outline() as outline:
            outline.root[:] = [pikepdf.OutlineItem(title, page) for title, page in marks]
        out = io.BytesIO()
        whole.save(out, deterministic_id=True)
        return out.getvalue()


async def sheets_pdf(data: dict[str, Any], created: datetime) -> bytes:
    """The sheets of `data` (server/summary/sheets.py) as one PDF, tagged (PDF/UA-1) when one batch holds them."""
    parts = [
        await typeset_apart(__name__, {"data": {**data, "sheets": batch}, "created": created.isoformat()},
                            timeout=BATCH_SECONDS, what="The attendance sheets")
        for batch in _batches(data["sheets"])
    ]
    return parts[0] if len(parts) == 1 else await asyncio.to_thread(_joined, parts)


def main() -> None:
    request = json.load(sys.stdin)
    sys.stdout.buffer.write(typeset(TEMPLATE, request["data"], created=datetime.fromisoformat(request["created"])))


if __name__ == "__main__":
    main()
