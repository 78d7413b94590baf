"""A JSON request body declared once, field by field: each field knows its JSON Schema, which the OpenAPI document
publishes, and the parse.* call that reads it, so the document and the handler cannot disagree."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from server.errors import Invalid
from server.http import parse
from server.http.openapi_schemas import BOOLEAN, ID, INTEGER, MOMENT, STRING, Schema, enum, nullable, obj
from server.lookup import fits

Reader = Callable[[dict[str, Any]], Any]
# A body's rule beyond its fields: given the body and the values its fields read, the values the handler gets.
Rule = Callable[[dict[str, Any], tuple[Any, ...]], tuple[Any, ...]]


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

    def of(self, data: dict[str, Any]) -> Any:
        """The field's value in `data`, read as its kind says (for a body's rule)."""
        assert self.read is not None, f"{self.key} is read by hand"
        return self.read(data)

    def deferred(self) -> Field:
        """This field in its body's schema, as optional, for the body's rule to read when another field asks for it."""
        return replace(self, required=False, read=None)

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
    def custom(key: str, schema: Schema, read: Reader, required: bool = False) -> Field:
        """A field with a reader of its own, such as a nested object's."""
        return Field(key, schema, required, read)

    @staticmethod
    def nullable(field: Field, null_means: str) -> Field:
        """`field`, which must be sent, or null: `null_means` says what a null does, and it reads as None."""
        key, read = field.key, field.read
        assert read is not None

        def sent(data: dict[str, Any]) -> Any:
            if key not in data:
                raise Invalid(f"{key} is required (null {null_means})", {key: "required"})
            return None if data[key] is None else read(data)

        return Field(key, nullable(field.schema), True, sent)

    @staticmethod
    def ids(key: str, noun: str, most: int | None = None) -> Field:
        """A list of ids, each of a `noun`. With `most`, a batch: 1 to `most` of them, each once."""
        batch = most is not None
        schema: Schema = {"type": "array", "items": ID}
        if batch:
            schema = {**schema, "minItems": 1, "maxItems": most, "uniqueItems": True}

        def read(data: dict[str, Any]) -> list[int]:
            ids = data.get(key)
            if not isinstance(ids, list) or (batch and not ids) or not all(fits(i) and i > 0 for i in ids):
                listed = "a non-empty list" if batch else "a list"
                raise Invalid(f"{key} must be {listed} of {noun} ids", {key: f"not {listed} of ids"})
            if most is not None and len(ids) > most:
                raise Invalid(f"At most {most} {noun}s at once", {key: f"more than {most}"})
            if batch and len(set(ids)) != len(ids):
                raise Invalid(f"A {noun} appears twice", {key: "repeated id"})
            return ids

        return Field(key, schema, True, read)

    @staticmethod
    def each(key: str, item: Body, noun: str, most: int) -> Field:
        """A batch of 1 to `most` objects, each read by `item`; a refusal names the first bad one by its index."""
        schema: Schema = {"type": "array", "items": item.schema, "minItems": 1, "maxItems": most}

        def read(data: dict[str, Any]) -> list[tuple[Any, ...]]:
            items = data.get(key)
            if not isinstance(items, list) or not items:
                raise Invalid(f"{key} must be a non-empty list", {key: "not a non-empty list"})
            if len(items) > most:
                raise Invalid(f"At most {most} {noun}s at once", {key: f"more than {most}"})
            found = []
            for index, one in enumerate(items):
                try:
                    if not isinstance(one, dict):
                        raise Invalid("An item must be an object", {"item": "not an object"})
                    found.append(item.read(one))
                except Invalid as error:
                    raise Invalid(
                        f"{key}[{index}]: {error.message}", {f"{key}[{index}].{k}": v for k, v in error.details.items()}
                    ) from None
            return found

        return Field(key, schema, True, read)

    @staticmethod
    def by_hand(key: str, schema: Schema, required: bool = False) -> Field:
        """A field the handler reads itself, because its rule depends on more than its own value."""
        return Field(key, schema, required, None)


class Body:
    """The fields of a JSON body in the order they are read: the first refusal is that of the first bad field.

    A `partial` body (a PATCH's) requires none of its fields: each one sent is read as its Field says. A `closed`
    body refuses any other field before it reads one. A `rule` checks what depends on more than one field (and
    reads the fields whose rule depends on another's value), after the fields are read.
    """

    def __init__(self, *fields: Field, partial: bool = False, closed: bool = False, rule: Rule | None = None) -> None:
        self.fields = fields
        self.partial = partial
        self.closed = closed
        self.rule = rule

    @property
    def schema(self) -> Schema:
        required = () if self.partial else tuple(f.key for f in self.fields if f.required)
        shape = obj(required, **{f.key: f.schema for f in self.fields})
        return {**shape, "additionalProperties": False} if self.closed else shape

    def read(self, data: dict[str, Any]) -> tuple[Any, ...]:
        """The values of the fields not read by hand, in their declared order, as the rule leaves them."""
        if self.closed:
            unknown = sorted(set(data) - {f.key for f in self.fields})
            if unknown:
                raise Invalid(f"Unknown field: {', '.join(unknown)}", {name: "unknown field" for name in unknown})
        values = tuple(f.read(data) for f in self.fields if f.read is not None)
        return values if self.rule is None else self.rule(data, values)

    def changes(self, data: dict[str, Any]) -> dict[str, Any]:
        """The fields `data` sends, each read, in the declared order."""
        return {f.key: f.read(data) for f in self.fields if f.read is not None and f.key in data}
