"""Validate socket event envelopes and their payloads against the JSON Schemas in schema/events/."""
from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema" / "events"
NOT_EVENTS = frozenset({"envelope", "common"})
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

format_checker = FormatChecker()


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time with an offset (jsonschema checks it only when rfc3339-validator is installed)."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


def schema_files() -> dict[str, Path]:
    """Every schema file by its stem: `envelope`, `common` and one per event type."""
    return {path.name.removesuffix(".json"): path for path in sorted(SCHEMA_DIR.glob("*.json"))}


@cache
def _load() -> tuple[Draft202012Validator, dict[str, Draft202012Validator]]:
    schemas = {name: json.loads(path.read_text(encoding="utf-8")) for name, path in schema_files().items()}
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(schemas[name], registry=registry, format_checker=format_checker)

    payloads = {name: validator(name) for name in schemas if name not in NOT_EVENTS}
    return validator("envelope"), payloads


def event_types() -> frozenset[str]:
    """The event types that have a payload schema."""
    return frozenset(_load()[1])


def validate_data(type_: str, data: Any) -> None:
    """Check one payload against its type's schema; an unknown type is an error."""
    validators = _load()[1]
    if type_ not in validators:
        raise ValidationError(f"no schema for event type {type_!r}", validator="enum", path=["type"], instance=type_)
    error = _first_error(validators[type_], data)
    if error is not None:
        error.path.appendleft("data")
        raise error


def validate_event(envelope: dict[str, Any]) -> None:
    """Check an envelope `{seq, type, conference_id, at, data}` and its `data` against the schema of its `type`."""
    error = _first_error(_load()[0], envelope)
    if error is not None:
        raise error
    validate_data(envelope["type"], envelope["data"])


def _first_error(validator: Draft202012Validator, instance: Any) -> ValidationError | None:
    return best_match(validator.iter_errors(instance))
