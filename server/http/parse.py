"""Read request bodies and query values into typed values, or refuse them with field details."""
from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from server.errors import BadRequest, Invalid, TooLarge
from server.keys import settings_key
from server.lookup import fits
from server.text import clean_name, clean_text

MISSING = object()
MAX_DEPTH = 32
MAX_FORM_FIELDS = 20
# Times a workshop can have; near year 1 or 9999 converting zones or adding the agenda's minutes overflows.
YEARS = range(1900, 3000)


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


body_key = web.RequestKey("json_body", dict)


async def body_bytes(request: web.Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes, whatever Content-Length says."""
    if (request.content_length or 0) > limit:
        raise TooLarge(f"The body is over {limit} bytes", {"limit": limit})
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The body is over {limit} bytes", {"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def _no_constant(name: str) -> None:
    raise Invalid(f"{name} is not a JSON number", {"body": "NaN or Infinity"})


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise Invalid(f"{literal[:40]} is too large a number", {"body": "number out of range"})
    return value


def json_value(raw: bytes) -> Any:
    """Strict JSON: UTF-8, finite numbers only, nesting refused before it can exhaust the stack."""
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise Invalid("The body is nested too deeply", {"body": "too deep"}) from None
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON", code="invalid_json") from None
    if _depth(data) > MAX_DEPTH:
        raise Invalid("The body is nested too deeply", {"body": "too deep"})
    return data


async def json_body(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object, at most the configured size."""
    raw = await body_bytes(request, request.app[settings_key].max_body_bytes)
    if not raw:
        return {}
    data = json_value(raw)
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object", {"body": "not an object"})
    # Kept for the audit trail, which records what a staff member sent with each write.
    request[body_key] = data
    return data


async def form_fields(request: web.Request) -> dict[str, str]:
    """A URL-encoded form (the sign-in page's), at most the configured size, each field's first value."""
    raw = await body_bytes(request, request.app[settings_key].max_body_bytes)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The form is malformed", code="bad_form") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def integer(data: dict[str, Any], name: str, required: bool = True, minimum: int | None = None) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise Invalid(f"{name} is required", {name: "required"})
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} must be an integer", {name: "not an integer"})
    if not fits(value):
        raise Invalid(f"{name} is out of range", {name: "out of range"})
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
    value: str | None = data.get(field)
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
        raise Invalid(
            f"{field} must be an ISO 8601 time with offset", {field: "required" if value is None else "not a string"}
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be an ISO 8601 time with offset", {field: "not ISO 8601"}) from None
    if parsed.tzinfo is None:
        raise Invalid(f"{field} needs a UTC offset", {field: "no offset"})
    if parsed.year not in YEARS:
        raise Invalid(f"{field} must fall in the years {YEARS.start} to {YEARS.stop - 1}", {field: "out of range"})
    return parsed


@contextmanager
def multipart_errors() -> Iterator[None]:
    """Around reading a multipart body: aiohttp refuses a malformed one (bad boundary, bad part header) with
    ValueError or its own HTTP errors, which would otherwise surface as a 500; it is the client's 400."""
    try:
        yield
    except (ValueError, HttpProcessingError) as error:
        raise BadRequest("The multipart body is malformed", {"body": str(error)[:200]}, code="bad_multipart") from None


async def form_parts(request: web.Request) -> AsyncIterator[BodyPartReader]:
    """The parts of a multipart body (nested multiparts skipped), refusing a malformed body with 400."""
    with multipart_errors():
        reader = await request.multipart()
    while True:
        with multipart_errors():
            part = await reader.next()
        if part is None:
            return
        if isinstance(part, BodyPartReader):
            yield part


path_ids_key = web.RequestKey("path_ids", dict)


def path_id(request: web.Request, key: str) -> int:
    """The URL's id `key`: an int that fits, else 404 before anything is looked up; parsed once per request."""
    ids: dict[str, int] = request.setdefault(path_ids_key, {})
    if key not in ids:
        try:
            value = int(request.match_info[key])
        except ValueError:
            raise web.HTTPNotFound() from None
        if not fits(value):
            raise web.HTTPNotFound()
        ids[key] = value
    return ids[key]


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
    if maximum is not None:
        return min(value, maximum)
    if not fits(value):
        raise Invalid(f"{key} is out of range", {key: "out of range"})
    return value
