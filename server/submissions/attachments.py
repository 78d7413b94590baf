"""Files attached to remarks: PDF or DOCX, recognised by their content, stored once under their sha256."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from server.errors import Invalid

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: "pdf", DOCX: "docx"}
MAX_NAME = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Attachment:
    sha256: str
    name: str
    type: str
    size: int


def sniff(data: bytes) -> str:
    """The MIME type by content: a PDF starts with %PDF-; a DOCX is a zip holding word/document.xml."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except (zipfile.BadZipFile, ValueError, OSError):
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


def store(data_dir: Path, data: bytes, filename: str) -> Attachment:
    """Check the type and keep the bytes under their hash (once: the same file sent twice is stored once)."""
    mime = sniff(data)
    sha256 = hashlib.sha256(data).hexdigest()
    target = path_of(data_dir, sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return Attachment(sha256, clean_filename(filename, mime), mime, len(data))
