"""The OpenAPI 3.1 document, built from the route table so it cannot drift from the URLs."""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from server.auth.policy import POLICY
from server.http.actions import PUBLIC_ROUTES, ROUTE_ACTIONS
from server.http.openapi_shapes import (
    BODIES,
    CREATES,
    DRY_RUNS,
    FILE,
    FORMS,
    QUERIES,
    Schema,
)

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
ERROR_REF = {"$ref": "#/components/schemas/Error"}
JSON = "application/json"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = {"type": "string"}
# A download's media type follows from the extension its URL ends with.
BY_EXTENSION: dict[str, dict[str, Schema]] = {
    "json": {JSON: {"type": "object"}},
    "csv": {"text/csv": TEXT},
    "xlsx": {XLSX: FILE},
    "docx": {DOCX: FILE},
    "pdf": {PDF: FILE},
    "html": {"text/html": TEXT},
    "md": {"text/markdown": TEXT},
}
# A remark's attachment is whichever of the accepted kinds was sent.
BY_ROUTE: dict[str, dict[str, Schema]] = {"remark_attachment": {PDF: FILE, DOCX: FILE}}
# Printing a PDF needs Chromium; without it the server answers 503 `unavailable` (see server/errors.py).
PRINTED = frozenset({"summary_format"})


def _path(template: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for name in re.findall(r"{(\w+)(?::[^}]*)?}", template):
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": "integer" if name != "token" else "string"}})
    return re.sub(r"{(\w+):[^}]*}", r"{\1}", template), params


def _content(name: str, path: str) -> dict[str, Schema]:
    if name in BY_ROUTE:
        return BY_ROUTE[name]
    extension = re.search(r"\.(\w+)$", path)
    if extension and extension.group(1) in BY_EXTENSION:
        return BY_EXTENSION[extension.group(1)]
    return {JSON: {"type": "object"}}


def _responses(name: str, path: str) -> dict[str, Any]:
    content = {media: {"schema": schema} for media, schema in _content(name, path).items()}
    codes = ["201"] if name in CREATES else ["200"]
    if name in DRY_RUNS:
        codes.insert(0, "200")
    responses: dict[str, Any] = {code: {"description": "OK", "content": content} for code in codes}
    responses["4XX"] = {"description": "Error", "content": {JSON: {"schema": ERROR_REF}}}
    if name in PRINTED and path.endswith(".pdf"):
        responses["503"] = {"description": "Chromium is missing here", "content": {JSON: {"schema": ERROR_REF}}}
    return responses


def _operation(name: str, method: str, path: str, params: list[dict[str, Any]], index: int) -> dict[str, Any]:
    query = [{"name": q, "in": "query", "required": False, "schema": s} for q, s in QUERIES.get(name, {}).items()]
    operation: dict[str, Any] = {
        "operationId": f"{name}_{method.lower()}_{index}",
        "parameters": params + query,
        "responses": _responses(name, path),
    }
    action = ROUTE_ACTIONS.get(name)
    if action is not None:
        operation["x-action"] = action
        operation["x-roles"] = sorted(POLICY[action])
    if name in PUBLIC_ROUTES:
        operation["security"] = []
    if method in ("POST", "PATCH", "PUT"):
        body: dict[str, Any] = {}
        if name in BODIES or name not in FORMS:
            body[JSON] = {"schema": BODIES.get(name, {"type": "object"})}
        if name in FORMS:
            body["multipart/form-data"] = {"schema": FORMS[name]}
        operation["requestBody"] = {"required": name in FORMS and name not in BODIES, "content": body}
    return operation


def build(app: web.Application) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    count = 0
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path")
        if not template or not template.startswith(("/api/v1", "/healthz")) or route.method == "HEAD":
            continue
        pattern = info.get("pattern")
        for choice in _expand(template, pattern.pattern if pattern else ""):
            path, params = _path(choice)
            paths.setdefault(path, {})[route.method.lower()] = _operation(route.name or "", route.method, path, params, count)
            count += 1
    return {
        "openapi": "3.1.0",
        "info": {"title": "Điểm Cầu API", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
        },
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
