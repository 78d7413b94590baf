"""What every API handler shares: the caller, the conference id, the write call and list shape."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth.policy import authorize
from server.auth.principal import Principal, principal_key
from server.client import client_address
from server.http import parse
from server.http.declaration import action_of, declared, policy_action
from server.http.parse import path_id
from server.http.subjects import subject_of
from server.keys import db_key
from server.writes import Idempotency, Operation, Step, alone, perform

CONFERENCE = "conference_id"


def allow(request: web.Request, *, point_id: int | None = None) -> tuple[Principal, int]:
    """Authorize the caller for the matched route's action on the URL's conference: a route under one only."""
    principal, conference_id = allow_any(request, point_id=point_id)
    if conference_id is None:
        raise RuntimeError(f"Route {request.match_info.route.name!r} names no conference in its URL")
    return principal, conference_id


def allow_any(request: web.Request, *, point_id: int | None = None) -> tuple[Principal, int | None]:
    """Authorize the caller for the matched route's declared action on the URL's conference, if any.

    The conference id is parsed first, for the check; the URL's other ids once the caller may act, all the same way
    (parse.path_id), so a handler reads each as an int that fits.
    """
    route = declared(request)
    conference_id = path_id(request, CONFERENCE) if CONFERENCE in route.ids else None
    principal = authorize(request[principal_key], policy_action(route), conference_id, point_id)
    for key in route.ids:
        path_id(request, key)
    return principal, conference_id


def point_scope(request: web.Request, principal: Principal) -> int | None:
    """The `point_id` a listing is limited to: what the query asks, or for an operator its own point only."""
    point_id = parse.query_int(request, "point_id")
    if principal.role != "operator":
        return point_id
    allow(request, point_id=point_id if point_id is not None else principal.point_id)
    return principal.point_id


def reader(request: web.Request) -> AsyncSession:
    return request.app[db_key].read()


async def write(
    request: web.Request,
    conference_id: int | None,
    operation: Operation | Step,
    status: int = 200,
    principal: Principal | None = None,
    payload: Any = None,
) -> web.Response:
    """Commit one operation; with a principal and payload, honour the request's Idempotency-Key.

    A staff member's write is recorded in the audit trail in the same transaction: who, what, when, from where.
    """
    caller = request[principal_key]
    if caller is not None and caller.is_staff:
        if isinstance(operation, Step):
            assert conference_id is not None
            operation = alone(operation, conference_id)
        details = {"method": request.method, "path": request.path, "route": request.match_info.route.name,
                   "body": audit.redacted(request.get(parse.body_key))}
        route, params, body = request.match_info.route.name, request.match_info, request.get(parse.body_key)

        async def describe(session: AsyncSession, answer: Any) -> dict[str, Any] | None:
            return await subject_of(session, route, params, body, answer)

        operation = audit.audited(
            operation, conference_id, caller.actor, action_of(request), details, client_address(request), describe
        )
    idempotency = None
    if principal is not None:
        key = request.headers.get("Idempotency-Key")
        if key is None and isinstance(payload, dict):
            key = payload.get("idempotency_key")
        body = {k: v for k, v in payload.items() if k != "idempotency_key"} if isinstance(payload, dict) else payload
        idempotency = Idempotency.of(f"{principal.actor}:{request.path}", key, body)
    code, body = await perform(request.app, conference_id, operation, status, idempotency)
    return web.json_response(body, status=code)


def listing(items: Sequence[dict[str, Any]], **extra: Any) -> web.Response:
    return web.json_response({"items": list(items), "total": len(items), **extra})
