"""Every API route tried with every role: the answer follows POLICY and the route's action, nothing else.

The routes and their actions come from the running server's OpenAPI document (`x-action`, declared with each
route in server/http/routes.py, the same table `allow()` reads), so a route added later is tried too.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from server.auth.policy import POLICY
from server.http.declaration import PUBLIC, SIGNED_IN
from server.http.openapi_shapes import TAGS
from server.http.routes import API_ROUTES, setup_routes
from server.simulate.loopback import Server
from tests.support.accounts import secretary
from tests.support.http import Call
from tests.support.servers import start_server, stop_server
from tests.workshops import another_workshop

ROLES = (
    "anonymous",
    "admin",
    "chair",
    "secretary",
    "operator",
    "operator_elsewhere",
    "delegate",
    "delegate_elsewhere",
    "display",
)
# The POLICY role each tried caller has.
BASE_ROLE = {"operator_elsewhere": "operator", "delegate_elsewhere": "delegate"}
# Routes whose subject (a point, or a participant named in the path or body) belongs to one bridge point:
# an operator of another point is refused there though its role may take the action.
POINT_SCOPED = frozenset({
    "point_status", "checkin", "checkout", "checkin_undo", "participant_movements", "participant_absence",
    "attendance_sheet", "remark_create", "comment_create", "speaking_request_create", "speaking_request_withdraw",
})
# Routes that act on what one participant made: a delegate is refused there on another's (the world's speaking
# request is made by the operator for someone else).
AUTHOR_SCOPED = frozenset({"speaking_request_withdraw"})
# Routes on what the world's delegate made itself: an operator, who did not file it for them, is refused there.
DELEGATE_MADE = frozenset({"comment_author_answer"})
# Changes of state that would change other routes' answers (a closed workshop refuses writes): tried last.
LAST = frozenset({"conference_state"})
CONCURRENCY = 24
PUBLIC_ROUTES = frozenset(r.name for r in API_ROUTES if r.action == PUBLIC)
SIGNED_IN_ROUTES = frozenset(r.name for r in API_ROUTES if r.action == SIGNED_IN)


@dataclass(frozen=True)
class Attempt:
    """One route with one caller."""

    name: str
    method: str
    path: str
    role: str


@pytest.fixture(scope="module")
async def matrix_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    server = await start_server(tmp_path_factory.mktemp("matrix"))
    yield server
    stop_server(server)


async def ok(call: Call, method: str, url: str, token: str, **kwargs: Any) -> Any:
    reply = await call(method, url, token, **kwargs)
    assert reply.status in (200, 201), (method, url, reply.body)
    return reply.body


@dataclass
class World:
    """The callers' tokens and real ids of the demo workshop for every path parameter."""

    tokens: dict[str, str | None]
    ids: dict[str, int | str]
    # Someone at the operator's point, named in the bodies of point-scoped writes.
    person: int


async def world(s: Server, call: Call) -> World:
    t = s.tokens
    admin, chair, here = t["admin"], t["chair"], t["operators"]["HGI"]
    points = (await ok(call, "GET", s.api("/points"), admin))["items"]
    point = next(p["id"] for p in points if p["code"] == "HGI")
    people = (await ok(call, "GET", s.api(f"/participants?point_id={point}"), admin))["items"]
    delegates = {int(pid): token for pid, token in t["delegates"].items()}
    delegate_id = next(iter(delegates))
    # Not the delegate, so what the delegate submits stays its own.
    person = next(p["id"] for p in people if p["id"] != delegate_id)
    await ok(call, "POST", s.api("/open"), chair)
    stay = await ok(call, "POST", s.api("/checkins"), here, json={"participant_id": person})
    item = await ok(
        call, "POST", s.api("/agenda"), admin, json={"title": "Mục thử", "kind": "other", "planned_minutes": 5}
    )
    spoken = await ok(call, "POST", s.api("/speaking-requests"), here, json={"participant_id": person})
    remark = await ok(
        call, "POST", s.api("/remarks"), delegates[delegate_id], json={"title": "Ý kiến", "body": "Nội dung"}
    )
    comment = await ok(call, "POST", s.api("/comments"), delegates[delegate_id], json={"body": "Góp ý chung"})
    spare = await ok(call, "POST", s.api("/invitations"), admin, json={"role": "display"})
    drafts = (await ok(call, "GET", s.api("/drafts"), admin))["items"]
    users = (await ok(call, "GET", f"{s.base_url}/api/v1/users", admin))["items"]
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "admin": admin,
        "chair": chair,
        "display": t["display"],
        "secretary": (await secretary(call, s, "thu-ky-ma-tran"))[0],
        "operator": here,
        "operator_elsewhere": t["operators"]["CTO"],
        "delegate": delegates[delegate_id],
        "delegate_elsewhere": (await another_workshop(s, call)).delegate_token,
    }
    template = await ok(call, "POST", s.api("/answer-templates"), chair, json={"title": "Mẫu", "response": "Trả lời"})
    ids: dict[str, int | str] = {
        "conference_id": s.conference_id, "point_id": point, "participant_id": person, "draft_id": drafts[0]["id"],
        "comment_id": comment["id"], "user_id": users[0]["id"], "item_id": item["id"], "remark_id": remark["id"],
        "request_id": spoken["id"], "checkin_id": stay["checkin_id"], "template_id": template["id"],
        # The attempts revoke and reissue the spare invitation, never one whose token they use.
        "invitation_id": spare["id"], "receipt": comment["receipt"],
    }
    return World(tokens, ids, person)


def expected(name: str, action: str | None, role: str, path: str) -> str:
    """`401`, `403` or `allowed` (anything but those two)."""
    if name in PUBLIC_ROUTES:
        return "allowed"
    if role == "anonymous":
        return "401"
    if name in SIGNED_IN_ROUTES:
        return "allowed"
    assert action is not None, f"{name} has no x-action"
    if BASE_ROLE.get(role, role) not in POLICY[action]:
        return "403"
    if role == "delegate_elsewhere" and "{conference_id}" in path:
        return "403"
    if role == "operator_elsewhere" and name in POINT_SCOPED:
        return "403"
    if role == "delegate" and name in AUTHOR_SCOPED:
        return "403"
    if BASE_ROLE.get(role, role) == "operator" and name in DELEGATE_MADE:
        return "403"
    return "allowed"


def url_of(s: Server, attempt: Attempt, w: World) -> str:
    return s.base_url + re.sub(r"{(\w+)}", lambda match: str(w.ids[match.group(1)]), attempt.path)


async def test_every_route_answers_every_role_as_the_policy_says(matrix_server: Server, call: Call) -> None:
    s = matrix_server
    w = await world(s, call)
    document = (await call("GET", f"{s.base_url}/api/v1/openapi.json")).body
    attempts: list[Attempt] = []
    actions: dict[str, str | None] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            name = operation["operationId"].rsplit("_", 2)[0]
            actions[name] = operation.get("x-action")
            if name not in PUBLIC_ROUTES | SIGNED_IN_ROUTES:
                assert operation.get("x-action") in POLICY, f"{method.upper()} {path} ({name}) has no action in POLICY"
            for role in ROLES:
                # Logging out a staff token would end the session the other attempts use; anonymous is enough.
                if name == "api_logout" and role != "anonymous":
                    continue
                attempts.append(Attempt(name, method.upper(), path, role))

    # Empty bodies, except where the point check needs a subject: then just enough to name one.
    scoped_body = {"participant_id": w.person, "title": "T", "body": "B", "absence_reason": None}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def attempt(a: Attempt) -> str | None:
        async with gate:
            writes = a.method in ("POST", "PATCH", "PUT")
            json_body = (scoped_body if a.name in POINT_SCOPED else {}) if writes else None
            reply = await call(a.method, url_of(s, a, w), w.tokens[a.role], json=json_body)
        want = expected(a.name, actions[a.name], a.role, a.path)
        got = str(reply.status)
        if (want == "allowed" and got in ("401", "403")) or (want != "allowed" and got != want) or reply.status >= 500:
            return f"{a.method} {a.path} as {a.role}: want {want}, got {got} {reply.body}"
        return None

    first = [a for a in attempts if a.name not in LAST]
    last = [a for a in attempts if a.name in LAST]
    wrong = [w for w in await asyncio.gather(*map(attempt, first)) if w]
    wrong += [w for w in await asyncio.gather(*map(attempt, last)) if w]
    assert not wrong, "\n".join(wrong)
    assert len({(a.method, a.path) for a in attempts}) >= 80


def test_every_api_route_is_declared_with_an_action_and_a_doc() -> None:
    """Every API URL the router has is in API_ROUTES, once, with an action POLICY knows and a described Doc."""
    app = web.Application()
    setup_routes(app)
    api = {
        r.name for r in app.router.routes() if r.resource and r.resource.canonical.startswith(("/api/v1", "/healthz"))
    }
    declared = [r.name for r in API_ROUTES]
    assert len(declared) == len(set(declared)), "a route name declared twice in server/http/routes.py"
    assert api == set(declared), (
        f"API routes outside API_ROUTES in server/http/routes.py: {sorted(api - set(declared))}"
    )
    for route in API_ROUTES:
        assert route.action in POLICY or route.action in (PUBLIC, SIGNED_IN), f"{route.name}: no action in POLICY"
        assert route.doc.tag in TAGS and route.doc.summary, f"{route.name}: its Doc has no tag or summary"
