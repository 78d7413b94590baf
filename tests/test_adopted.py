"""What a ruling adopts into the revised draft (server.drafts.adopted): one reading for the API, the screen,
the close and the record."""
from __future__ import annotations

from typing import Any

import pytest

from schema.tables import Comment
from server.drafts.adopted import adopted_change, adopted_changes, answer
from server.drafts.revise import Change


def ruled(id_: int = 1, **fields: Any) -> Comment:
    values: dict[str, Any] = {
        "section_anchor": "dieu-2.khoan-1",
        "proposal_kind": "replace",
        "proposed_text": "1. Mới.",
        "disposition": "accepted",
        "adopted_text": None,
        "moderation": "approved",
        "duplicate_of": None,
    }
    return Comment(id=id_, **(values | fields))


def test_accepted_adopts_the_proposal_as_written() -> None:
    assert adopted_change(ruled()) == Change("dieu-2.khoan-1", "replace", "1. Mới.", 1)
    assert adopted_change(ruled(proposal_kind="delete", proposed_text=None)) == Change(
        "dieu-2.khoan-1", "delete", None, 1
    )
    # v1's bare proposed_text is a replacement.
    assert adopted_change(ruled(proposal_kind=None)) == Change("dieu-2.khoan-1", "replace", "1. Mới.", 1)


def test_a_partial_acceptance_adopts_the_counter_wording_or_nothing() -> None:
    counter = ruled(disposition="partly_accepted", adopted_text="1. Theo chủ tọa.")
    assert adopted_change(counter) == Change("dieu-2.khoan-1", "replace", "1. Theo chủ tọa.", 1)
    assert adopted_change(ruled(disposition="partly_accepted")) is None
    assert adopted_change(ruled(disposition="partly_accepted", proposal_kind="delete", proposed_text=None)) is None


@pytest.mark.parametrize("fields", [
    {"disposition": "noted"}, {"disposition": "declined"}, {"disposition": None},
    {"moderation": "pending"}, {"moderation": "rejected"},
    {"duplicate_of": 7},
    {"section_anchor": None}, {"proposal_kind": None, "proposed_text": None},
])
def test_what_adopts_nothing(fields: dict[str, Any]) -> None:
    assert adopted_change(ruled(**fields)) is None


def test_changes_come_in_the_order_the_comments_did() -> None:
    comments = [ruled(3, section_anchor="dieu-1"), ruled(1), ruled(2, disposition="noted")]
    assert [c.source for c in adopted_changes(comments)] == [1, 3]


def test_the_answer_has_the_protocols_keys_only() -> None:
    revision = {"sections": [], "renumbered": [], "references_updated": [], "conflicts": [], "ignored": [{}]}
    assert answer(revision) == {"sections": [], "renumbered": [], "references_updated": [], "conflicts": []}
    assert answer(None) == {"sections": [], "renumbered": [], "references_updated": [], "conflicts": []}
