"""Event replay over HTTP and the closing summary in its formats."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web

from server import events
from server.conferences.operations import get_conference
from server.http import parse
from server.http.api.common import allow, reader
from server.keys import settings_key
from server.summary.compile import compile_summary
from server.summary.render import render_html, render_json, render_markdown


async def list_events(request: web.Request) -> web.Response:
    principal, c = allow(request, "events.read")
    after = parse.query_int(request, "after", 0)
    assert after is not None
    limit = request.app[settings_key].replay_limit
    async with reader(request) as session:
        await get_conference(session, c)
        replay = await events.replay(session, principal, c, after, limit)
    if replay.snapshot:
        return web.json_response({"snapshot": True, "seq": replay.seq})
    return web.json_response({"items": replay.events, "total": len(replay.events), "seq": replay.seq})


async def summary(request: web.Request) -> web.Response:
    """Live preview before close; after close, the frozen record and its checksum."""
    _, c = allow(request, "summary.read")
    fmt = request.match_info.get("fmt") or "json"
    async with reader(request) as session:
        conference = await get_conference(session, c)
        frozen = conference.summary_json is not None
        model = conference.summary_json if frozen else await compile_summary(session, c)
    assert model is not None
    sha = conference.summary_sha256
    frozen_at = conference.closed_at.astimezone(ZoneInfo(conference.timezone)).isoformat() if frozen and conference.closed_at else None
    if fmt == "md":
        body = conference.summary_md if frozen and conference.summary_md else render_markdown(model, frozen=False)
        return web.Response(text=body, content_type="text/markdown", charset="utf-8")
    if fmt == "html":
        return web.Response(text=render_html(model, frozen=frozen, sha256=sha, frozen_at=frozen_at), content_type="text/html", charset="utf-8")
    return web.json_response(render_json(model, frozen_at=frozen_at, sha256=sha))
