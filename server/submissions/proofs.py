"""Where a receipt stands: which contribution it was given for, and whether the frozen record holds it, with proof.

A receipt is shown to its author and to staff alone; to anyone else it is as unknown as one never given, so that
nobody can learn by asking whether a guessed receipt exists.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Comment, Conference, Remark
from server.errors import BadRequest, NotFound
from server.sentences import provision
from server.submissions.operations import comment_numbers
from server.submissions.receipts import is_receipt, merkle_proof, record_leaves


def unknown(receipt: str) -> NotFound:
    return NotFound("No such receipt in this conference", {"receipt": receipt})


async def _remark_number(session: AsyncSession, remark: Remark) -> int | None:
    """Its number among the record's remarks (approved ones, in the order they came in); None when not among them."""
    if remark.moderation != "approved":
        return None
    before = or_(
        Remark.created_at < remark.created_at, and_(Remark.created_at == remark.created_at, Remark.id < remark.id)
    )
    count = await session.scalar(select(func.count(Remark.id)).where(
        Remark.conference_id == remark.conference_id, Remark.moderation == "approved", before))
    return (count or 0) + 1


async def _found(session: AsyncSession, conference_id: int, receipt: str) -> tuple[int | None, dict[str, Any]] | None:
    """The author of the contribution given this receipt, and what the answer says of it: kind, id, number and, for
    a comment, the provision it is on."""
    comment = await session.scalar(
        select(Comment).where(Comment.conference_id == conference_id, Comment.receipt == receipt)
    )
    if comment is not None:
        numbers = await comment_numbers(session, conference_id, [comment.id])
        anchor = comment.section_anchor
        return comment.participant_id, {"kind": "comment", "id": comment.id, "number": numbers[comment.id],
                                        "section": None if anchor is None else provision(anchor, "vi")}
    remark = await session.scalar(
        select(Remark).where(Remark.conference_id == conference_id, Remark.receipt == receipt)
    )
    if remark is None:
        return None
    return remark.participant_id, {"kind": "remark", "id": remark.id, "number": await _remark_number(session, remark),
                                   "section": None}


async def receipt_status(session: AsyncSession, conference_id: int, receipt: str, author: int | None) -> dict[str, Any]:
    """The receipt's contribution and its place in the frozen record; `author` limits it to that participant's own
    (None: staff, who may ask about any)."""
    if not is_receipt(receipt):
        raise BadRequest("A receipt is 64 lowercase hexadecimal digits", {"receipt": "malformed"}, code="invalid")
    found = await _found(session, conference_id, receipt)
    if found is None or (author is not None and found[0] != author):
        raise unknown(receipt)
    conference = await session.get(Conference, conference_id)
    assert conference is not None
    frozen = conference.summary_json if conference.summary_sha256 is not None else None
    # A record frozen before receipts existed publishes no root: it proves nothing, so it includes nothing.
    receipts = None if frozen is None else frozen.get("receipts")
    leaves = [] if frozen is None or receipts is None else record_leaves(frozen)
    included = receipt in leaves
    return {
        **found[1],
        "included": included,
        "frozen_sha256": conference.summary_sha256,
        "root": None if receipts is None else receipts["root"],
        "proof": merkle_proof(leaves, leaves.index(receipt)) if included else None,
    }
