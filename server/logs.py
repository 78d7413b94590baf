"""Logging setup: one JSON object per line when DIEMCAU_LOG_FORMAT=json, plain text otherwise."""
from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

# Fields a record may carry through `extra=`; only these reach the JSON line, so nothing private leaks by accident.
FIELDS = ("conference_id", "route", "method", "path", "status", "duration_ms")

# An invitation link is a password: whoever reads it in a log file can act as that operator or delegate. The
# pattern catches the path even when it matched no route (a trailing slash, a mistyped case), which is why it is
# not read from the route's match_info; it stops where a token cannot go on, so a quoted path keeps its quote.
_SECRET_IN_PATH = re.compile(r"(/join/)[^/?#\s\"'<>\\]+", re.IGNORECASE)
# No URL of ours takes a token in its query, but a client may send one there anyway (socket.io clients can).
_SECRET_IN_QUERY = re.compile(r"([?&](?:access_)?token=)[^&#\s\"'<>]+", re.IGNORECASE)
REDACTED = "<redacted>"


def _name_only(match: re.Match[str]) -> str:
    return match.group(1) + REDACTED


def redact(path: str) -> str:
    """The request path fit for a log line: the token of a /join/ link, or a token= in a query, replaced by
    <redacted>."""
    return _SECRET_IN_QUERY.sub(_name_only, _SECRET_IN_PATH.sub(_name_only, path))


def redact_record(record: logging.LogRecord) -> bool:
    """A handler's filter: whoever logs a /join/ link or a token= (aiohttp, socket.io, our own code), it goes out
    redacted."""
    message = record.getMessage()
    if "/join/" in message.lower() or "token=" in message.lower():
        record.msg, record.args = redact(message), None
    return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message and the known fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class AccessLogger(AbstractAccessLogger):
    """One line per request, with its route name, status and duration as fields."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        info = getattr(request, "match_info", None)
        route = getattr(getattr(info, "route", None), "name", None)
        conference = info.get("conference_id") if info is not None else None
        path = redact(request.path)
        fields = {
            "method": request.method,
            "path": path,
            "route": route,
            "status": response.status,
            "duration_ms": round(time * 1000, 2),
            "conference_id": int(conference) if conference else None,
        }
        self.logger.info("%s %s %s", request.method, path, response.status, extra=fields)


def setup_logging(log_format: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(redact_record)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
