"""The OpenAPI 3.1 document, built from the route table (routes.py) so it cannot drift from the URLs."""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from server.auth.policy import POLICY
from server.http.declaration import PUBLIC, SIGNED_IN, Route, routes_key
from server.http.openapi_schemas import FILE, Schema, components, ref
from server.http.openapi_shapes import TAGS, Doc

ERROR_REF = ref("Error")
JSON = "application/json"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = {"type": "string"}
# A download's media type follows from the extension its URL ends with; JSON is described by the route's Doc.
BY_EXTENSION: dict[str, dict[str, Schema]] = {
    "csv": {"text/csv": TEXT},
    "xlsx": {XLSX: FILE},
    "docx": {DOCX: FILE},
    "pdf": {PDF: FILE},
    "pdfa": {PDF: FILE},
    "html": {"text/html": TEXT},
    "md": {"text/markdown": TEXT},
}
# A remark's attachment is whichever of the accepted kinds was sent.
BY_ROUTE: dict[str, dict[str, Schema]] = {
    "remark_attachment": {PDF: FILE, DOCX: FILE}, "attendance_sheet": {PDF: FILE}, "attendance_sheets": {PDF: FILE},
}
# When typesetting the record fails or takes too long, the server answers 503 `unavailable` (see server/errors.py).
PRINTED = frozenset({"summary_format"})
# The attendance sheets are typeset the same way (server/summary/sheet_printing.py).
SHEETS = frozenset({"attendance_sheet", "attendance_sheets"})
UNDESCRIBED = Doc(tag="", summary="")
# Path parameters that are not ids.
TEXT_PARAMS = frozenset({"token", "receipt"})


def _path(template: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for name in re.findall(r"{(\w+)(?::[^}]*)?}", template):
        kind = "string" if name in TEXT_PARAMS else "integer"
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
    return re.sub(r"{(\w+):[^}]*}", r"{\1}", template), params


def _content(name: str, path: str, answer: Schema | None) -> dict[str, Any]:
    extension = re.search(r"\.(\w+)$", path)
    download = BY_EXTENSION.get(extension.group(1)) if extension else None
    media = BY_ROUTE.get(name) or download or {JSON: answer or {"type": "object"}}
    return {kind: {"schema": schema} for kind, schema in media.items()}


def _responses(name: str, path: str, doc: Doc) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if doc.preview is not None:
        responses["200"] = {
            "description": "What the dry run found; nothing was written",
            "content": _content(name, path, doc.preview),
        }
    code, description = ("201", "Created") if doc.creates else ("200", "OK")
    responses[code] = {"description": description, "content": _content(name, path, doc.answer)}
    responses["4XX"] = {"description": "Error", "content": {JSON: {"schema": ERROR_REF}}}
    if name in PRINTED and path.endswith((".pdf", ".pdfa")):
        responses["503"] = {"description": "The record could not be typeset", "content": {JSON: {"schema": ERROR_REF}}}
    if name in SHEETS:
        responses["503"] = {"description": "The sheets could not be typeset", "content": {JSON: {"schema": ERROR_REF}}}
    return responses


def _summary(doc: Doc, choice: dict[str, str]) -> str:
    if isinstance(doc.summary, str):
        return doc.summary.format(**{key: value.upper() for key, value in choice.items()})
    return doc.summary[next(iter(choice.values()))]


def _operation(
    name: str,
    declared: Route | None,
    method: str,
    path: str,
    params: list[dict[str, Any]],
    choice: dict[str, str],
    index: int,
) -> dict[str, Any]:
    # A route added to the router outside API_ROUTES is still published, without summary, tags or action:
    # tests/test_openapi.py names it.
    doc = declared.doc if declared else UNDESCRIBED
    operation: dict[str, Any] = {
        # The route's name, the method and which alternative of its URL: the authorization matrix reads the name back.
        "operationId": f"{name}_{method.lower()}_{index}",
        "parameters": params
        + [{"name": q, "in": "query", "required": False, "schema": s} for q, s in doc.query.items()],
        "responses": _responses(name, path, doc),
    }
    if doc is not UNDESCRIBED:
        operation = {"summary": _summary(doc, choice), "tags": [doc.tag], **operation}
    if declared is not None and declared.action not in (PUBLIC, SIGNED_IN):
        operation["x-action"] = declared.action
        operation["x-roles"] = sorted(POLICY[declared.action])
    if declared is not None and declared.action == PUBLIC:
        operation["security"] = []
    if method in ("POST", "PATCH", "PUT"):
        body: dict[str, Any] = {}
        if doc.form is None or doc.body is not None:
            body[JSON] = {"schema": {"type": "object"} if doc.body is None else doc.body.schema}
        if doc.form is not None:
            body["multipart/form-data"] = {"schema": doc.form}
        operation["requestBody"] = {"required": JSON not in body, "content": body}
    return operation


def build(app: web.Application) -> dict[str, Any]:
    declarations = app[routes_key]
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path")
        if not template or not template.startswith(("/api/v1", "/healthz")) or route.method == "HEAD":
            continue
        pattern = info.get("pattern")
        for index, (choice, alternative) in enumerate(_expand(template, pattern.pattern if pattern else "")):
            path, params = _path(alternative)
            name = route.name or ""
            paths.setdefault(path, {})[route.method.lower()] = _operation(
                name, declarations.get(name), route.method, path, params, choice, index
            )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Điểm Cầu API", "version": "1"},
        "tags": [{"name": name, "description": description} for name, description in TAGS.items()],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": components()},
        "security": [{"bearer": []}],
        "paths": paths,
    }


def _expand(template: str, pattern: str) -> list[tuple[dict[str, str], str]]:
    """A route like /{action:open|close} stands for one path per alternative, each with the alternative it takes."""
    paths: list[tuple[dict[str, str], str]] = [({}, template)]
    for name, alternatives in re.findall(r"\(\?P<(\w+)>([\w-]+(?:\|[\w-]+)+)\)", pattern):
        paths = [
            ({**c, name: alt}, p.replace("{" + name + "}", alt)) for c, p in paths for alt in alternatives.split("|")
        ]
    return paths


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(build(request.app))
