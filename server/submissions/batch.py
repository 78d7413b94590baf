"""Comments and remarks queued together: checked against one load of their authors, inserted in one statement.

The refusals are those of the single operations (submissions/operations.py), built by the same functions, so
a comment refused here reads the same as one refused there.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import (
    AgendaItem,
    Comment,
    Conference,
    Remark,
    utcnow,
)
from server import events
from server.attendance.room import room_of
from server.drafts.operations import current_draft
from server.errors import DomainError
from server.inserts import insert_rows
from server.lookup import missing
from server.participants.operations import not_present
from server.submissions.attachments import Attachment
from server.submissions.intake import author, read_intake
from server.submissions.operations import (
    ON_BEHALF,
    author_of,
    comment_view,
    initial_moderation,
    remark_view,
    unknown_anchor,
)
from server.submissions.proposals import Proposal, fits, needs_anchor, section_kinds
from server.submissions.receipts import comment_receipt, remark_receipt
from server.submissions.search import search_key
from server.writes import Outcome, Step

COMMENTS = Comment.__table__


@dataclass(frozen=True)
class _Intake:
    """What every submission of a run is checked against: the conference, the authors with their points' names,
    and which of those filed by an operator are present."""

    conference: Row[Any] | None
    people: dict[int, Row[Any]]
    present: set[int]

    def checked_author(self, conference_id: int, step: Submission) -> Row[Any]:
        """The step's author, refused as the single operations refuse it."""
        person = author(conference_id, self.conference, self.people, step.participant_id, step.at_point)
        if step.on_behalf and person.id not in self.present:
            raise not_present(person.id, ON_BEHALF)
        return person


async def _intake(session: AsyncSession, conference_id: int, steps: Sequence[Submission]) -> _Intake:
    conference, people = await read_intake(
        session, conference_id, [s.participant_id for s in steps], Conference.premoderation
    )
    filed = [people[s.participant_id] for s in steps if s.on_behalf and s.participant_id in people]
    room = await room_of(session, filed)
    return _Intake(conference, people, {p.id for p in filed if room.stay_of(p.id) is not None})


async def _stamp(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], ids: list[int], made: Callable[[Any], str]
) -> None:
    """Give each new row its receipt (`made` of the row as stored), written in the transaction that inserted it.

    A second statement, because the receipt covers the row's id, which only the insert gives.
    """
    for row, row_id in zip(rows, ids, strict=True):
        row.update(id=row_id, receipt=made(SimpleNamespace(**row, id=row_id)))
    await session.execute(
        update(table).where(table.c.id == bindparam("row_id")).values(receipt=bindparam("row_receipt")),
        [{"row_id": row["id"], "row_receipt": row["receipt"]} for row in rows],
    )


def _accepted(steps: list[Any], check: Any) -> tuple[list[Outcome], list[tuple[Any, Outcome, Row[Any]]]]:
    """One outcome per step; the ones `check` lets through, with their authors."""
    outcomes: list[Outcome] = []
    accepted = []
    for step in steps:
        outcome = Outcome()
        outcomes.append(outcome)
        try:
            person = check(step)
        except DomainError as error:
            outcome.error = error
            continue
        accepted.append((step, outcome, person))
    return outcomes, accepted


async def _run_comments(session: AsyncSession, conference_id: int, steps: list[SubmitComment]) -> list[Outcome]:
    intake = await _intake(session, conference_id, steps)
    draft = await current_draft(session, conference_id)
    named = {s.section_anchor for s in steps if s.section_anchor is not None}
    kinds = await section_kinds(session, draft.id if draft else None, named)

    def check(step: SubmitComment) -> Row[Any]:
        person = intake.checked_author(conference_id, step)
        proposal = step.proposal
        if proposal is not None:
            needs_anchor(step.section_anchor)
        if step.section_anchor is not None:
            if step.section_anchor not in kinds:
                raise unknown_anchor()
            fits(proposal, kinds[step.section_anchor])
        return person

    outcomes, accepted = _accepted(steps, check)
    if not accepted:
        return outcomes
    assert intake.conference is not None
    # A comment's number is its place among every comment of the conference: those before, then this run's in order.
    before = await session.scalar(select(func.count(Comment.id)).where(Comment.conference_id == conference_id)) or 0
    now, moderation = utcnow(), initial_moderation(intake.conference)
    rows = [
        {"conference_id": conference_id, "participant_id": person.id, "point_id": person.point_id,
         "draft_id": draft.id if draft else None, "draft_revision": draft.revision if draft else None,
         "section_anchor": step.section_anchor, "body": step.body, "proposed_text": step.proposed_text, "revision": 1,
         "proposal_kind": step.proposal and step.proposal.kind, "author_kind": "participant",
         "search_key": search_key(step.body, step.proposed_text, person.full_name, person.point_name),
         "moderation": moderation, "submitted_by": step.actor, "created_at": now}
        for step, _, person in accepted
    ]
    ids = await insert_rows(session, COMMENTS, rows, ("participant_id", "section_anchor", "body", "proposed_text"))
    await _stamp(session, COMMENTS, rows, ids, comment_receipt)
    numbers = {comment_id: number for number, comment_id in enumerate(sorted(ids), start=before + 1)}
    items = []
    for row, (_, outcome, person) in zip(rows, accepted, strict=True):
        outcome.answer = comment_view(Comment(**row), [], numbers, author_of(person, person.point_name))
        items.append((payloads.comment_submitted(outcome.answer), events.for_participant(person.id, person.point_id)))
    for (_, outcome, _), event in zip(accepted, await events.append_many(session, conference_id, items), strict=True):
        outcome.events = [event]
    return outcomes


async def _run_remarks(session: AsyncSession, conference_id: int, steps: list[SubmitRemark]) -> list[Outcome]:
    intake = await _intake(session, conference_id, steps)
    named = {s.agenda_item_id for s in steps if s.agenda_item_id is not None}
    items_here = (
        set(
            await session.scalars(
                select(AgendaItem.id).where(AgendaItem.conference_id == conference_id, AgendaItem.id.in_(named))
            )
        )
        if named
        else set()
    )

    def check(step: SubmitRemark) -> Row[Any]:
        person = intake.checked_author(conference_id, step)
        if step.agenda_item_id is not None and step.agenda_item_id not in items_here:
            raise missing("agenda item", "item_id", step.agenda_item_id)
        return person

    outcomes, accepted = _accepted(steps, check)
    if not accepted:
        return outcomes
    assert intake.conference is not None
    now, moderation = utcnow(), initial_moderation(intake.conference)
    rows = []
    for step, _, person in accepted:
        file = step.attachment
        rows.append({
            "conference_id": conference_id, "participant_id": person.id, "point_id": person.point_id,
            "agenda_item_id": step.agenda_item_id, "title": step.title, "body": step.body,
            "search_key": search_key(step.title, step.body, person.full_name, person.point_name),
            "moderation": moderation, "submitted_by": step.actor, "created_at": now,
            "attachment_sha256": file and file.sha256, "attachment_name": file and file.name,
            "attachment_type": file and file.type, "attachment_size": file and file.size,
        })
    items = []
    ids = await insert_rows(
        session, Remark.__table__, rows, ("participant_id", "agenda_item_id", "title", "body", "attachment_sha256")
    )
    await _stamp(session, Remark.__table__, rows, ids, remark_receipt)
    for row, (_, outcome, person) in zip(rows, accepted, strict=True):
        outcome.answer = remark_view(Remark(**row), author_of(person, person.point_name))
        items.append((payloads.remark_submitted(outcome.answer), events.for_participant(person.id, person.point_id)))
    for (_, outcome, _), event in zip(accepted, await events.append_many(session, conference_id, items), strict=True):
        outcome.events = [event]
    return outcomes


@dataclass(frozen=True, eq=False)
class Submission(Step):
    """Input from a participant, or filed for one by its point's operator (`on_behalf`, who must be present)."""

    participant_id: int
    actor: str
    at_point: int | None
    on_behalf: bool

    @property
    def key(self) -> Hashable:
        # Submissions never depend on one another: any number of one author's share a run.
        return id(self)


@dataclass(frozen=True, eq=False)
class SubmitComment(Submission):
    """A comment on the current draft, on one of its sections or on the whole."""

    section_anchor: str | None
    body: str
    # The proposal's text (None for a deletion): v1's `proposed_text`, which alone means a replacement.
    proposed_text: str | None
    proposal_kind: str | None = None

    @property
    def proposal(self) -> Proposal | None:
        if self.proposal_kind is None and self.proposed_text is None:
            return None
        return Proposal(self.proposal_kind or "replace", self.proposed_text)

    run = staticmethod(_run_comments)


@dataclass(frozen=True, eq=False)
class SubmitRemark(Submission):
    """A written remark (tham luận), perhaps on an agenda item, perhaps with a file already stored."""

    title: str
    body: str
    agenda_item_id: int | None
    attachment: Attachment | None

    run = staticmethod(_run_remarks)
