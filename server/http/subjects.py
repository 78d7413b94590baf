"""What each audited write acted on, as it was at that moment: the subject its audit entry's sentence is made of.

A subject is a sentence key (`audit.say.<key>` in the catalogs, read by server/sentences.py) and the values it
needs: titles, names and comment numbers taken from the write's own answer, in the write's own transaction, so the
trail keeps saying "Xoá mục chương trình ‘Phát biểu khai mạc’" after the item is gone. Every staff write route has
a describer here; a test holds every route of server/http/routes.py that writes to that.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Participant, Point
from server.submissions.operations import comment_numbers

Subject = dict[str, Any]
Describe = Callable[[AsyncSession, Mapping[str, str], dict[str, Any], Any], Awaitable[Subject]]
STATES = {"open": "conference.open", "close-collection": "conference.close_collection",
          "reopen-collection": "conference.reopen_collection", "close": "conference.close"}


async def _conference_state(
    session: AsyncSession, params: Mapping[str, str], body: dict[str, Any], answer: Any
) -> Subject:
    return {"key": STATES[params["action"]], "title": answer["title"]}


async def _conference(key: str, answer: Any) -> Subject:
    return {"key": key, "title": answer["title"]}


async def _invitation(session: AsyncSession, key: str, answer: Any) -> Subject:
    """Whose link: the delegate's name, the operator's point, or only the role (a display link)."""
    person = await session.get(Participant, answer["participant_id"]) if answer.get("participant_id") else None
    point = await session.get(Point, answer["point_id"]) if answer.get("point_id") else None
    name = person.full_name if person else point.name if point else None
    if name is None:
        return {"key": f"{key}_role", "role": answer["role"]}
    return {"key": key, "role": answer["role"], "name": name}


async def _participant(session: AsyncSession, key: str, answer: Any) -> Subject:
    point = await session.get(Point, answer["point_id"])
    return {"key": key, "name": answer["full_name"], "point": point.name if point else ""}


async def _absence(session: AsyncSession, answer: Any) -> Subject:
    reason = answer.get("absence_reason")
    subject = await _participant(session, "attendance.absence" if reason else "attendance.absence_cleared", answer)
    return {**subject, "reason": reason} if reason else subject


async def _strike(session: AsyncSession, answer: Any) -> Subject:
    """A stay struck from the record (a check-in by mistake), with the reason the chair gave."""
    person = await session.get(Participant, answer["participant_id"])
    point = await session.get(Point, answer["point_id"])
    return {
        "key": "attendance.strike",
        "name": person.full_name if person else "",
        "point": point.name if point else "",
        "reason": answer.get("undo_reason") or "",
    }


async def _item(key: str, item: dict[str, Any] | None) -> Subject:
    if item is None:
        return {"key": f"{key}_none"}
    return {"key": key, "title": item["title"]}


async def _speaking(session: AsyncSession, params: Mapping[str, str], body: dict[str, Any], answer: Any) -> Subject:
    name = answer["full_name"]
    if body.get("status") is not None:
        return {"key": f"speaking.{answer['status']}", "name": name}
    if body.get("position") is not None:
        return {"key": "speaking.moved", "name": name}
    return {"key": "speaking.limit", "name": name, "seconds": answer.get("time_limit_seconds")}


async def _comment(key: str, answer: Any) -> Subject:
    return {"key": key, "n": answer["number"], "section": answer["section_anchor"]}


async def _merge(session: AsyncSession, params: Mapping[str, str], body: dict[str, Any], answer: Any) -> Subject:
    into = answer["duplicate_of"]
    numbers = await comment_numbers(session, answer["conference_id"], [into])
    return {"key": "comment.merge", "n": answer["number"], "into": numbers[into]}


async def _rulings(session: AsyncSession, params: Mapping[str, str], body: dict[str, Any], answer: Any) -> Subject:
    ruled = answer["items"]
    dispositions = {c["disposition"] for c in ruled}
    key = f"comments.{dispositions.pop()}" if len(dispositions) == 1 else "comments.mixed"
    return {"key": key, "numbers": sorted(c["number"] for c in ruled)}


async def _work(session: AsyncSession, key: str, answers: list[dict[str, Any]], conference_id: str) -> Subject:
    """Comments handed over, drafted or noted, by number; whom they went to (nobody: taken back)."""
    numbers = await comment_numbers(session, int(conference_id), [a["comment_id"] for a in answers])
    subject: Subject = {"key": key, "numbers": sorted(numbers.values())}
    if key.endswith("assign"):
        name = answers[0]["assignee"] if answers else None
        subject = {**subject, "key": key if name else key.replace("assign", "unassign"), "name": name or ""}
    return subject


async def _shown(answer: Any) -> Subject:
    """What the chair put on the big screen: a section in its view, or the message's words."""
    if answer["mode"] == "section":
        return {"key": f"display.section_{answer['view']}", "section": answer["anchor"]}
    if answer["mode"] == "message":
        return {"key": "display.message", "text": answer["text"]}
    return {"key": f"display.{answer['mode']}"}


def _from_answer(make: Callable[[Any], Awaitable[Subject]]) -> Describe:
    async def describe(session: AsyncSession, params: Mapping[str, str], body: dict[str, Any], answer: Any) -> Subject:
        return await make(answer)
    return describe


def _with_session(make: Callable[[AsyncSession, Any], Awaitable[Subject]]) -> Describe:
    async def describe(session: AsyncSession, params: Mapping[str, str], body: dict[str, Any], answer: Any) -> Subject:
        return await make(session, answer)
    return describe


async def _fixed(key: str, **values: Any) -> Subject:
    return {"key": key, **values}


SUBJECTS: dict[str, Describe] = {
    "user_unlock": _from_answer(lambda a: _fixed("user.unlock", username=a["username"])),
    "lockout_lift": _from_answer(lambda a: _fixed("lockout.lift", address=a["address"])),
    "conference_create": _from_answer(lambda a: _conference("conference.create", a)),
    "conference_update": _from_answer(lambda a: _conference("conference.update", a)),
    "conference_state": _conference_state,
    "point_create": _from_answer(lambda a: _fixed("point.create", name=a["name"], code=a["code"])),
    "point_status": _from_answer(lambda a: _fixed(f"point.{a['link']}", name=a["name"])),
    "invitation_create": _with_session(lambda s, a: _invitation(s, "invitation.create", a)),
    "invitation_revoke": _with_session(lambda s, a: _invitation(s, "invitation.revoke", a)),
    "invitation_reissue": _with_session(lambda s, a: _invitation(s, "invitation.reissue", a)),
    "participant_create": _with_session(lambda s, a: _participant(s, "participant.create", a)),
    "checkin": _with_session(lambda s, a: _participant(s, "attendance.checkin", a)),
    "checkout": _with_session(lambda s, a: _participant(s, "attendance.checkout", a)),
    "checkin_undo": _with_session(lambda s, a: _participant(s, "attendance.undo", a)),
    "participant_absence": _with_session(_absence),
    "stay_strike": _with_session(_strike),
    "participants_import": _from_answer(lambda a: _fixed("participants.import", count=a["created"])),
    "agenda_create": _from_answer(lambda a: _item("agenda.create", a)),
    "agenda_reorder": _from_answer(lambda a: _fixed("agenda.reorder")),
    "agenda_import": _from_answer(lambda a: _fixed("agenda.import", count=a["created"])),
    "agenda_next": _from_answer(lambda a: _item("agenda.next", a["current"])),
    "agenda_update": _from_answer(lambda a: _item("agenda.update", a)),
    "agenda_back": _from_answer(lambda a: _item("agenda.back", a["current"])),
    "agenda_control": lambda s, p, b, a: _item(f"agenda.{p['action']}", a),
    "agenda_extend": lambda s, p, b, a: _fixed("agenda.extend", title=a["title"], minutes=b.get("minutes")),
    "agenda_delete": _from_answer(lambda a: _item("agenda.delete", a)),
    "speaking_request_create": _from_answer(lambda a: _fixed("speaking.request", name=a["full_name"])),
    "speaking_request_update": _speaking,
    "speaking_request_withdraw": _from_answer(lambda a: _fixed("speaking.withdrawn", name=a["full_name"])),
    "draft_create": _from_answer(lambda a: _fixed("draft.publish", title=a["title"], revision=a["revision"])),
    "remark_create": _from_answer(lambda a: _fixed("remark.create", title=a["title"], name=a["author"])),
    "remark_moderate": _from_answer(lambda a: _fixed(f"remark.{a['moderation']}", title=a["title"], name=a["author"])),
    "comment_create": _from_answer(lambda a: _fixed("comment.create", n=a["number"], section=a["section_anchor"],
                                                     name=a["author"])),
    "comments_dispose": _rulings,
    "comment_dispose": _from_answer(lambda a: _comment(f"comment.{a['disposition']}", a)),
    "comment_merge": _merge,
    "comment_unmerge": _from_answer(lambda a: _comment("comment.unmerge", a)),
    "comment_moderate": _from_answer(lambda a: _comment(f"comment.{a['moderation']}", a)),
    "change_proposal_create": _from_answer(lambda a: _comment(f"change.{a['proposal']['kind']}", a)),
    "comment_author_answer": _from_answer(
        lambda a: _comment("comment.answer_agrees" if a["author_answer"]["agrees"] else "comment.answer_disagrees", a)),
    "display_update": _from_answer(lambda a: _shown(a)),
    "comments_assign": lambda s, p, b, a: _work(s, "comments.assign", a["items"], p["conference_id"]),
    "comment_assign": lambda s, p, b, a: _work(s, "comments.assign", [a], p["conference_id"]),
    "comment_draft": lambda s, p, b, a: _work(s, "comments.draft", [a], p["conference_id"]),
    "comment_note_create": lambda s, p, b, a: _work(s, "comments.note", [a], p["conference_id"]),
    "comment_approve": _from_answer(lambda a: _comment(f"comment.approve_{a['disposition']}", a)),
    "answer_template_create": _from_answer(lambda a: _fixed("template.create", title=a["title"])),
    "answer_template_update": _from_answer(lambda a: _fixed("template.update", title=a["title"])),
    "answer_template_delete": _from_answer(lambda a: _fixed("template.delete", title=a["title"])),
    "closing_statement_update": _from_answer(
        lambda a: _fixed("statement.edit" if a["edited"] else "statement.generated")),
}


async def subject_of(
    session: AsyncSession, route: str | None, params: Mapping[str, str], body: dict[str, Any] | None, answer: Any
) -> Subject | None:
    """The subject of a write that succeeded with `answer`; None for a route that has no describer."""
    describe = SUBJECTS.get(route or "")
    if describe is None:
        return None
    return await describe(session, params, body or {}, answer)
