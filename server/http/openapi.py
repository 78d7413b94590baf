"""The OpenAPI 3.1 document, built from the route table so it cannot drift from the URLs."""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
        }
    },
}


def _path(template: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for name in re.findall(r"{(\w+)(?::[^}]*)?}", template):
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": "integer" if name != "token" else "string"}})
    return re.sub(r"{(\w+):[^}]*}", r"{\1}", template), params


def build(app: web.Application) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path")
        if not template or not template.startswith(("/api/v1", "/healthz")) or route.method == "HEAD":
            continue
        pattern = info.get("pattern")
        for choice in _expand(template, pattern.pattern if pattern else ""):
            path, params = _path(choice)
            operation = {
                "operationId": f"{route.resource.name}_{route.method.lower()}_{len(paths)}" if route.resource else None,
                "parameters": params,
                "responses": {
                    "200": {"description": "OK"},
                    "4XX": {"description": "Error", "content": {"application/json": {"schema": ERROR}}},
                },
            }
            if route.method in ("POST", "PATCH"):
                operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}}
            paths.setdefault(path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Điểm Cầu API", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


def _expand(template: str, pattern: str) -> list[str]:
    """A route like /{action:open|close} stands for one path per alternative."""
    paths = [template]
    for name, alternatives in re.findall(r"\(\?P<(\w+)>([\w-]+(?:\|[\w-]+)+)\)", pattern):
        paths = [p.replace("{" + name + "}", alt) for p in paths for alt in alternatives.split("|")]
    return paths


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(build(request.app))
