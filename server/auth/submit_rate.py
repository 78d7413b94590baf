"""The per-caller limit on creating remarks, comments and speaking requests."""
from __future__ import annotations

from aiohttp import web

from server.auth.principal import Principal
from server.auth.window import SlidingWindow
from server.errors import RateLimited


class SubmitRate:
    """Refuses a caller's submission once it made `limit` of them within the window; a refused one is not counted."""

    def __init__(self, limit: int, seconds: int) -> None:
        self._window = SlidingWindow(limit, seconds)

    def check(self, principal: Principal) -> None:
        """Count one submission of this caller (per invitation or staff user, whichever token or session it uses)."""
        retry = self._window.take(principal.actor)
        if retry is not None:
            raise RateLimited("Too many submissions in a short time; try again shortly", {"retry_after": retry})


submit_rate_key = web.AppKey("submit_rate", SubmitRate)
