"""Files attached to remarks: PDF or DOCX, recognised by their content, stored once under their sha256."""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from server import archives
from server.errors import Invalid

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: "pdf", DOCX: "docx"}
MAX_NAME = 200
# A DOCX's parts together; Word's own files are a few MiB unpacked even with images.
MAX_UNPACKED = 128 * 1024 * 1024
INCOMING = ".incoming-"
ORPHAN_AGE = 3600
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Attachment:
    sha256: str
    name: str
    type: str
    size: int


def sniff(data: bytes) -> str:
    """The MIME type by content: a PDF starts with %PDF-; a DOCX is a sound zip holding word/document.xml."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK"):
        try:
            # Read through in full, bounded: a file that only a zip bomb's reader would open is not kept.
            if "word/document.xml" in archives.names(archives.unpacked(data, MAX_UNPACKED)):
                return DOCX
        except archives.ArchiveRefused:
            pass
    raise Invalid("Attach a PDF or DOCX file", {"file": "not a PDF or DOCX"})


def clean_filename(raw: str, mime: str) -> str:
    """The sender's file name without folders or control characters, NFC, with the extension its content has."""
    base = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("", base).strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:MAX_NAME].strip() or "attachment"
    return f"{stem}.{EXTENSIONS[mime]}"


def directory(data_dir: Path) -> Path:
    return data_dir / "attachments"


def path_of(data_dir: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256")
    return directory(data_dir) / sha256


def prepare(data: bytes, filename: str) -> Attachment:
    """What a file would be stored as, checked by content; nothing is written."""
    mime = sniff(data)
    return Attachment(hashlib.sha256(data).hexdigest(), clean_filename(filename, mime), mime, len(data))


def _place(data_dir: Path, sha256: str, data: bytes) -> None:
    target = path_of(data_dir, sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=INCOMING)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class Uploads:
    """Files of remarks being written: in place before the remark commits, removed if it does not.

    Files are kept once under their digest, so two remarks may share one; a failed write removes the file only
    when no other write in flight holds it and no stored remark refers to it, decided under one lock.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._lock = asyncio.Lock()
        self._holds: Counter[str] = Counter()

    @asynccontextmanager
    async def holding(
        self, attachment: Attachment, data: bytes, in_use: Callable[[str], Awaitable[bool]]
    ) -> AsyncIterator[None]:
        """The file stored for the body of the `with`; gone again if the body raises and nothing else uses it."""
        sha256 = attachment.sha256
        async with self._lock:
            self._holds[sha256] += 1
            try:
                await asyncio.to_thread(_place, self.data_dir, sha256, data)
            except BaseException:
                self._release(sha256)
                raise
        committed = False
        try:
            yield
            committed = True
        finally:
            async with self._lock:
                if self._release(sha256) and not committed and not await in_use(sha256):
                    await asyncio.to_thread(path_of(self.data_dir, sha256).unlink, True)

    def _release(self, sha256: str) -> bool:
        """Drop one hold on the file; True when no write in flight holds it any more."""
        self._holds[sha256] -= 1
        if self._holds[sha256] > 0:
            return False
        del self._holds[sha256]
        return True


def sweep(data_dir: Path, referenced: set[str], older_than: float = ORPHAN_AGE) -> list[str]:
    """Remove files no remark refers to (left by a crash between storing and committing); returns their names.

    Only files older than `older_than` seconds: another process may be about to commit a fresh one.
    """
    folder = directory(data_dir)
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than
    removed = []
    for path in folder.iterdir():
        if path.name in referenced or not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


uploads_key = web.AppKey("uploads", Uploads)
