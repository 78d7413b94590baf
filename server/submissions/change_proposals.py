"""The secretariat's own proposals (đề xuất của Ban soạn thảo): comments with no participant, ruled like any other.

Stored as a comment row whose author is the secretariat (`author_kind` "secretariat", no participant, no point),
so it takes its number in the same sequence as the delegates' comments, is listed in the chair's inbox, ruled,
merged and answered through the same routes, and enters the record's table and the revised draft the same way.
The reason is its body. Its events go to staff only: no participant wrote it, and comments are never public.
"""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Comment, utcnow
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.drafts.operations import current_draft
from server.submissions.operations import SECRETARIAT, comment_dict, unknown_anchor
from server.submissions.proposals import Proposal, fits, section_kinds
from server.submissions.receipts import comment_receipt
from server.submissions.search import search_key


async def propose_change(
    session: AsyncSession, conference_id: int, actor: str, anchor: str, proposal: Proposal, reason: str
) -> Comment:
    """File the secretariat's proposal on a section of the current draft; open until the conference closes."""
    require_not_closed(await get_conference(session, conference_id))
    draft = await current_draft(session, conference_id)
    kinds = await section_kinds(session, draft.id if draft else None, {anchor})
    if anchor not in kinds:
        raise unknown_anchor()
    fits(proposal, kinds[anchor], "kind")
    assert draft is not None
    comment = Comment(
        conference_id=conference_id, participant_id=None, point_id=None, author_kind="secretariat",
        draft_id=draft.id, draft_revision=draft.revision, section_anchor=anchor, body=reason,
        proposal_kind=proposal.kind, proposed_text=proposal.text, revision=1, moderation="approved",
        search_key=search_key(reason, proposal.text, SECRETARIAT), submitted_by=actor, created_at=utcnow(),
    )
    session.add(comment)
    await session.flush()
    # Its receipt covers its id, which the flush gave; a proposal has one like every contribution the record holds.
    comment.receipt = comment_receipt(comment)
    submitted = payloads.comment_submitted(await comment_dict(session, comment))
    await events.append(session, conference_id, submitted, events.STAFF)
    return comment
