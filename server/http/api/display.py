"""The big screen: what it shows now (any member reads it), and the chair's PUT that changes it."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.conferences.operations import get_conference
from server.display import operations as display
from server.display.projection import VIEWS
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, reader, write

# The fields each mode uses; any other field, or one another mode uses given a value, is refused.
FIELDS = {"agenda": (), "section": ("anchor", "view"), "speakers": (), "message": ("text",)}
KNOWN = frozenset({"mode", "anchor", "view", "text"})


def parse_display(data: dict[str, Any]) -> display.Display:
    """{mode, anchor?, view?, text?} as PROTOCOL v1.1 says; 422 naming the field for anything else."""
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        raise Invalid(f"Unknown field: {', '.join(unknown)}", {name: "unknown field" for name in unknown})
    mode = parse.choice(data, "mode", display.MODES)
    assert mode is not None
    stray = [name for name in ("anchor", "view", "text") if name not in FIELDS[mode] and data.get(name) is not None]
    if stray:
        raise Invalid(f"The {mode} mode takes no {', '.join(stray)}", {name: f"not used by mode {mode}" for name in stray})
    if mode == "section":
        anchor = parse.text(data, "anchor", 128)
        view = parse.choice(data, "view", VIEWS, required=False) or "original"
        return display.Display(mode, anchor=anchor, view=view)
    if mode == "message":
        return display.Display(mode, text=parse.text(data, "text", display.MESSAGE_MAX))
    return display.Display(mode)


async def get_display(request: web.Request) -> web.Response:
    _, c = allow(request)
    assert c is not None
    async with reader(request) as session:
        return web.json_response(await display.display_dict(session, await get_conference(session, c)))


async def set_display(request: web.Request) -> web.Response:
    _, c = allow(request)
    assert c is not None
    shown = parse_display(await parse.json_body(request))

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await display.display_dict(session, await display.show(session, c, shown))

    return await write(request, c, op)
