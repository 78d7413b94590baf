"""The chair's inbox over HTTP: remarks and comments filtered, searched and paged, and counts per article."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from schema.tables import DISPOSITIONS, MODERATION
from server.auth.principal import Principal
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, point_scope, reader
from server.submissions import counts, inbox
from server.submissions.inbox import CommentFilter, Page, RemarkFilter

DEFAULT_PAGE = 100
MAX_PAGE = 500
ORDERS = ("newest", "oldest")
BOOLEANS = {"true": True, "false": False}


def _text(request: web.Request, key: str) -> str | None:
    return request.query.get(key) or None


def _option(request: web.Request, key: str, options: tuple[str, ...]) -> str | None:
    value = _text(request, key)
    if value is not None and value not in options:
        raise Invalid(f"{key} must be one of {', '.join(options)}", {key: "not one of " + ", ".join(options)})
    return value


def _flag(request: web.Request, key: str) -> bool | None:
    value = _option(request, key, tuple(BOOLEANS))
    return None if value is None else BOOLEANS[value]


def _page(request: web.Request) -> Page:
    """A limit above the maximum is capped, not refused, as everywhere in the API."""
    limit = parse.query_int(request, "limit", DEFAULT_PAGE, MAX_PAGE)
    offset = parse.query_int(request, "offset", 0)
    assert limit is not None and offset is not None
    return Page(limit=limit, offset=offset, newest_first=_option(request, "order", ORDERS) != "oldest")


def _own(principal: Principal) -> int | None:
    """A delegate reads only its own submissions (an operator's point is set by point_scope)."""
    return principal.participant_id if principal.role == "delegate" else None


def _paged(items: list[dict[str, Any]], total: int, page: Page) -> web.Response:
    return web.json_response({"items": items, "total": total, "limit": page.limit, "offset": page.offset})


async def list_comments(request: web.Request) -> web.Response:
    principal, c = allow(request)
    page = _page(request)
    f = CommentFilter(
        participant_id=_own(principal),
        point_id=point_scope(request, principal),
        article=_text(request, "article"),
        anchor=_text(request, "anchor"),
        disposition=_option(request, "disposition", (*DISPOSITIONS, inbox.NOT_RULED)),
        has_proposed=_flag(request, "has_proposed"),
        moderation=_option(request, "moderation", MODERATION),
        query=_text(request, "q"),
        # Who works on what is the staff's own: others' filters on it are ignored, so they learn nothing from them.
        work=_option(request, "work", inbox.WORK_STATES) if principal.is_staff else None,
        assigned_to=parse.query_int(request, "assigned_to") if principal.is_staff else None,
    )
    async with reader(request) as session:
        items, total = await inbox.list_comments(session, c, f, page)
    return _paged(items, total, page)


async def list_remarks(request: web.Request) -> web.Response:
    principal, c = allow(request)
    page = _page(request)
    f = RemarkFilter(
        participant_id=_own(principal),
        point_id=point_scope(request, principal),
        agenda_item_id=parse.query_int(request, "agenda_item_id"),
        moderation=_option(request, "moderation", MODERATION),
        query=_text(request, "q"),
    )
    async with reader(request) as session:
        items, total = await inbox.list_remarks(session, c, f, page)
    return _paged(items, total, page)


async def comment_counts(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(await counts.comment_counts(session, c))
