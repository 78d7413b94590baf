"""Compile a conference's closing summary into one plain, JSON-ready and deterministic model."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import (
    DISPOSITIONS,
    AgendaItem,
    Checkin,
    Comment,
    Conference,
    Draft,
    DraftSection,
    Participant,
    Point,
    Remark,
    SpeakingRequest,
)
from server.errors import NotFound
from server.speaking.limits import duration

DISPOSITION_LABELS: dict[str | None, str] = {
    "accepted": "Tiếp thu",
    "partly_accepted": "Tiếp thu một phần",
    "noted": "Ghi nhận",
    "declined": "Giải trình, không tiếp thu",
    None: "Chưa xử lý",
}
GENERAL_HEADING = "Góp ý chung"
APPROVED = "approved"
_PROVISION_WORDS = {"chuong": "Chương", "muc": "Mục", "dieu": "Điều", "khoan": "khoản", "diem": "điểm"}
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(number: int) -> str:
    digits = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        digits.append(letters * count)
    return "".join(digits)


def provision_label(anchor: str) -> str:
    """Read an anchor as people cite it: "dieu-3.khoan-2.diem-dd" is "Điều 3, khoản 2, điểm đ"."""
    parts = []
    for segment in anchor.split("."):
        kind, _, number = segment.partition("-")
        if kind not in _PROVISION_WORDS:
            parts.append(segment)
            continue
        if kind == "diem" and number == "dd":
            number = "đ"
        elif kind == "chuong" and number.isdigit():
            # Anchors number chapters in digits; the documents themselves write "Chương II".
            number = _roman(int(number))
        parts.append(f"{_PROVISION_WORDS[kind]} {number}")
    return ", ".join(parts)


def _natural(anchor: str) -> tuple[Any, ...]:
    # "dieu-10" after "dieu-9": split keeps str and int in the same slots, so the tuples compare.
    return tuple(int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", anchor))


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    # Half up: round() would print a 2 m 30 s item as 2 minutes, which reads as a mistake on paper.
    return math.floor((end - start).total_seconds() / 60 + 0.5)


class _Compiler:
    """The rows of one conference, already loaded, and how each part of the summary reads them."""

    def __init__(self, conference: Conference, points: Sequence[Point], people: Sequence[Participant]) -> None:
        self.conference = conference
        self.zone = ZoneInfo(conference.timezone)
        self.points = sorted(points, key=lambda p: (not p.is_host, p.code, p.id))
        self.point_names = {p.id: p.name for p in points}
        self.people = {p.id: p for p in people}

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

    def attendance(self, present: Sequence[Checkin]) -> dict[str, Any]:
        expected = Counter(p.point_id for p in self.people.values() if p.on_roster)
        rows = []
        for point in self.points:
            here = [c for c in present if c.point_id == point.id]
            rows.append({
                "point_id": point.id,
                "code": point.code,
                "name": point.name,
                "is_host": point.is_host,
                "expected": expected[point.id],
                "present": len(here),
                "substitutes": sum(1 for c in here if c.substitute_for_id is not None),
                "walk_ins": sum(1 for c in here if c.walk_in and c.substitute_for_id is None),
            })
        totals = {key: sum(row[key] for row in rows) for key in ("expected", "present", "substitutes", "walk_ins")}
        return {"points": rows, "totals": totals}

    def substitutions(self, present: Sequence[Checkin]) -> list[dict[str, Any]]:
        order = {p.id: index for index, p in enumerate(self.points)}
        substitutes = sorted((c for c in present if c.substitute_for_id is not None), key=lambda c: (order[c.point_id], c.id))
        return [
            {
                "point": self.point_names[c.point_id],
                "full_name": self.name(c.participant_id),
                "substitute_for": self.name(c.substitute_for_id),
            }
            for c in substitutes
        ]

    def agenda(self, items: Sequence[AgendaItem]) -> list[dict[str, Any]]:
        rows = []
        planned = self.conference.starts_at
        for item in items:
            rows.append({
                "id": item.id,
                "position": item.position,
                "title": item.title,
                "kind": item.kind,
                "presenter": item.presenter,
                "point": None if item.point_id is None else self.point_names[item.point_id],
                "planned_minutes": item.planned_minutes,
                "planned_start": self.when(planned),
                "status": item.status,
                "started_at": self.when(item.started_at),
                "finished_at": self.when(item.finished_at),
                "actual_minutes": _minutes(item.started_at, item.finished_at),
            })
            planned += timedelta(minutes=item.planned_minutes)
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
            }
            for r in remarks
        ]

    def comment_row(self, comment: Comment) -> dict[str, Any]:
        author = self.people[comment.participant_id]
        return {
            "id": comment.id,
            "anchor": comment.section_anchor,
            "provision": None if comment.section_anchor is None else provision_label(comment.section_anchor),
            "body": comment.body,
            "author": author.full_name,
            "organization": author.organization,
            "point": self.point_names[comment.point_id],
            "proposed_text": comment.proposed_text,
            "disposition": comment.disposition,
            "disposition_label": DISPOSITION_LABELS.get(comment.disposition, comment.disposition),
            "response": comment.response,
        }

    def comments(self, comments: Sequence[Comment], sections: dict[str, DraftSection]) -> list[dict[str, Any]]:
        """The report's table: general comments, then article by article in the draft's order, then the rest."""
        placed: list[tuple[tuple[Any, ...], tuple[int, int], dict[str, Any], Comment]] = []
        for comment in comments:
            anchor = comment.section_anchor
            if anchor is None:
                placed.append(((0,), (0, comment.id), {"anchor": None, "heading": GENERAL_HEADING}, comment))
            elif anchor in sections:
                # Every anchor's first segment is a section of its own; the fallback only guards odd drafts.
                head = sections.get(anchor.split(".", 1)[0], sections[anchor])
                label = provision_label(head.anchor)
                group = {"anchor": head.anchor, "heading": f"{label}. {head.title}" if head.title else label}
                placed.append(((1, head.position, head.anchor), (sections[anchor].position, comment.id), group, comment))
            else:
                # The anchor left the draft in a later revision: kept apart, under the anchor it was made on.
                group = {"anchor": anchor, "heading": anchor}
                placed.append(((2, _natural(anchor), anchor), (0, comment.id), group, comment))
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        ordered = sorted(placed, key=lambda entry: (entry[0], entry[1]))
        for number, (key, _, group, comment) in enumerate(ordered, start=1):
            groups.setdefault(key, {**group, "rows": []})["rows"].append({"no": number, **self.comment_row(comment)})
        return list(groups.values())


def _comment_totals(comments: Sequence[Comment]) -> dict[str, int]:
    """Counts of the approved comments the table shows; `held` and `rejected` say how many it leaves out."""
    moderation = Counter(c.moderation for c in comments)
    shown = [c for c in comments if c.moderation == APPROVED]
    dispositions = Counter(c.disposition for c in shown)
    return {
        "total": len(shown),
        **{name: dispositions[name] for name in DISPOSITIONS},
        "pending": dispositions[None],
        "people": len({c.participant_id for c in shown}),
        "points": len({c.point_id for c in shown}),
        "held": moderation["pending"],
        "rejected": moderation["rejected"],
    }


async def _all(session: AsyncSession, query: Select[Any]) -> list[Any]:
    return list((await session.scalars(query)).all())


async def compile_summary(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """Read everything the summary shows, in a fixed order, so the same database gives the same model."""
    conference = await session.get(Conference, conference_id)
    if conference is None:
        raise NotFound("Không tìm thấy hội thảo.", {"conference_id": conference_id})
    points = await _all(session, select(Point).where(Point.conference_id == conference_id))
    people = await _all(session, select(Participant).where(Participant.conference_id == conference_id))
    present = await _all(
        session,
        select(Checkin)
        .where(Checkin.conference_id == conference_id, Checkin.checked_out_at.is_(None))
        .order_by(Checkin.id),
    )
    items = await _all(
        session,
        select(AgendaItem).where(AgendaItem.conference_id == conference_id).order_by(AgendaItem.position, AgendaItem.id),
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
    draft = (
        await session.scalars(
            select(Draft).where(Draft.conference_id == conference_id).order_by(Draft.revision.desc(), Draft.id.desc()).limit(1)
        )
    ).first()
    sections = {} if draft is None else {
        s.anchor: s for s in await _all(session, select(DraftSection).where(DraftSection.draft_id == draft.id))
    }

    compiler = _Compiler(conference, points, people)
    return {
        "conference": compiler.conference_part(),
        "draft": None if draft is None else {"title": draft.title, "revision": draft.revision},
        "attendance": compiler.attendance(present),
        "substitutions": compiler.substitutions(present),
        "agenda": compiler.agenda(items),
        "speakers": compiler.speakers(started),
        "remarks": compiler.remarks(remarks, {item.id: item.title for item in items}),
        "comments": compiler.comments([c for c in comments if c.moderation == APPROVED], sections),
        "comment_totals": _comment_totals(comments),
    }
