"""Find a TrueType font that has every Vietnamese letter, to embed in PDFs."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from server.errors import DomainError

# Debian's fonts-noto-core and fonts-dejavu-core; DejaVu is the smaller package, so scripts/install adds that one.
KNOWN = (
    (
        Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
)
# Every base letter with every tone mark, upper and lower case: what Vietnamese names can hold.
VIETNAMESE = (
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
)


class FontMissing(DomainError):
    """The server has no font that can write Vietnamese into a PDF."""

    status = 503
    code = "font_missing"


@dataclass(frozen=True)
class FontPair:
    """A regular and a bold face of one family."""

    regular: Path
    bold: Path


def _covers_vietnamese(path: Path) -> bool:
    # fontTools is imported when a PDF first needs a font, not by every start of the server.
    from fontTools.ttLib import TTFont, TTLibError

    try:
        cmap = TTFont(path, lazy=True).getBestCmap() or {}
    except (OSError, TTLibError):  # an unreadable font file is just not a candidate
        return False
    return all(ord(c) in cmap for c in VIETNAMESE)


def _fc_match(pattern: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(["fc-match", "--format=%{file}", pattern], capture_output=True, text=True, check=False)
    return Path(found.stdout) if found.returncode == 0 and found.stdout.endswith(".ttf") else None


@cache
def vietnamese_font() -> FontPair:
    """Noto Sans or DejaVu Sans where Debian puts them, else whatever sans font fontconfig has for Vietnamese."""
    for regular, bold in KNOWN:
        if regular.is_file() and _covers_vietnamese(regular):
            return FontPair(regular, bold if bold.is_file() and _covers_vietnamese(bold) else regular)
    regular_match = _fc_match("sans-serif:lang=vi")
    if regular_match is not None and _covers_vietnamese(regular_match):
        bold_match = _fc_match("sans-serif:lang=vi:weight=bold")
        return FontPair(regular_match, bold_match if bold_match and _covers_vietnamese(bold_match) else regular_match)
    raise FontMissing(
        "No TrueType font with Vietnamese letters was found; install Debian's fonts-dejavu-core "
        "(apt-get install fonts-dejavu-core) and try again",
        {"package": "fonts-dejavu-core"},
    )
