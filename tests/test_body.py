"""A declared Body: the schema it publishes and the order in which it reads and refuses its fields."""
from __future__ import annotations

import re
from pathlib import Path

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


def refusal(body: Body, data: dict[str, object]) -> tuple[str, dict[str, str]]:
    with pytest.raises(Invalid) as refused:
        body.read(data)
    return refused.value.message, refused.value.details


def test_a_nullable_field_must_be_sent_and_null_reads_as_none() -> None:
    body = Body(Field.nullable(Field.text("reason", 10), "clears it"))
    assert body.schema["required"] == ["reason"]
    assert body.read({"reason": None}) == (None,)
    assert body.read({"reason": " Ốm "}) == ("Ốm",)
    assert refusal(body, {}) == ("reason is required (null clears it)", {"reason": "required"})
    assert refusal(body, {"reason": "x" * 11})[1] == {"reason": "is longer than 10 characters"}


def test_a_list_of_ids_and_a_batch_of_them() -> None:
    order = Body(Field.ids("order", "agenda item"))
    assert order.read({"order": []}) == ([],)
    assert order.read({"order": [2, 2]}) == ([2, 2],)
    for bad in (None, "1,2", [1, 0], [1, True], [1, 2**70]):
        assert refusal(order, {"order": bad}) == (
            "order must be a list of agenda item ids", {"order": "not a list of ids"}
        )
    batch = Body(Field.ids("ids", "comment", most=2))
    assert batch.schema["properties"]["ids"]["maxItems"] == 2
    assert batch.read({"ids": [3, 1]}) == ([3, 1],)
    assert refusal(batch, {"ids": []})[1] == {"ids": "not a non-empty list of ids"}
    assert refusal(batch, {"ids": [1, 2, 3]}) == ("At most 2 comments at once", {"ids": "more than 2"})
    assert refusal(batch, {"ids": [4, 4]}) == ("A comment appears twice", {"ids": "repeated id"})


def test_each_item_of_a_batch_is_read_and_a_bad_one_named_by_its_index() -> None:
    body = Body(Field.each("items", Body(Field.integer("id", minimum=1), Field.name("title")), "ruling", 3))
    assert body.read({"items": [{"id": 1, "title": " a "}, {"id": 2, "title": "b"}]}) == ([(1, "a"), (2, "b")],)
    assert refusal(body, {"items": []})[1] == {"items": "not a non-empty list"}
    assert refusal(body, {"items": [{}] * 4}) == ("At most 3 rulings at once", {"items": "more than 3"})
    assert refusal(body, {"items": [{"id": 1, "title": "a"}, 7]}) == (
        "items[1]: An item must be an object", {"items[1].item": "not an object"}
    )
    assert refusal(body, {"items": [{"id": 1, "title": "a"}, {"id": 0, "title": "b"}]})[1] == {
        "items[1].id": "below 1"
    }


def test_a_closed_body_refuses_unknown_fields_first_and_a_rule_runs_last() -> None:
    def one_way(data: dict[str, object], values: tuple[object, ...]) -> tuple[object, ...]:
        if all(v is None for v in values):
            raise Invalid("Give a or b", {"a": "required"})
        return values

    body = Body(Field.integer("a", required=False), Field.integer("b", required=False), closed=True, rule=one_way)
    assert body.schema["additionalProperties"] is False
    assert body.read({"b": 2}) == (None, 2)
    assert refusal(body, {"z": 1, "a": "x", "y": 2}) == (
        "Unknown field: y, z", {"y": "unknown field", "z": "unknown field"}
    )
    assert refusal(body, {"a": "x"})[1] == {"a": "not an integer"}
    assert refusal(body, {}) == ("Give a or b", {"a": "required"})


def test_handlers_read_body_fields_only_through_their_declarations() -> None:
    # A field read by a parse.* call of its own is a second description of the body, which the OpenAPI document
    # does not see. Two are read so on purpose: who a submission is for depends on the caller, and the v1 shorthand
    # proposed_text is read by the `proposal` field's reader, with the proposal it may not come with.
    expected = {("intake.py", "participant_id"), ("input.py", "proposed_text")}
    found = {
        (path.name, key)
        for path in (Path(__file__).resolve().parents[1] / "server" / "http" / "api").glob("*.py")
        for key in re.findall(r"parse\.(?:name|text|integer|choice|moment|boolean)\(data, \"(\w+)\"", path.read_text())
    }
    assert found == expected
