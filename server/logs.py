"""Logging setup: one JSON object per line when DIEMCAU_LOG_FORMAT=json, plain text otherwise."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

# Fields a record may carry through `extra=`; only these reach the JSON line, so nothing private leaks by accident.
FIELDS = ("conference_id", "route", "method", "path", "status", "duration_ms")


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
        conference = info.get("c") if info is not None else None
        fields = {
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": response.status,
            "duration_ms": round(time * 1000, 2),
            "conference_id": int(conference) if conference else None,
        }
        self.logger.info("%s %s %s", request.method, request.path, response.status, extra=fields)


def setup_logging(log_format: str) -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
