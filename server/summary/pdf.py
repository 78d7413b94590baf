"""The summary as PDF: our own print page (summary.html with summary.css inlined) laid out by Debian's headless Chromium."""
from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import re
import shutil
import signal
import tempfile
from datetime import datetime
from pathlib import Path

import pikepdf

from server.errors import Unavailable
from server.settings import Settings

log = logging.getLogger(__name__)

# Skia stamps the print time, in the machine's zone, as the only two values that differ between runs; it writes a
# random document /ID and XMP UUIDs only for PDF/A, which Chromium does not ask for. A literal string inside the PDF
# escapes its parentheses, so user text in /Title cannot forge a match, and the information dictionary is the first
# object after the header, so its two dates are the first two matches.
_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+-]\d\d'\d\d'\)")
_STDERR_TAIL = 2000
PARALLEL = 2


class PdfUnavailable(Unavailable):
    """Chromium is missing, failed or took too long; the HTML summary still stands."""


def pdf_date(moment: datetime) -> bytes:
    """A zone-aware time as a PDF date, the same 23 bytes long as Skia's: D:20210907080500+07'00'."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a PDF date needs a zone-aware datetime")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{moment:D:%Y%m%d%H%M%S}{sign}{hours:02d}'{minutes:02d}'".encode()


def normalise(pdf: bytes, created: datetime) -> bytes:
    """Chromium's PDF with `created` as its creation and modification date, so equal pages give equal bytes.

    The substitution keeps every byte offset, so the cross-reference table stays valid.
    """
    stamp = pdf_date(created)
    return _DATES.sub(lambda m: b"/" + m[1] + b" (" + stamp + b")", pdf, count=2)


def _arguments(directory: Path) -> list[str]:
    flags = [
        "--headless",
        "--disable-gpu",
        # Shared memory in the temporary directory: a container's /dev/shm is often 64 MiB, too small for a long
        # document, and the desktop launcher that would notice is not used.
        "--disable-dev-shm-usage",
        "--no-pdf-header-footer",
        # Accessibility tags are three quarters of a long table's file, and Chromium writes no PDF past about 30 MB:
        # untagged, a national workshop's 600-page comment table prints in a tenth of the size and a third less time.
        "--disable-pdf-tagging",
        f"--user-data-dir={directory / 'profile'}",
        # The page is self-contained: nothing may be fetched, and no browser service may call home.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--no-proxy-server",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        f"--print-to-pdf={directory / 'summary.pdf'}",
    ]
    if os.geteuid() == 0:
        # Chromium's sandbox refuses to start as root; the page is our own, with every user value escaped.
        flags.insert(1, "--no-sandbox")
    return [*flags, (directory / "summary.html").as_uri()]


async def _run(chromium: str, arguments: list[str], timeout: float) -> tuple[int, bytes]:
    """Chromium's exit status and stderr; on timeout or cancellation its whole process group is killed."""
    try:
        process = await asyncio.create_subprocess_exec(
            chromium, *arguments, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )
    except OSError as error:
        log.warning("cannot start %s: %s", chromium, error)
        raise PdfUnavailable("The PDF cannot be made: Chromium is not installed on the server") from error
    try:
        async with asyncio.timeout(timeout):
            _, stderr = await process.communicate()
            status = await process.wait()
    except TimeoutError:
        log.warning("%s took longer than %s s to print the summary", chromium, timeout)
        raise PdfUnavailable("The PDF cannot be made: Chromium took too long") from None
    finally:
        if process.returncode is None:
            # The renderer and zygote children share the new session's group, and would outlive the browser alone.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
    return status, stderr


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


async def render_pdf(html: str, *, created: datetime, chromium: str = Settings.chromium, timeout: float = 120) -> bytes:
    """A complete, self-contained page printed to A4 PDF, byte-for-byte the same for the same `html` and `created`."""
    # File work runs in threads: removing Chromium's throwaway profile alone takes ~0.4 s, long enough to stall
    # every live console on this event loop.
    directory = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="diemcau-pdf-"))
    try:
        await asyncio.to_thread((directory / "summary.html").write_text, html, encoding="utf-8")
        status, stderr = await _run(chromium, _arguments(directory), timeout)
        pdf = await asyncio.to_thread(_read, directory / "summary.pdf")
    finally:
        await asyncio.to_thread(shutil.rmtree, directory, ignore_errors=True)
    if status != 0 or not pdf.startswith(b"%PDF-"):
        # Chromium can exit 0 without writing a file: 156 does so once the PDF would pass about 30 MB.
        log.warning("%s exited with %s without a PDF: %s", chromium, status,
                    stderr[-_STDERR_TAIL:].decode(errors="replace"))
        raise PdfUnavailable("The PDF cannot be made: Chromium failed", {"status": status})
    return normalise(pdf, created)


def _joined(parts: list[bytes], created: datetime) -> bytes:
    """One PDF of the parts' pages in order, dated `created`, with an /ID derived from its content."""
    joined = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(part)) for part in parts]
    for source in sources:
        joined.pages.extend(source.pages)
    info = sources[0].docinfo
    stamp = pdf_date(created).decode()
    joined.docinfo = joined.make_indirect(pikepdf.Dictionary({
        **{key: info[key] for key in ("/Title", "/Creator", "/Producer") if key in info},
        "/CreationDate": pikepdf.String(stamp),
        "/ModDate": pikepdf.String(stamp),
    }))
    out = io.BytesIO()
    # qpdf would stamp a random /ID; the deterministic one is a hash of the file, so equal pages give equal bytes.
    joined.save(out, deterministic_id=True, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    return out.getvalue()


async def print_pdf(pages: list[str], *, created: datetime, chromium: str = Settings.chromium, timeout: float = 120) -> bytes:
    """Print each page document and join them in order: a long summary prints in parts of bounded size.

    Two Chromium processes at a time: one per core, and each part's memory stays bounded.
    """
    limit = asyncio.Semaphore(PARALLEL)

    async def one(page: str) -> bytes:
        async with limit:
            return await render_pdf(page, created=created, chromium=chromium, timeout=timeout)

    parts = await asyncio.gather(*(one(page) for page in pages))
    if len(parts) == 1:
        return parts[0]
    return await asyncio.to_thread(_joined, list(parts), created)
