"""Who works on what: comments handed to secretaries, the answers they draft for the chair, staff notes, templates.

A secretary sees every comment, and drafts the answer to those handed to it; the chair and the secretariat draft
to any. A draft is kept apart from the ruling, which stays the chair's: approving rules with the draft as it is,
and the chair may rule otherwise at any time. Everything here goes to the staff stream alone: a comment's author,
the record and the exports never see an assignment, a draft or a note.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import AnswerTemplate, Comment, CommentNote, User, iso, utcnow
from server import events
from server.auth.principal import Principal
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.lookup import in_conference
from server.submissions import rulings
from server.submissions.operations import get_comment

# The roles a comment can be handed to: a secretary, or the chair who keeps one for itself.
ASSIGNABLE = ("secretary", "chair")


async def _names(session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    """Each staff account's name as the consoles show it: the full name, or the username without one."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.full_name, User.username).where(User.id.in_(user_ids)))
    return {uid: full or username for uid, full, username in rows}


async def work_dicts(session: AsyncSession, comments: Sequence[Comment]) -> list[dict[str, Any]]:
    """The staff's work on each comment: who has it, the drafted answer and the notes, in three queries."""
    ids = [c.id for c in comments]
    notes: dict[int, list[CommentNote]] = {i: [] for i in ids}
    for note in await session.scalars(
        select(CommentNote).where(CommentNote.comment_id.in_(ids)).order_by(CommentNote.id)
    ):
        notes[note.comment_id].append(note)
    people = {u for c in comments for u in (c.assigned_to, c.drafted_by) if u is not None}
    people |= {n.user_id for group in notes.values() for n in group if n.user_id is not None}
    names = await _names(session, people)
    return [work_view(c, notes[c.id], names) for c in comments]


def work_view(comment: Comment, notes: list[CommentNote], names: dict[int, str]) -> dict[str, Any]:
    """One comment's work as staff see it, given its notes and the names of the accounts they cite."""
    draft = None
    if comment.draft_disposition is not None:
        draft = {
            "disposition": comment.draft_disposition,
            "response": comment.draft_response or "",
            "adopted_text": comment.draft_adopted_text,
            "drafted_by": comment.drafted_by,
            "drafted_by_name": names.get(comment.drafted_by) if comment.drafted_by is not None else None,
            "drafted_at": iso(comment.drafted_at),
        }
    return {
        "comment_id": comment.id,
        "assigned_to": comment.assigned_to,
        "assignee": names.get(comment.assigned_to) if comment.assigned_to is not None else None,
        "assigned_at": iso(comment.assigned_at),
        "draft": draft,
        "notes": [
            {"id": n.id, "body": n.body, "author": names.get(n.user_id) if n.user_id is not None else None,
             "at": iso(n.created_at)}
            for n in notes
        ],
    }


async def _announce(session: AsyncSession, conference_id: int, comments: Sequence[Comment]) -> list[dict[str, Any]]:
    """One staff event per comment whose work changed, in the write's transaction."""
    views = await work_dicts(session, comments)
    for view in views:
        await events.append(session, conference_id, payloads.comment_work_changed(view), events.STAFF)
    return views


async def list_work(session: AsyncSession, conference_id: int) -> list[dict[str, Any]]:
    """The work on every comment that has any: handed to someone, drafted, or noted."""
    await get_conference(session, conference_id)
    noted = select(CommentNote.comment_id).where(CommentNote.conference_id == conference_id)
    rows = await session.scalars(
        select(Comment).where(
            Comment.conference_id == conference_id,
            Comment.assigned_to.is_not(None) | Comment.draft_disposition.is_not(None) | Comment.id.in_(noted),
        ).order_by(Comment.id)
    )
    return await work_dicts(session, list(rows))


async def staff(session: AsyncSession) -> list[dict[str, Any]]:
    """The accounts comments can be handed to, by name."""
    rows = await session.scalars(select(User).where(User.role.in_(ASSIGNABLE)).order_by(User.role.desc(), User.id))
    return [{"id": u.id, "username": u.username, "full_name": u.full_name, "role": u.role} for u in rows]


async def assign(
    session: AsyncSession, conference_id: int, comment_ids: list[int], user_id: int | None
) -> list[dict[str, Any]]:
    """Hand comments to one account (None takes them back); all or nothing, every unknown id named."""
    require_not_closed(await get_conference(session, conference_id))
    if user_id is not None:
        user = await session.get(User, user_id)
        if user is None or user.role not in ASSIGNABLE:
            raise Invalid(
                "Comments are handed to a secretary or the chair", {"assigned_to": "not a secretary or chair account"}
            )
    found = {
        c.id: c
        for c in await session.scalars(
            select(Comment).where(Comment.conference_id == conference_id, Comment.id.in_(comment_ids))
        )
    }
    missing = [i for i in comment_ids if i not in found]
    if missing:
        raise NotFound("No such comments in this conference", {"comment_ids": missing})
    now = utcnow()
    changed = [found[i] for i in comment_ids if found[i].assigned_to != user_id]
    for comment in changed:
        comment.assigned_to, comment.assigned_at = user_id, now if user_id is not None else None
    await _announce(session, conference_id, changed)
    return await work_dicts(session, [found[i] for i in comment_ids])


def _may_draft(principal: Principal, comment: Comment) -> None:
    """A secretary drafts only what is handed to it; the chair and the secretariat draft anything."""
    if principal.role == "secretary" and comment.assigned_to != principal.user_id:
        raise Forbidden(
            "A secretary drafts the answer only to comments handed to it", {"assigned_to": comment.assigned_to}
        )


async def save_draft(
    session: AsyncSession, conference_id: int, comment_id: int, principal: Principal,
    disposition: str, response: str, adopted_text: str | None,
) -> dict[str, Any]:
    """Draft (or redraft) the answer the chair will be asked to approve; checked as the ruling would be."""
    require_not_closed(await get_conference(session, conference_id))
    comment = await get_comment(session, conference_id, comment_id)
    _may_draft(principal, comment)
    rulings.not_a_copy([comment])
    rulings.counter_wording(comment, rulings.Ruling(comment.id, comment.revision, disposition, response, adopted_text))
    comment.draft_disposition, comment.draft_response, comment.draft_adopted_text = disposition, response, adopted_text
    comment.drafted_by, comment.drafted_at = principal.user_id, utcnow()
    return (await _announce(session, conference_id, [comment]))[0]


async def approve(session: AsyncSession, conference_id: int, comment_id: int, revision: int) -> Comment:
    """The chair rules with the draft as it stands: the same checks, events and audit as any ruling."""
    comment = await get_comment(session, conference_id, comment_id)
    if comment.draft_disposition is None:
        raise Conflict("This comment has no drafted answer to approve", {"draft": None}, code="no_draft")
    return await rulings.dispose_comment(
        session, conference_id, comment_id, comment.draft_disposition, comment.draft_response or "", revision,
        comment.draft_adopted_text,
    )


async def add_note(
    session: AsyncSession, conference_id: int, comment_id: int, user_id: int | None, body: str
) -> dict[str, Any]:
    """A staff note on a comment; notes are kept even after the close, as the staff's own memory."""
    comment = await get_comment(session, conference_id, comment_id)
    session.add(CommentNote(conference_id=conference_id, comment_id=comment.id, user_id=user_id, body=body))
    await session.flush()
    return (await _announce(session, conference_id, [comment]))[0]


def template_dict(template: AnswerTemplate) -> dict[str, Any]:
    return {
        "id": template.id,
        "conference_id": template.conference_id,
        "title": template.title,
        "disposition": template.disposition,
        "response": template.response,
        "updated_at": iso(template.updated_at),
    }


async def list_templates(session: AsyncSession, conference_id: int) -> list[dict[str, Any]]:
    await get_conference(session, conference_id)
    rows = await session.scalars(
        select(AnswerTemplate)
        .where(AnswerTemplate.conference_id == conference_id)
        .order_by(AnswerTemplate.title, AnswerTemplate.id)
    )
    return [template_dict(t) for t in rows]


async def _template_changed(
    session: AsyncSession, conference_id: int, template_id: int, view: dict[str, Any] | None
) -> None:
    await events.append(session, conference_id, payloads.answer_template_changed(template_id, view), events.STAFF)


async def save_template(
    session: AsyncSession,
    conference_id: int,
    template_id: int | None,
    title: str,
    disposition: str | None,
    response: str,
) -> dict[str, Any]:
    """Create a template (no id) or change one."""
    await get_conference(session, conference_id)
    if template_id is None:
        template = AnswerTemplate(conference_id=conference_id, title=title, disposition=disposition, response=response)
        session.add(template)
    else:
        template = await in_conference(
            session, AnswerTemplate, conference_id, template_id, "answer template", "template_id"
        )
        template.title, template.disposition, template.response, template.updated_at = (
            title,
            disposition,
            response,
            utcnow(),
        )
    await session.flush()
    view = template_dict(template)
    await _template_changed(session, conference_id, template.id, view)
    return view


async def delete_template(session: AsyncSession, conference_id: int, template_id: int) -> dict[str, Any]:
    template = await in_conference(
        session, AnswerTemplate, conference_id, template_id, "answer template", "template_id"
    )
    view = template_dict(template)
    await session.delete(template)
    await _template_changed(session, conference_id, template_id, None)
    return view
