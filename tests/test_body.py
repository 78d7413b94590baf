"""A declared Body: the schema it publishes and the order in which it reads and refuses its fields."""
from __future__ import annotations

import pytest

from server.errors import Invalid
from server.http.body import Body, Field

BODY = Body(
    Field.name("title"),
    Field.integer("minutes", minimum=1).at_most(60, "minutes is at most an hour"),
    Field.text("note", 500, required=False),
    Field.by_hand("who", {"type": "integer"}),
)


def test_the_schema_comes_from_the_fields() -> None:
    assert BODY.schema == {
        "type": "object",
        "properties": {
            "title": {"type": "string", "maxLength": 300},
            "minutes": {"type": "integer", "minimum": 1, "maximum": 60},
            "note": {"type": "string", "maxLength": 500},
            "who": {"type": "integer"},
        },
        "required": ["title", "minutes"],
    }
    assert "required" not in Body(*BODY.fields, partial=True).schema


def test_fields_are_read_in_order_and_the_first_bad_one_is_refused() -> None:
    assert BODY.read({"title": " A  b ", "minutes": 5, "who": "read by hand"}) == ("A b", 5, None)
    with pytest.raises(Invalid) as first:
        BODY.read({"title": "", "minutes": 61})
    assert first.value.details == {"title": "must not be empty"}
    with pytest.raises(Invalid) as capped:
        BODY.read({"title": "t", "minutes": 61, "note": 3})
    assert (capped.value.message, capped.value.details) == ("minutes is at most an hour", {"minutes": "too large"})


def test_a_partial_body_reads_only_what_is_sent() -> None:
    assert Body(*BODY.fields, partial=True).changes({"note": "n", "who": 1}) == {"note": "n"}
    with pytest.raises(Invalid) as refused:
        Body(*BODY.fields, partial=True).changes({"title": None})
    assert refused.value.details == {"title": "required"}
