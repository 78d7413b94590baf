"""What routes.py declares of an API route, and how a request finds the declaration of the route it matched.

One `Route` holds a route's method, URL, name, handler, authorization action and OpenAPI `Doc`: `allow()` reads
the action from it, the OpenAPI document publishes it, and the authorization matrix test tries it with every role.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from aiohttp import web

from server.http import parse
from server.http.body import Body
from server.http.openapi_shapes import Doc

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Open to anyone, or checked by the handler itself (logout needs a session, /me any caller); no POLICY action names
# either. /metrics is not an API route: its handler checks a token of its own (DIEMCAU_METRICS_TOKEN).
PUBLIC = "public"
SIGNED_IN = "signed-in"


@dataclass(frozen=True)
class Route:
    """One API route: `action` is the POLICY action `allow()` checks, or PUBLIC or SIGNED_IN."""

    method: str
    path: str
    name: str
    handler: Handler
    action: str
    doc: Doc

    # Read on every request by allow(): found in the path once.
    @cached_property
    def ids(self) -> tuple[str, ...]:
        """The URL's id parameters (`{conference_id}`, `{item_id}`…), each an int that fits, else 404
        (parse.path_id)."""
        return tuple(re.findall(r"{(\w+_id)(?::[^}]*)?}", self.path))


routes_key: web.AppKey[Mapping[str, Route]] = web.AppKey("routes")


def declared(request: web.Request) -> Route:
    """The declaration of the route that matched; an API handler under no declaration is a programming error."""
    name = request.match_info.route.name or ""
    route = request.app[routes_key].get(name)
    if route is None:
        raise RuntimeError(f"Route {name!r} is not declared in server/http/routes.py")
    return route


def action_of(request: web.Request) -> str:
    """The POLICY action of the route that matched; a public or signed-in route has none to check."""
    return policy_action(declared(request))


def policy_action(route: Route) -> str:
    """The route's POLICY action; a public or signed-in route has none to check."""
    if route.action in (PUBLIC, SIGNED_IN):
        raise RuntimeError(f"Route {route.name!r} has no action in server/http/routes.py")
    return route.action


def body_of(request: web.Request) -> Body:
    """The Body the matched route declares; a handler reading one its route does not declare is a programming error."""
    route = declared(request)
    if route.doc.body is None:
        raise RuntimeError(f"Route {route.name!r} declares no Body in server/http/routes.py")
    return route.doc.body


async def parsed(request: web.Request) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """The JSON body and the values its route's declared Body reads from it, in the declared order."""
    body = body_of(request)
    data = await parse.json_body(request)
    return data, body.read(data)


async def changes(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON body and the fields it sends of those its route's declared partial Body lists, each read."""
    body = body_of(request)
    data = await parse.json_body(request)
    return data, body.changes(data)
