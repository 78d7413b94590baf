"""A conference's summary as downloadable files: the frozen record after close, a marked preview before."""
from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from server.conferences.operations import get_conference
from server.errors import Invalid
from server.settings import Settings
from server.summary.compile import compile_summary
from server.summary.pdf import print_pdf
from server.summary.render import (
    render_html,
    render_json,
    render_markdown,
    sealed_markdown,
)

# python-docx and pyHanko are imported where a Word file is made or a PDF signed, not at the top: with the other
# document libraries they were a third of the time every server start and CLI command spent importing.
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("md", "html", "json", "docx", "pdf", "pdfa")


@dataclass(frozen=True)
class Export:
    """One file: its bytes, media type and the name it is saved under."""

    body: bytes
    content_type: str
    filename: str


@dataclass(frozen=True)
class SummaryRecord:
    """The summary as it stands, with the seal (checksum, close time) every format prints."""

    conference_id: int
    model: dict[str, Any]
    frozen: bool
    markdown: str | None
    sha256: str | None
    frozen_at: str | None
    # Documents carry the close time as their date; a preview carries the workshop's start, so it too is stable.
    dated: datetime

    @property
    def seal(self) -> dict[str, Any]:
        """What every renderer is told about the record's state: frozen or a preview, its checksum, its close time."""
        return {"frozen": self.frozen, "sha256": self.sha256, "frozen_at": self.frozen_at}

    def stem(self, name: str) -> str:
        return f"{name}-{self.conference_id}" + ("" if self.frozen else "-du-thao")


async def summary_record(session: AsyncSession, conference_id: int) -> SummaryRecord:
    conference = await get_conference(session, conference_id)
    zone = ZoneInfo(conference.timezone)
    if conference.summary_json is not None and conference.closed_at is not None:
        closed = conference.closed_at.astimezone(zone)
        return SummaryRecord(
            conference_id, conference.summary_json, True, conference.summary_md, conference.summary_sha256,
            closed.isoformat(), closed,
        )
    model = await compile_summary(session, conference_id)
    return SummaryRecord(conference_id, model, False, None, None, None, conference.starts_at.astimezone(zone))


async def export_summary(record: SummaryRecord, fmt: str, settings: Settings) -> Export:
    """The summary in one of FORMATS; the same record always gives the same bytes."""
    seal = record.seal
    name = record.stem("bien-ban-tong-hop")
    if fmt == "md":
        if record.markdown is not None and record.sha256 is not None:
            text = sealed_markdown(record.markdown, record.sha256)
        else:
            text = render_markdown(record.model, frozen=False)
        return Export(text.encode(), "text/markdown; charset=utf-8", f"{name}.md")
    if fmt == "html":
        return Export(render_html(record.model, **seal).encode(), "text/html; charset=utf-8", f"{name}.html")
    if fmt == "docx":
        from server.summary.word import render_docx

        return Export(render_docx(record.model, **seal), DOCX, f"{name}.docx")
    if fmt == "pdf":
        return Export(await _pdf(record, settings), "application/pdf", f"{name}.pdf")
    if fmt == "pdfa":
        return Export(await _pdf(record, settings, archival=True), "application/pdf", f"{name}-pdfa.pdf")
    if fmt == "json":
        body = json_bytes(render_json(record.model, frozen_at=record.frozen_at, sha256=record.sha256))
        return Export(body, "application/json; charset=utf-8", f"{name}.json")
    raise Invalid("Unknown summary format", {"format": fmt, "formats": list(FORMATS)})


async def _pdf(record: SummaryRecord, settings: Settings, archival: bool = False) -> bytes:
    """The PDF (`archival`: the PDF/A-2b copy, never signed); a frozen summary's is made once, signed when a
    certificate is configured, and kept beside the database named by its checksum, so every download gives the same
    bytes."""
    # The certificate that signs this copy, if any: only a frozen record's copy that is not the archival one.
    p12 = settings.signing_p12 if record.frozen and not archival else None
    # Named by how it was made too: a copy kept before the record was typeset by Typst is not served again.
    variant = ("-pdfa" if archival else "") + ("-signed" if p12 is not None else "")
    kept = settings.data_dir / "summaries" / f"{record.sha256}{variant}.typst.pdf" if record.frozen else None
    if kept is not None and kept.exists():
        return await asyncio.to_thread(kept.read_bytes)
    pdf = await made_pdf(record, archival)
    if p12 is not None:
        from server.summary.signing import sign_pdf

        when = datetime.now(record.dated.tzinfo)
        pdf = await asyncio.to_thread(sign_pdf, pdf, p12, settings.signing_password, when=when)
    if kept is not None:
        pdf = await asyncio.to_thread(_keep, kept, pdf)
    return pdf


async def made_pdf(record: SummaryRecord, archival: bool = False) -> bytes:
    """The PDF as made from the record, before any signature: `diemcau verify` makes it again to compare."""
    return await print_pdf(record.model, **record.seal, dated=record.dated, archival=archival)


def _keep(path: Path, body: bytes) -> bytes:
    """The file kept under `path`: `body`, or the one another request kept first (a signature made at another moment
    differs), so that every download gives the same bytes."""
    # Written aside and linked into place, which fails rather than replace: a reader never sees half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    partial.write_bytes(body)
    try:
        os.link(partial, path)
    except FileExistsError:
        body = path.read_bytes()
    finally:
        partial.unlink()
    return body


def export_revised_draft(record: SummaryRecord) -> Export:
    """The draft after the accepted wording, with tracked changes, for the drafting team."""
    if record.model["revised_draft"] is None:
        raise Invalid("The conference has no draft", {"draft": "missing"})
    from server.summary.word import render_revised_docx

    body = render_revised_docx(record.model, **record.seal)
    return Export(body, DOCX, f"{record.stem('du-thao-sau-tiep-thu')}.docx")


def json_bytes(value: Any) -> bytes:
    """Stable JSON: keys in the model's own order, Vietnamese letters as they are.

    Compact: indenting sends Python's encoder down its slow path, four times slower on a national summary.
    """
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
