"""Event replay over HTTP."""
from __future__ import annotations

from aiohttp import web

from server import events
from server.auth.visibility import streams_of
from server.conferences.operations import get_conference
from server.http import parse
from server.http.api.common import allow, reader
from server.keys import settings_key


async def list_events(request: web.Request) -> web.Response:
    principal, c = allow(request)
    after = parse.query_int(request, "after", 0)
    assert after is not None
    limit = request.app[settings_key].replay_limit
    async with reader(request) as session:
        await get_conference(session, c)
        replay = await events.replay(session, c, streams_of(principal), after, limit)
    if replay.snapshot:
        return web.json_response({"snapshot": True, "seq": replay.seq, "streams": replay.streams})
    return web.json_response(
        {"items": replay.events, "total": len(replay.events), "seq": replay.seq, "streams": replay.streams}
    )
