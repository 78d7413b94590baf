"""A JSON request body declared once, field by field: each field knows its JSON Schema, which the OpenAPI document
publishes, and the parse.* call that reads it, so the document and the handler cannot disagree."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from server.errors import Invalid
from server.http import parse
from server.http.openapi_schemas import BOOLEAN, INTEGER, MOMENT, STRING, Schema, enum, obj

Reader = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Field:
    """One field of a body: `required` is what the schema says; `read` is None for a field the handler reads itself."""

    key: str
    schema: Schema
    required: bool
    read: Reader | None

    def at_most(self, maximum: int, message: str) -> Field:
        """This integer field, refused with `message` above `maximum` as soon as it is read."""
        read = self.read
        assert read is not None

        def capped(data: dict[str, Any]) -> Any:
            value = read(data)
            if value is not None and value > maximum:
                raise Invalid(message, {self.key: "too large"})
            return value

        return replace(self, schema={**self.schema, "maximum": maximum}, read=capped)

    @staticmethod
    def name(key: str, required: bool = True) -> Field:
        """A one-line name or title (parse.name)."""
        return Field(key, {**STRING, "maxLength": 300}, required, lambda data: parse.name(data, key, required))

    @staticmethod
    def text(key: str, max_len: int, required: bool = True, schema: Schema | None = None) -> Field:
        """Text of at most `max_len` characters (parse.text); `schema` where the document says more."""
        published = schema or {**STRING, "maxLength": max_len}
        return Field(key, published, required, lambda data: parse.text(data, key, max_len, required))

    @staticmethod
    def choice(key: str, options: tuple[str, ...], required: bool = True) -> Field:
        """One of `options` (parse.choice)."""
        return Field(key, enum(options), required, lambda data: parse.choice(data, key, options, required))

    @staticmethod
    def integer(key: str, required: bool = True, minimum: int | None = None, schema: Schema | None = None) -> Field:
        """An integer that fits (parse.integer); `schema` where the document says more than the parser checks."""
        published = schema or (INTEGER if minimum is None else {**INTEGER, "minimum": minimum})
        return Field(key, published, required, lambda data: parse.integer(data, key, required, minimum))

    @staticmethod
    def boolean(key: str, default: bool = False) -> Field:
        """true or false, `default` when absent (parse.boolean)."""
        return Field(key, BOOLEAN, False, lambda data: parse.boolean(data, key, default))

    @staticmethod
    def moment(key: str, required: bool = True) -> Field:
        """An ISO 8601 time with offset (parse.moment)."""
        return Field(key, MOMENT, required, lambda data: parse.moment(data, key, required))

    @staticmethod
    def custom(key: str, schema: Schema, read: Reader) -> Field:
        """A field with a reader of its own, such as a nested object's."""
        return Field(key, schema, False, read)

    @staticmethod
    def by_hand(key: str, schema: Schema, required: bool = False) -> Field:
        """A field the handler reads itself, because its rule depends on more than its own value."""
        return Field(key, schema, required, None)


class Body:
    """The fields of a JSON body in the order they are read: the first refusal is that of the first bad field.

    A `partial` body (a PATCH's) requires none of its fields: each one sent is read as its Field says.
    """

    def __init__(self, *fields: Field, partial: bool = False) -> None:
        self.fields = fields
        self.partial = partial

    @property
    def schema(self) -> Schema:
        required = () if self.partial else tuple(f.key for f in self.fields if f.required)
        return obj(required, **{f.key: f.schema for f in self.fields})

    def read(self, data: dict[str, Any]) -> tuple[Any, ...]:
        """The values of the fields not read by hand, in their declared order."""
        return tuple(f.read(data) for f in self.fields if f.read is not None)

    def changes(self, data: dict[str, Any]) -> dict[str, Any]:
        """The fields `data` sends, each read, in the declared order."""
        return {f.key: f.read(data) for f in self.fields if f.read is not None and f.key in data}
