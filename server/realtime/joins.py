"""The reads of consoles joining together, shared (server/gathered.py): their invitations in one query, one replay
per starting point. The invitation is still checked before the rooms are entered, the replay read after.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Invitation, utcnow
from server import events
from server.auth.invitations import invitation_state
from server.auth.principal import Principal
from server.auth.visibility import streams_of
from server.gathered import Gathered

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
        return await self._replays.ask((conference_id, tuple(streams_of(principal)), after_seq))

    async def _invitation_states(self, asked: dict[int, Any]) -> dict[int, str]:
        async with self._reader() as session:
            found = await session.scalars(select(Invitation).where(Invitation.id.in_(list(asked))))
            now = utcnow()
            states = {invitation.id: invitation_state(invitation, now) for invitation in found}
        return {invitation_id: states.get(invitation_id, "revoked") for invitation_id in asked}

    async def _replay(self, asked: dict[ReplayKey, Any]) -> dict[ReplayKey, events.Replay]:
        async with self._reader() as session:
            return {key: await events.replay(session, key[0], key[1], key[2], self._replay_limit) for key in asked}
