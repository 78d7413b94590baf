"""The folded text that inbox search matches remarks and comments against."""
from __future__ import annotations

from server.text import fold


def search_key(*parts: str | None) -> str:
    """Fold the given texts into one key; what it includes is up to the caller (body, author, point...)."""
    return fold(" ".join(part for part in parts if part))
