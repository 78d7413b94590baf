"""Read request bodies and query values into typed values, or refuse them with field details."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from server.errors import BadRequest, Invalid, TooLarge
from server.keys import settings_key
from server.text import clean_name, clean_text

MISSING = object()
MAX_DEPTH = 32


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


async def json_body(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object, at most the configured size."""
    limit = request.app[settings_key].max_body_bytes
    if (request.content_length or 0) > limit:
        raise TooLarge(f"The body is over {limit} bytes", {"limit": limit})
    raw = await request.read()
    if len(raw) > limit:
        raise TooLarge(f"The body is over {limit} bytes", {"limit": limit})
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON", code="invalid_json") from None
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object", {"body": "not an object"})
    if _depth(data) > MAX_DEPTH:
        raise Invalid("The body is nested too deeply", {"body": "too deep"})
    return data


def integer(data: dict[str, Any], name: str, required: bool = True, minimum: int | None = None) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise Invalid(f"{name} is required", {name: "required"})
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} must be an integer", {name: "not an integer"})
    if minimum is not None and value < minimum:
        raise Invalid(f"{name} must be at least {minimum}", {name: f"below {minimum}"})
    return value


def boolean(data: dict[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise Invalid(f"{name} must be true or false", {name: "not a boolean"})
    return value


def name(data: dict[str, Any], field: str, required: bool = True) -> str | None:
    """A one-line name or title: NFC, no control characters, not blank."""
    value = data.get(field)
    if value is None and not required:
        return None
    if value is None:
        raise Invalid(f"{field} is required", {field: "required"})
    return clean_name(value, field)


def text(data: dict[str, Any], field: str, max_len: int, required: bool = True) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            raise Invalid(f"{field} is required", {field: "required"})
        return None
    return clean_text(value, field, max_len, required=required) or None


def choice(data: dict[str, Any], field: str, options: tuple[str, ...], required: bool = True) -> str | None:
    value = data.get(field)
    if value is None and not required:
        return None
    if value not in options:
        raise Invalid(f"{field} must be one of {', '.join(options)}", {field: "not one of " + ", ".join(options)})
    return value


def moment(data: dict[str, Any], field: str, required: bool = True) -> datetime | None:
    value = data.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{field} must be an ISO 8601 time with offset", {field: "required" if value is None else "not a string"})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be an ISO 8601 time with offset", {field: "not ISO 8601"}) from None
    if parsed.tzinfo is None:
        raise Invalid(f"{field} needs a UTC offset", {field: "no offset"})
    return parsed


def path_id(request: web.Request, key: str) -> int:
    try:
        value = int(request.match_info[key])
    except ValueError:
        raise web.HTTPNotFound() from None
    return value


def query_int(request: web.Request, key: str, default: int | None = None, maximum: int | None = None) -> int | None:
    raw = request.query.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{key} must be an integer", {key: "not an integer"}) from None
    if value < 0:
        raise Invalid(f"{key} must not be negative", {key: "negative"})
    return min(value, maximum) if maximum is not None else value
