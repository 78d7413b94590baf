"""Where a page may send the browser next: a path on this site, never another origin."""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so "/\t/evil.example/" and
# "/\\evil.example/" both lead off the site; no path of ours holds a control character, a space or a backslash.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def local_target(raw: str | None, default: str = "/") -> str:
    """`raw` when it is a path on this origin (with its query), else `default`."""
    if not raw or _UNSAFE.search(raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
