"""The big screen: what it shows now (any member reads it), the chair's PUT that changes it, and any section in
the screen's three views for a console that reads the draft (the delegate's own view switch)."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from schema.tables import Comment
from server.auth.principal import Principal
from server.conferences.operations import get_conference
from server.display import operations as display
from server.display.projection import VIEWS, project
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, reader, write
from server.http.body import Body, Field
from server.http.declaration import parsed
from server.http.openapi_schemas import STRING

# The fields each mode uses; any other field, or one another mode uses given a value, is refused.
FIELDS = {"agenda": (), "section": ("anchor", "view"), "speakers": (), "message": ("text",)}
ANCHOR = Field.text(
    "anchor", 128, schema={**STRING, "maxLength": 128, "description": "Section mode: an article, clause or point."}
)
VIEW = Field.choice("view", VIEWS, required=False)
TEXT = Field.text(
    "text",
    display.MESSAGE_MAX,
    schema={**STRING, "maxLength": display.MESSAGE_MAX, "description": "Message mode: what to show."},
)


def _shown(data: dict[str, Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """What the mode uses, as PROTOCOL v1.1 says; 422 naming a field another mode uses."""
    (mode,) = values
    stray = [name for name in ("anchor", "view", "text") if name not in FIELDS[mode] and data.get(name) is not None]
    if stray:
        raise Invalid(
            f"The {mode} mode takes no {', '.join(stray)}", {name: f"not used by mode {mode}" for name in stray}
        )
    if mode == "section":
        return (display.Display(mode, anchor=ANCHOR.of(data), view=VIEW.of(data) or "original"),)
    if mode == "message":
        return (display.Display(mode, text=TEXT.of(data)),)
    return (display.Display(mode),)


# {mode, anchor?, view?, text?}: any other field is refused before the mode is read.
BODY = Body(
    Field.choice("mode", display.MODES), ANCHOR.deferred(), VIEW.deferred(), TEXT.deferred(), closed=True, rule=_shown
)


async def get_display(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(await display.display_dict(session, await get_conference(session, c)))


async def set_display(request: web.Request) -> web.Response:
    _, c = allow(request)
    _, (shown,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await display.display_dict(session, await display.show(session, c, shown))

    return await write(request, c, op)


def _pending_seen_by(principal: Principal) -> ColumnElement[bool] | None:
    """Comments are not public: besides adopted changes, a delegate sees its own pending proposals, an operator
    those of its point (the ones it may list), staff all of them."""
    if principal.role == "delegate":
        return Comment.participant_id == principal.participant_id
    if principal.role == "operator":
        return Comment.point_id == principal.point_id
    return None


async def section_view(request: web.Request) -> web.Response:
    """GET …/section-view?anchor=&view=: an article, clause or point as published, with proposals marked, or revised."""
    principal, c = allow(request)
    query = dict(request.query)
    anchor = parse.text(query, "anchor", 128)
    view = parse.choice(query, "view", VIEWS, required=False) or "original"
    assert anchor is not None
    async with reader(request) as session:
        return web.json_response(await project(session, c, anchor, view, _pending_seen_by(principal)))
