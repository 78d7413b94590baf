"""The reads of consoles joining together, shared: one query for all their invitations, one replay per starting point.

A thousand consoles reconnecting after a restart ask the same questions: is my invitation still good, what
did my streams miss since seq N. A question asked while a read is under way waits for the next read, which
answers everything asked meanwhile; so every answer comes from a read that began after it was asked, as if
each console had read alone, and the database sees a few reads instead of two per console.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Invitation, utcnow
from server import events
from server.auth.operations import invitation_state
from server.auth.principal import Principal

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Gathered(Generic[K, V]):
    """Answers questions in rounds: those asked while a round runs go together into the next one."""

    def __init__(self, fetch: Callable[[dict[K, Any]], Awaitable[dict[K, V]]]) -> None:
        self._fetch = fetch
        self._asked: dict[K, tuple[Any, list[asyncio.Future[V]]]] = {}
        self._rounds: asyncio.Task[None] | None = None

    async def ask(self, key: K, context: Any = None) -> V:
        """The answer for `key`; `context` is what the fetch needs to find it (the first asker's is used)."""
        answer: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._asked.setdefault(key, (context, []))[1].append(answer)
        if self._rounds is None:
            self._rounds = asyncio.create_task(self._run())
        return await answer

    async def _run(self) -> None:
        try:
            while self._asked:
                asked, self._asked = self._asked, {}
                try:
                    found = await self._fetch({key: context for key, (context, _) in asked.items()})
                except Exception as error:
                    for _, waiting in asked.values():
                        for answer in waiting:
                            if not answer.done():
                                answer.set_exception(error)
                    continue
                for key, (_, waiting) in asked.items():
                    for answer in waiting:
                        if not answer.done():
                            answer.set_result(found[key])
        finally:
            self._rounds = None


ReplayKey = tuple[int, tuple[str, ...], int]


class JoinReads:
    """What a join reads, gathered across the consoles joining at the same time."""

    def __init__(self, reader: Callable[[], AsyncSession], replay_limit: int) -> None:
        self._reader = reader
        self._replay_limit = replay_limit
        self._states: Gathered[int, str] = Gathered(self._invitation_states)
        self._replays: Gathered[ReplayKey, events.Replay] = Gathered(self._replay)

    async def invitation_state(self, invitation_id: int) -> str:
        """As the database has it now (a missing row counts as revoked)."""
        return await self._states.ask(invitation_id)

    async def replay(self, principal: Principal, conference_id: int, after_seq: int) -> events.Replay:
        """What the principal's streams missed since `after_seq`: the same for every caller who sees those streams."""
        key = (conference_id, tuple(events.streams_of(principal)), after_seq)
        return await self._replays.ask(key, principal)

    async def _invitation_states(self, asked: dict[int, Any]) -> dict[int, str]:
        async with self._reader() as session:
            found = await session.scalars(select(Invitation).where(Invitation.id.in_(list(asked))))
            now = utcnow()
            states = {invitation.id: invitation_state(invitation, now) for invitation in found}
        return {invitation_id: states.get(invitation_id, "revoked") for invitation_id in asked}

    async def _replay(self, asked: dict[ReplayKey, Any]) -> dict[ReplayKey, events.Replay]:
        async with self._reader() as session:
            return {
                key: await events.replay(session, principal, key[0], key[2], self._replay_limit) for key, principal in asked.items()
            }
