"""Compile a conference's closing summary into one plain, JSON-ready and deterministic model."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, distinct, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import (
    DISPOSITIONS,
    AgendaItem,
    AuditEntry,
    Checkin,
    Comment,
    Conference,
    DraftSection,
    Participant,
    Point,
    Remark,
    SpeakingRequest,
    User,
)
from server.drafts.adopted import adopted_changes, latest_draft
from server.errors import NotFound
from server.sentences import provision, sentence
from server.speaking.limits import duration
from server.submissions.operations import SECRETARIAT
from server.submissions.receipts import comment_receipt, record_receipts, remark_receipt
from server.summary.document import document_part
from server.summary.revision import revised_draft
from server.summary.statement import generated_statement

DISPOSITION_LABELS: dict[str | None, str] = {
    "accepted": "Tiếp thu",
    "partly_accepted": "Tiếp thu một phần",
    "noted": "Ghi nhận",
    "declined": "Giải trình, không tiếp thu",
    None: "Chưa xử lý",
}
GENERAL_HEADING = "Góp ý chung"
APPROVED = "approved"


def _natural(anchor: str) -> tuple[Any, ...]:
    # "dieu-10" after "dieu-9": split keeps str and int in the same slots, so the tuples compare.
    return tuple(int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", anchor))


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    # Half up: round() would print a 2 m 30 s item as 2 minutes, which reads as a mistake on paper.
    return math.floor((end - start).total_seconds() / 60 + 0.5)


def rate(present: int, expected: int) -> str:
    """Attendance as Vietnamese writes a percentage: one decimal, a decimal comma ("85,7%")."""
    if not expected:
        return ""
    return f"{present * 100 / expected:.1f}".replace(".", ",") + "%"


class _Attended(NamedTuple):
    """What the record counts at one point (or in all): the roster, and who attended at any time."""

    expected: int = 0
    invited_present: int = 0
    represented: int = 0
    substitutes: int = 0
    walk_ins: int = 0


def _figures(a: _Attended) -> dict[str, Any]:
    """The record's figures in the protocol's order; `present` keeps v1's meaning: everyone counted."""
    people = a.invited_present + a.substitutes + a.walk_ins
    return {
        "expected": a.expected,
        "invited_present": a.invited_present,
        "represented": a.represented,
        "absent": a.expected - a.invited_present - a.represented,
        "rate": rate(a.invited_present, a.expected),
        "substitutes": a.substitutes,
        "walk_ins": a.walk_ins,
        "people": people,
        "present": people,
    }


class _Person(NamedTuple):
    full_name: str
    position: str | None
    organization: str | None


class _Compiler:
    """The rows of one conference, already loaded, and how each part of the summary reads them."""

    def __init__(self, conference: Conference, points: Sequence[Point], people: dict[int, _Person]) -> None:
        self.conference = conference
        self.zone = ZoneInfo(conference.timezone)
        self.points = sorted(points, key=lambda p: (not p.is_host, p.code, p.id))
        self.point_names = {p.id: p.name for p in points}
        self.people = people

    def when(self, value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(self.zone).isoformat()

    def name(self, participant_id: int | None) -> str | None:
        return None if participant_id is None else self.people[participant_id].full_name

    def conference_part(self) -> dict[str, Any]:
        c = self.conference
        host = next((p.name for p in self.points if p.is_host), None)
        return {
            "id": c.id,
            "title": c.title,
            "starts_at": self.when(c.starts_at),
            "venue": c.venue,
            "chair_name": c.chair_name,
            "status": c.status,
            "timezone": c.timezone,
            "points_count": sum(1 for p in self.points if not p.is_host),
            "host_point": host,
        }

    def attendance(self, counted: dict[int, _Attended]) -> dict[str, Any]:
        """Per point and in all: invited present + represented + absent = expected; people = present + stand-ins."""
        rows = []
        for point in self.points:
            row = {"point_id": point.id, "code": point.code, "name": point.name, "is_host": point.is_host}
            rows.append({**row, **_figures(counted.get(point.id, _Attended()))})
        totals = _figures(_Attended(*(sum(getattr(a, f) for a in counted.values()) for f in _Attended._fields)))
        return {"points": rows, "totals": totals}

    def absentees(self, people: Sequence[Participant]) -> list[dict[str, Any]]:
        order = {p.id: index for index, p in enumerate(self.points)}
        return [
            {
                "point": self.point_names[p.point_id],
                "full_name": p.full_name,
                "position": p.position,
                "organization": p.organization,
                "absence_reason": p.absence_reason,
            }
            for p in sorted(people, key=lambda p: (order[p.point_id], p.sort_key, p.id))
        ]

    def _in_point_order(self, stays: Sequence[Checkin]) -> list[Checkin]:
        order = {p.id: index for index, p in enumerate(self.points)}
        return sorted(stays, key=lambda c: (order[c.point_id], c.id))

    def substitutions(self, stays: Sequence[Checkin]) -> list[dict[str, Any]]:
        return [
            {
                "point": self.point_names[c.point_id],
                "full_name": self.name(c.participant_id),
                "substitute_for": self.name(c.substitute_for_id),
            }
            for c in self._in_point_order([c for c in stays if c.substitute_for_id is not None])
        ]

    def walk_ins(self, stays: Sequence[Checkin]) -> list[dict[str, Any]]:
        return [
            {
                "point": self.point_names[c.point_id],
                "full_name": self.name(c.participant_id),
                "organization": self.people[c.participant_id].organization,
            }
            for c in self._in_point_order([c for c in stays if c.walk_in and c.substitute_for_id is None])
        ]

    def agenda(self, items: Sequence[AgendaItem]) -> list[dict[str, Any]]:
        rows = []
        planned = self.conference.starts_at
        for item in items:
            actual = _minutes(item.started_at, item.finished_at)
            planned_end = planned + timedelta(minutes=item.planned_minutes)
            rows.append({
                "id": item.id,
                "position": item.position,
                "title": item.title,
                "kind": item.kind,
                "presenter": item.presenter,
                "point": None if item.point_id is None else self.point_names[item.point_id],
                "planned_minutes": item.planned_minutes,
                "planned_start": self.when(planned),
                "planned_end": self.when(planned_end),
                "status": item.status,
                "started_at": self.when(item.started_at),
                "finished_at": self.when(item.finished_at),
                "actual_minutes": actual,
                "overrun_minutes": None if actual is None else max(0, actual - item.planned_minutes),
            })
            planned = planned_end
        return rows

    def speakers(self, requests: Sequence[SpeakingRequest]) -> list[dict[str, Any]]:
        return [
            {
                "full_name": self.name(r.participant_id),
                "point": self.point_names[r.point_id],
                "topic": r.topic,
                "started_at": self.when(r.started_at),
                "finished_at": self.when(r.finished_at),
                "duration_seconds": duration(r),
            }
            for r in requests
        ]

    def remarks(self, remarks: Sequence[Remark], item_titles: dict[int, str]) -> list[dict[str, Any]]:
        return [
            {
                "id": r.id,
                "title": r.title,
                "author": self.people[r.participant_id].full_name,
                "position": self.people[r.participant_id].position,
                "organization": self.people[r.participant_id].organization,
                "point": self.point_names[r.point_id],
                "agenda_item": None if r.agenda_item_id is None else item_titles[r.agenda_item_id],
                "body": r.body,
                "submitted_at": self.when(r.created_at),
                "receipt": remark_receipt(r),
            }
            for r in remarks
        ]

    def author(self, comment: Comment) -> dict[str, Any]:
        if comment.participant_id is None or comment.point_id is None:
            return {"name": SECRETARIAT, "organization": None, "point": None}
        person = self.people[comment.participant_id]
        return {
            "name": person.full_name,
            "organization": person.organization,
            "point": self.point_names[comment.point_id],
        }

    def comment_row(self, comment: Comment, copies: Sequence[Comment]) -> dict[str, Any]:
        return {
            "id": comment.id,
            "anchor": comment.section_anchor,
            "provision": None if comment.section_anchor is None else provision(comment.section_anchor, "vi"),
            "body": comment.body,
            "authors": [self.author(c) for c in (comment, *copies)],
            "proposed_text": comment.proposed_text,
            "proposal_kind": comment.proposal_kind,
            "author_kind": comment.author_kind,
            "disposition": comment.disposition,
            "disposition_label": DISPOSITION_LABELS.get(comment.disposition, comment.disposition),
            "response": comment.response,
            "adopted_text": comment.adopted_text,
            "author_answer": None if comment.author_answered_at is None else {
                "agrees": comment.author_agrees, "text": comment.author_answer,
            },
            # Of the row as it stands, not the stored receipt: input altered after it was given no longer matches.
            "receipt": comment_receipt(comment),
            "merged_receipts": [comment_receipt(c) for c in copies],
        }

    def comments(
        self, comments: Sequence[Comment], sections: dict[str, DraftSection], numbers: dict[int, int]
    ) -> list[dict[str, Any]]:
        """The report's table: general comments, then article by article in the draft's order, then the rest.

        A merged duplicate is no row of its own: its author joins the row of the comment it repeats. Each row
        carries the comment's own number (`numbers`), the one the chair's inbox and the audit trail cite.
        """
        copies: dict[int, list[Comment]] = defaultdict(list)
        for comment in comments:
            if comment.duplicate_of is not None:
                copies[comment.duplicate_of].append(comment)
        shown = {c.id for c in comments}
        placed: list[tuple[tuple[Any, ...], tuple[int, int], dict[str, Any], Comment]] = []
        for comment in comments:
            # A copy whose original is not shown (held or rejected) stands on its own.
            if comment.duplicate_of is not None and comment.duplicate_of in shown:
                continue
            anchor = comment.section_anchor
            if anchor is None:
                placed.append(((0,), (0, comment.id), {"anchor": None, "heading": GENERAL_HEADING}, comment))
            elif anchor in sections:
                # Every anchor's first segment is a section of its own; the fallback only guards odd drafts.
                head = sections.get(anchor.split(".", 1)[0], sections[anchor])
                label = provision(head.anchor, "vi")
                group = {"anchor": head.anchor, "heading": f"{label}. {head.title}" if head.title else label}
                placed.append(
                    ((1, head.position, head.anchor), (sections[anchor].position, comment.id), group, comment)
                )
            else:
                # The anchor left the draft in a later revision: kept apart, under the anchor it was made on.
                group = {"anchor": anchor, "heading": anchor}
                placed.append(((2, _natural(anchor), anchor), (0, comment.id), group, comment))
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        ordered = sorted(placed, key=lambda entry: (entry[0], entry[1]))
        for key, _, group, comment in ordered:
            row = {"no": numbers[comment.id], **self.comment_row(comment, copies.get(comment.id, []))}
            groups.setdefault(key, {**group, "rows": []})["rows"].append(row)
        return list(groups.values())

    def audit(self, entries: Sequence[AuditEntry], staff: dict[int, str]) -> list[dict[str, Any]]:
        """The staff actions of the workshop, each as a sentence and each account named as it signs in."""
        rows = []
        for entry in entries:
            kind, _, number = entry.actor.partition(":")
            actor = staff.get(int(number), entry.actor) if kind == "user" and number.isdigit() else entry.actor
            details = entry.details or {}
            rows.append({
                "at": self.when(entry.at),
                "actor": actor,
                "action": entry.action,
                "sentence": sentence(entry.action, details, "vi"),
                "request": " ".join(str(details[k]) for k in ("method", "path") if details.get(k)),
                "address": entry.address,
            })
        return rows

    def comments_by_point(self, groups: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows per point that raised them; a merged row counts once at every point among its authors."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for group in groups:
            for row in group["rows"]:
                for point in {author["point"] for author in row["authors"]}:
                    counts[point]["total"] += 1
                    counts[point][row["disposition"] or "pending"] += 1
        return [
            {"point": p.name, "code": p.code, "total": counts[p.name]["total"],
             **{key: counts[p.name][key] for key in (*DISPOSITIONS, "pending")}}
            for p in self.points
            if p.name in counts
        ]


def _comment_totals(comments: Sequence[Comment], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts of the table's rows; `people` and `points` count every delegate author, `held` and `rejected` what it
    leaves out; `secretariat` the rows that are the secretariat's own proposals (in `total`, not the delegates')."""
    moderation = Counter(c.moderation for c in comments)
    shown = [c for c in comments if c.moderation == APPROVED]
    dispositions = Counter(row["disposition"] for row in rows)
    return {
        "total": len(rows),
        **{name: dispositions[name] for name in DISPOSITIONS},
        "pending": dispositions[None],
        "secretariat": sum(1 for row in rows if row["author_kind"] == "secretariat"),
        "people": len({c.participant_id for c in shown if c.participant_id is not None}),
        "points": len({c.point_id for c in shown if c.point_id is not None}),
        "held": moderation["pending"],
        "rejected": moderation["rejected"],
        "merged": len(shown) - len(rows),
    }


async def _all(session: AsyncSession, query: Select[Any]) -> list[Any]:
    return list((await session.scalars(query)).all())


def _counted_stays(conference_id: int) -> Select[Any]:
    """Stays the record counts: every stay not undone or struck."""
    return select(Checkin).where(Checkin.conference_id == conference_id, Checkin.undone_at.is_(None))


def _attended_in_person(conference_id: int) -> Select[Any]:
    """Roster members with a counted stay of their own."""
    own = _counted_stays(conference_id).where(Checkin.substitute_for_id.is_(None), Checkin.walk_in.is_(False))
    return (
        select(Participant.id)
        .where(Participant.on_roster.is_(True), Participant.id.in_(own.with_only_columns(Checkin.participant_id)))
    )


def _stood_in_for(conference_id: int) -> Select[Any]:
    """Roster members for whom a substitute has a counted stay."""
    return _counted_stays(conference_id).where(Checkin.substitute_for_id.is_not(None)).with_only_columns(
        Checkin.substitute_for_id
    )


async def _attendance_counts(session: AsyncSession, conference_id: int) -> dict[int, _Attended]:
    """Per point who attended at any time, each person once, from the roster and the counted stays."""
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    in_person = _attended_in_person(conference_id)
    roster = (
        select(
            Participant.point_id,
            func.count(),
            func.count(case((Participant.id.in_(in_person), 1))),
            func.count(
                case((and_(Participant.id.not_in(in_person), Participant.id.in_(_stood_in_for(conference_id))), 1))
            ),
        )
        .where(Participant.conference_id == conference_id, Participant.on_roster.is_(True))
        .group_by(Participant.point_id)
    )
    for point_id, expected, invited_present, represented in (await session.execute(roster)).all():
        counted[point_id].update(expected=expected, invited_present=invited_present, represented=represented)
    substitute = case((Checkin.substitute_for_id.is_not(None), Checkin.participant_id))
    walk_in = case((and_(Checkin.walk_in.is_(True), Checkin.substitute_for_id.is_(None)), Checkin.participant_id))
    stand_ins = _counted_stays(conference_id).with_only_columns(
        Checkin.point_id, func.count(distinct(substitute)), func.count(distinct(walk_in))
    ).group_by(Checkin.point_id)
    for point_id, substitutes, walk_ins in (await session.execute(stand_ins)).all():
        counted[point_id].update(substitutes=substitutes, walk_ins=walk_ins)
    return {point_id: _Attended(**numbers) for point_id, numbers in counted.items()}


async def _absentees(session: AsyncSession, conference_id: int) -> list[Participant]:
    """Roster members with no counted stay of their own and no substitute counted for them."""
    return await _all(
        session,
        select(Participant).where(
            Participant.conference_id == conference_id,
            Participant.on_roster.is_(True),
            Participant.id.not_in(_attended_in_person(conference_id)),
            Participant.id.not_in(_stood_in_for(conference_id)),
        ),
    )


async def _people(session: AsyncSession, conference_id: int) -> dict[int, _Person]:
    """Only the people the summary names: a national workshop has a hundred thousand on its roster."""
    named = union(
        select(Comment.participant_id).where(Comment.conference_id == conference_id),
        select(Remark.participant_id).where(Remark.conference_id == conference_id),
        select(SpeakingRequest.participant_id).where(
            SpeakingRequest.conference_id == conference_id, SpeakingRequest.started_at.is_not(None)
        ),
        select(Checkin.participant_id).where(
            Checkin.conference_id == conference_id,
            or_(Checkin.substitute_for_id.is_not(None), Checkin.walk_in.is_(True)),
        ),
        select(Checkin.substitute_for_id).where(
            Checkin.conference_id == conference_id, Checkin.substitute_for_id.is_not(None)
        ),
    ).subquery()
    rows = await session.execute(
        select(Participant.id, Participant.full_name, Participant.position, Participant.organization)
        .where(Participant.id.in_(select(named.c[0])))
    )
    return {row[0]: _Person(row[1], row[2], row[3]) for row in rows.all()}


async def compile_summary(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """Read everything the summary shows, in a fixed order, so the same database gives the same model."""
    conference = await session.get(Conference, conference_id)
    if conference is None:
        raise NotFound("Không tìm thấy hội thảo.", {"conference_id": conference_id})
    points = await _all(session, select(Point).where(Point.conference_id == conference_id))
    people = await _people(session, conference_id)
    counted = await _attendance_counts(session, conference_id)
    # Only the stays the lists name: substitutes and walk-ins, first stay of each person.
    special = await _all(
        session,
        select(Checkin)
        .where(
            Checkin.conference_id == conference_id,
            Checkin.undone_at.is_(None),
            or_(Checkin.substitute_for_id.is_not(None), Checkin.walk_in.is_(True)),
        )
        .order_by(Checkin.id),
    )
    first_stays = list({c.participant_id: c for c in reversed(special)}.values())
    items = await _all(
        session,
        select(AgendaItem)
        .where(AgendaItem.conference_id == conference_id)
        .order_by(AgendaItem.position, AgendaItem.id),
    )
    started = await _all(
        session,
        select(SpeakingRequest)
        .where(SpeakingRequest.conference_id == conference_id, SpeakingRequest.started_at.is_not(None))
        .order_by(SpeakingRequest.started_at, SpeakingRequest.id),
    )
    # Input held for moderation, or rejected, is not part of the record.
    remarks = await _all(
        session,
        select(Remark)
        .where(Remark.conference_id == conference_id, Remark.moderation == APPROVED)
        .order_by(Remark.created_at, Remark.id),
    )
    comments = await _all(session, select(Comment).where(Comment.conference_id == conference_id).order_by(Comment.id))
    draft = await latest_draft(session, conference_id)
    draft_sections = [] if draft is None else await _all(
        session, select(DraftSection).where(DraftSection.draft_id == draft.id).order_by(DraftSection.position)
    )
    sections = {s.anchor: s for s in draft_sections}
    # Staff notes are the staff's own: the record does not even say one was written.
    trail = await _all(session, select(AuditEntry).where(
        AuditEntry.conference_id == conference_id, AuditEntry.action != "comment.note").order_by(AuditEntry.id))
    staff = {
        row[0]: row[1] or row[2]
        for row in (await session.execute(select(User.id, User.full_name, User.username))).all()
    }

    compiler = _Compiler(conference, points, people)
    # Numbered as they came in, every comment counted (the same numbers as submissions.comment_numbers).
    numbers = {comment.id: number for number, comment in enumerate(comments, start=1)}
    approved = [c for c in comments if c.moderation == APPROVED]
    groups = compiler.comments(approved, sections, numbers)
    rows = [row for group in groups for row in group["rows"]]
    model: dict[str, Any] = {
        "conference": compiler.conference_part(),
        # Dated by the close (set before the freeze compiles this), a preview by the start, in the workshop's zone.
        "document": document_part(
            conference.record_header,
            title=conference.title,
            chair_name=conference.chair_name,
            dated=(conference.closed_at or conference.starts_at).astimezone(compiler.zone),
        ),
        "draft": None if draft is None else {"title": draft.title, "revision": draft.revision},
        "attendance": compiler.attendance(counted),
        "absentees": compiler.absentees(await _absentees(session, conference_id)),
        "substitutions": compiler.substitutions(first_stays),
        "walk_ins": compiler.walk_ins(first_stays),
        "agenda": compiler.agenda(items),
        "speakers": compiler.speakers(started),
        "remarks": compiler.remarks(remarks, {item.id: item.title for item in items}),
        "comments": groups,
        "comment_totals": _comment_totals(comments, rows),
        "comments_by_point": compiler.comments_by_point(groups),
        "revised_draft": None
        if draft is None
        else revised_draft(draft, draft_sections, rows, adopted_changes(approved)),
    }
    model["receipts"] = record_receipts(model)
    edited = conference.closing_statement
    model["closing_statement"] = {"text": edited or generated_statement(model), "edited": edited is not None}
    # The close is audited in the transaction that freezes this summary, after it: the trail here ends just before.
    model["audit"] = compiler.audit(trail, staff)
    return model
