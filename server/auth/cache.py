"""A short-lived, in-process memory of resolved tokens, so a request need not read who is calling."""
from __future__ import annotations

import time

from aiohttp import web

from server.auth.operations import resolve
from server.auth.principal import Principal
from server.auth.tokens import token_hash
from server.keys import db_key

TTL_SECONDS = 10.0
MAX_ENTRIES = 50_000


class PrincipalCache:
    """Token hash → principal for a few seconds; cleared whole when a session or invitation ends here."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, bool], tuple[float, Principal]] = {}

    def get(self, key: tuple[str, bool]) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple[str, bool], principal: Principal) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + TTL_SECONDS, principal)

    def clear(self) -> None:
        self._entries.clear()


principal_cache_key = web.AppKey("principal_cache", PrincipalCache)


async def who(app: web.Application, token: str, via_cookie: bool) -> Principal | None:
    """The caller behind a token; unknown tokens are not remembered, so they cannot fill the memory."""
    cache = app[principal_cache_key]
    key = (token_hash(token), via_cookie)
    principal = cache.get(key)
    if principal is None:
        async with app[db_key].read() as session:
            principal = await resolve(session, token, via_cookie=via_cookie)
        if principal is not None:
            cache.put(key, principal)
    return principal


def forget_all(app: web.Application) -> None:
    """After a logout or a revocation, nothing remembered may outlive it."""
    app[principal_cache_key].clear()
