"""A projected section stays true: when a comment that changes what it shows is committed, the screens read it again.

The display may not see comment events (they are staff's and their author's), so it cannot know that the proposal
it marks was just ruled on. After such a commit this announces display.changed once more, with the same state, and
every display fetches the section again. It listens to the publisher, as the coalesced attendance totals do, and
writes only when the screen shows a section the change touches: a cheap read first, the write queue only then.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import asdict
from functools import partial
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Conference, Event
from server import events
from server.display.operations import Display, display_of
from server.errors import Unavailable
from server.keys import db_key, publisher_key
from server.writes import perform

# What the diff view marks: proposals that come in, are ruled, merged, unmerged, approved or rejected.
MARKED = frozenset({"comment.submitted", "comment.disposed", "comment.merged", "comment.unmerged", "comment.moderated"})
# What the revised view applies: adoptions. Any of them may renumber the shown section, wherever it is.
ADOPTING = frozenset({"comment.disposed", "comment.merged", "comment.unmerged"})
log = logging.getLogger(__name__)


def touches(shown: Display, anchors: Iterable[str | None], types: Iterable[str]) -> bool:
    """Whether changes of comments on `anchors` (events of `types`) change what the screen shows."""
    if shown.mode != "section" or shown.anchor is None:
        return False
    if shown.view == "revised":
        return not ADOPTING.isdisjoint(types)
    inside = f"{shown.anchor}."
    return shown.view == "diff" and any(a is not None and (a == shown.anchor or a.startswith(inside)) for a in anchors)


async def announce_again(session: AsyncSession, conference_id: int, anchors: frozenset[str | None],
                         types: frozenset[str]) -> dict[str, Any]:
    """Tell the screens to read the section again, if it is still one these changes touch."""
    conference = await session.get(Conference, conference_id)
    if conference is None or conference.status == "closed" or not touches(display_of(conference), anchors, types):
        return {"announced": False}
    await events.append(session, conference_id, payloads.display_changed(asdict(display_of(conference))), events.PUBLIC)
    return {"announced": True}


class Follower:
    """Told of every batch of published events; refreshes the screens of the conferences whose section changed."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.tasks: set[asyncio.Task[None]] = set()

    def published(self, batch: list[Event]) -> None:
        changed: dict[int, tuple[set[str | None], set[str]]] = {}
        for event in batch:
            if event.type in MARKED:
                anchors, types = changed.setdefault(event.conference_id, (set(), set()))
                anchors.add(event.data.get("section_anchor"))
                types.add(event.type)
        for conference_id, (anchors, types) in changed.items():
            task = asyncio.create_task(self._refresh(conference_id, frozenset(anchors), frozenset(types)))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _refresh(self, conference_id: int, anchors: frozenset[str | None], types: frozenset[str]) -> None:
        try:
            async with self.app[db_key].read() as session:
                conference = await session.get(Conference, conference_id)
                if conference is None or not touches(display_of(conference), anchors, types):
                    return
            await perform(self.app, conference_id, partial(announce_again, conference_id=conference_id,
                                                            anchors=anchors, types=types))
        except Unavailable:
            # Shutting down: the screens load the section afresh when they reconnect.
            return
        except Exception:
            log.exception("refreshing the big screen of conference %d failed", conference_id)


def setup_display(app: web.Application) -> None:
    """A follower for the app, told by the publisher of every committed change."""
    app[publisher_key].on_publish(Follower(app).published)
