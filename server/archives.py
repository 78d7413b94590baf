"""Uploaded ZIP archives (DOCX drafts, XLSX rosters, remark attachments) read through one bounded stream."""
from __future__ import annotations

import io
import zipfile
import zlib

# Read in pieces: zipfile inflates a whole member in one call when asked for all of it, and only then cuts the
# output to the size the member declares, so a member declaring 4 KiB over a 1 GiB stream costs 1 GiB first.
CHUNK = 64 * 1024
MAX_MEMBERS = 5_000


class ArchiveRefused(Exception):
    """The archive is damaged, or unpacks to more than allowed; the message says which."""

    def __init__(self, message: str, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def unpacked(raw: bytes, limit: int) -> bytes:
    """The archive rebuilt from what its members really hold, never more than `limit` bytes of them.

    Every member is inflated piece by piece and counted as it streams; the copy declares exactly what was read,
    so python-docx and openpyxl, which read whole members, can be handed it safely.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as source:
            members = [m for m in source.infolist() if not m.is_dir()]
            if len(members) > MAX_MEMBERS:
                raise ArchiveRefused(f"the archive holds more than {MAX_MEMBERS} files", too_large=True)
            if sum(m.file_size for m in members) > limit:
                raise ArchiveRefused(f"the archive unpacks to more than {limit} bytes", too_large=True)
            out, total = io.BytesIO(), 0
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
                for member in members:
                    entry = zipfile.ZipInfo(member.filename, member.date_time)
                    with source.open(member) as stream, copy.open(entry, "w") as target:
                        while chunk := stream.read(CHUNK):
                            total += len(chunk)
                            if total > limit:
                                raise ArchiveRefused(f"the archive unpacks to more than {limit} bytes", too_large=True)
                            target.write(chunk)
    # A damaged archive fails inside zipfile in many ways: a bad header or CRC, a truncated or corrupt stream,
    # a compression method it does not know.
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
        raise ArchiveRefused("the archive is damaged") from error
    return out.getvalue()


def names(raw: bytes) -> set[str]:
    """The names of the archive's files, read from its directory alone (nothing is inflated)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return {member.filename for member in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ArchiveRefused("the archive is damaged") from error
