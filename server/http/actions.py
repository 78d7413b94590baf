"""Which POLICY action each named API route takes: the one place a route's authorization is declared.

`allow()` reads the action of the matched route from here, the OpenAPI document publishes it as
`x-action`, and the authorization matrix test tries every route with every role against it.
"""
from __future__ import annotations

from aiohttp import web

# Open to anyone, or checked by the handler itself (logout needs a session, /me any caller).
# /metrics is not here: its handler checks a token of its own (DIEMCAU_METRICS_TOKEN), never a user's role.
PUBLIC_ROUTES = frozenset({"healthz", "openapi", "api_login"})
SIGNED_IN_ROUTES = frozenset({"api_logout", "api_me"})

ROUTE_ACTIONS: dict[str, str] = {
    "users": "user.manage",
    "user_unlock": "user.manage",
    "lockout_lift": "user.manage",
    "conferences": "conference.list",
    "conference_create": "conference.create",
    "conference": "conference.read",
    "conference_update": "conference.update",
    "conference_state": "conference.control",
    "audit": "audit.read",
    "audit_all": "audit.global",
    "points": "point.read",
    "point_create": "point.write",
    "point_status": "point.status",
    "invitations": "invitation.manage",
    "invitation_create": "invitation.manage",
    "invitation_revoke": "invitation.manage",
    "invitation_reissue": "invitation.manage",
    "participants": "participant.read",
    "participant_create": "participant.write",
    "checkin": "checkin.write",
    "checkout": "checkin.write",
    "checkin_undo": "checkin.write",
    "participant_movements": "participant.read",
    "participant_absence": "participant.absence",
    "stays": "participant.read",
    "stay_strike": "attendance.correct",
    "attendance": "attendance.read",
    "participants_import": "participant.import",
    "participants_import_template": "participant.import",
    "participants_export": "participant.export",
    "attendance_export": "attendance.export",
    "badges_pdf": "badges.read",
    "attendance_sheet": "attendance.sheet",
    "attendance_sheets": "attendance.sheets",
    "agenda": "agenda.read",
    "agenda_create": "agenda.write",
    "agenda_reorder": "agenda.write",
    "agenda_export": "agenda.read",
    "agenda_import": "agenda.write",
    "agenda_next": "agenda.control",
    "agenda_update": "agenda.write",
    "agenda_back": "agenda.control",
    "agenda_control": "agenda.control",
    "agenda_extend": "agenda.control",
    "agenda_delete": "agenda.write",
    "speaking_requests": "speaking.read",
    "speaking_request_create": "speaking.request",
    "speaking_request_update": "speaking.manage",
    "speaking_request_withdraw": "speaking.request",
    "speaking_log": "speaking.read",
    "drafts": "draft.read",
    "draft_create": "draft.write",
    "draft": "draft.read",
    # The draft after every adopted change: the drafters' and the chair's, as the record's revised draft is.
    "draft_revised": "draft.revised",
    "remarks": "remark.read",
    "remark_create": "remark.submit",
    "remark_attachment": "attachment.read",
    "remark_moderate": "input.moderate",
    "comments": "comment.read",
    "comment_create": "comment.submit",
    "comments_dispose": "comment.dispose",
    "comment_counts": "comment.triage",
    "comment_dispose": "comment.dispose",
    "comment_merge": "comment.triage",
    "comment_unmerge": "comment.triage",
    "comment_moderate": "input.moderate",
    "comment_author_answer": "comment.answer",
    "change_proposal_create": "comment.propose",
    "receipt": "receipt.read",
    "staff": "staff.read",
    "comment_work": "comment.note",
    "comments_assign": "comment.assign",
    "comment_assign": "comment.assign",
    "comment_draft": "comment.draft",
    # Approving a draft is the chair's ruling, made with the drafted answer.
    "comment_approve": "comment.dispose",
    "comment_note_create": "comment.note",
    "answer_templates": "template.read",
    "answer_template_create": "template.manage",
    "answer_template_update": "template.manage",
    "answer_template_delete": "template.manage",
    "display": "display.read",
    "display_update": "display.control",
    # A section's views carry the reader's own pending proposals: who may read comments may read them.
    "section_view": "comment.read",
    "events": "events.read",
    "summary": "summary.read",
    "summary_format": "summary.read",
    "revised_draft": "summary.read",
    "closing_statement": "summary.read",
    "closing_statement_update": "summary.write",
}


def action_of(request: web.Request) -> str:
    """The action registered for the route that matched; a route without one is a programming error."""
    name = request.match_info.route.name
    action = ROUTE_ACTIONS.get(name or "")
    if action is None:
        raise RuntimeError(f"Route {name!r} has no action in server/http/actions.py")
    return action
