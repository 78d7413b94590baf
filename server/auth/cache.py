"""A short-lived, in-process memory of resolved tokens, so a request need not read who is calling."""
from __future__ import annotations

import time

from aiohttp import web

from schema.tables import utcnow
from server.auth.operations import Asked, resolve_many
from server.auth.principal import Principal
from server.auth.tokens import token_hash
from server.gathered import Gathered
from server.keys import db_key

TTL_SECONDS = 10.0
MAX_ENTRIES = 50_000


class PrincipalCache:
    """Token hash → principal for a few seconds; cleared whole when a session or invitation ends here."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, bool], tuple[float, Principal]] = {}
        # Bumped by every clear: a lookup that read the database before a revocation committed must not
        # put its stale answer back after the clear.
        self.generation = 0

    def get(self, key: tuple[str, bool]) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple[str, bool], principal: Principal, generation: int | None = None) -> None:
        if generation is not None and generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + TTL_SECONDS, principal)

    def clear(self) -> None:
        self._entries.clear()
        self.generation += 1

    def forget_session(self, session_id: int) -> None:
        for key in [k for k, (_, p) in self._entries.items() if p.session_id == session_id]:
            del self._entries[key]
        # As after a clear: a lookup already under way must not put the ended session back.
        self.generation += 1


principal_cache_key = web.AppKey("principal_cache", PrincipalCache)


async def who(app: web.Application, token: str, via_cookie: bool) -> Principal | None:
    """The caller behind a token; unknown tokens are not remembered, so they cannot fill the memory."""
    cache = app[principal_cache_key]
    key = (token_hash(token), via_cookie)
    principal = cache.get(key)
    # A session that ends while it is remembered ends then, not up to TTL_SECONDS later.
    if principal is not None and principal.expires_at is not None and principal.expires_at <= utcnow():
        return None
    # So does an invitation that expires while it is remembered.
    if (
        principal is not None
        and principal.invitation_expires_at is not None
        and principal.invitation_expires_at <= utcnow()
    ):
        return None
    if principal is None:
        generation = cache.generation
        principal = await app[lookups_key].ask((token, via_cookie))
        if principal is not None:
            cache.put(key, principal, generation)
    return principal


Lookups = Gathered[Asked, Principal | None]
lookups_key = web.AppKey("token_lookups", Lookups)


def token_lookups(app: web.Application) -> Lookups:
    """Tokens not remembered, looked up together: five hundred delegates' first requests make a few reads."""

    async def fetch(asked: dict[Asked, object]) -> dict[Asked, Principal | None]:
        async with app[db_key].read() as session:
            return await resolve_many(session, list(asked))

    return Gathered(fetch)


def remember(app: web.Application, token: str, principal: Principal) -> None:
    """Replace what is remembered for a token, as after its session was renewed."""
    app[principal_cache_key].put((token_hash(token), principal.via_cookie), principal)


def forget_session(app: web.Application, session_id: int) -> None:
    """After a logout: this process stops accepting the session's token (bearer or cookie) at once."""
    app[principal_cache_key].forget_session(session_id)


def forget_all(app: web.Application) -> None:
    """After a logout or a revocation, nothing remembered may outlive it."""
    app[principal_cache_key].clear()
