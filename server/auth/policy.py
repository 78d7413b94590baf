"""The one authorization table: which roles may take which action; routes and sockets both ask it."""
from __future__ import annotations

from server.auth.principal import Principal
from server.errors import Forbidden, Unauthorized

STAFF = frozenset({"admin", "chair"})
MEMBERS = frozenset({"admin", "chair", "secretary", "operator", "delegate", "display"})
# Who works on the comments: the secretariat, the chair, and the secretaries (thư ký) who draft the answers.
CLERKS = frozenset({"admin", "chair", "secretary"})
SUBMITTERS = frozenset({"delegate", "operator"})

POLICY: dict[str, frozenset[str]] = {
    # Staff accounts: who exists, who is locked out, and lifting a lockout (of an account or an address).
    "user.manage": frozenset({"admin"}),
    "conference.list": CLERKS,
    "conference.create": frozenset({"admin"}),
    "conference.read": MEMBERS,
    "conference.update": STAFF,
    "conference.control": STAFF,
    "point.read": MEMBERS,
    "point.write": frozenset({"admin"}),
    "point.status": frozenset({"operator"}),
    "invitation.manage": frozenset({"admin"}),
    "participant.read": frozenset({"admin", "chair", "operator"}),
    "participant.write": frozenset({"admin"}),
    "participant.import": frozenset({"admin"}),
    "participant.export": frozenset({"admin", "chair", "operator"}),
    "checkin.write": frozenset({"operator"}),
    # Why a roster member is absent: the secretariat, or the operator of their point.
    "participant.absence": frozenset({"admin", "chair", "operator"}),
    # Striking a stay made by mistake from the record, after the operator's five-minute undo.
    "attendance.correct": STAFF,
    "badges.read": frozenset({"admin"}),
    # The sheets to sign and as recorded: the host point's staff print every point's, an operator its own point's.
    "attendance.sheet": frozenset({"admin", "chair", "secretary", "operator"}),
    "attendance.sheets": CLERKS,
    "attendance.read": frozenset({"admin", "chair", "operator", "display"}),
    "attendance.export": STAFF,
    "agenda.read": MEMBERS,
    "agenda.write": STAFF,
    "agenda.control": frozenset({"chair"}),
    "speaking.read": MEMBERS,
    "speaking.request": SUBMITTERS,
    "speaking.manage": frozenset({"chair"}),
    "draft.read": MEMBERS,
    "draft.write": frozenset({"admin"}),
    "remark.read": frozenset({"admin", "chair", "secretary", "delegate", "operator"}),
    "remark.submit": SUBMITTERS,
    # Staff and the author (the handler checks authorship; an operator submits but does not read files back).
    "attachment.read": frozenset({"admin", "chair", "secretary", "delegate"}),
    "comment.read": frozenset({"admin", "chair", "secretary", "delegate", "operator"}),
    "comment.submit": SUBMITTERS,
    # A receipt's place in the record: staff, and the delegate who wrote it (the handler checks; to anyone else it
    # is unknown). An operator files input for others and is given their receipts, but looks none up.
    "receipt.read": frozenset({"admin", "chair", "secretary", "delegate"}),
    "comment.dispose": STAFF,
    "comment.triage": CLERKS,
    # The author answers the ruling on their comment (the handler checks authorship: the delegate, or who filed it).
    "comment.answer": SUBMITTERS,
    # The secretariat's own proposals (Ban soạn thảo), which a secretary files too.
    "comment.propose": CLERKS,
    # Who works on what: the chair or the secretariat hands comments to secretaries; a secretary drafts the answer
    # to a comment handed to it (the handler checks), the chair or the secretariat to any; the chair rules.
    "comment.assign": STAFF,
    "comment.draft": CLERKS,
    # Staff notes on a comment: never sent to its author, never in the record or an export.
    "comment.note": CLERKS,
    "template.read": CLERKS,
    "template.manage": CLERKS,
    # The staff accounts a comment can be handed to, by name; not their lockouts (user.manage).
    "staff.read": CLERKS,
    "input.moderate": STAFF,
    "audit.read": STAFF,
    # The whole trail names every account's sign-ins; only the secretariat's admins read it.
    "audit.global": frozenset({"admin"}),
    "events.read": MEMBERS,
    # The big screen is public: every console may read what it shows; only the chair, who runs the room, sets it.
    "display.read": MEMBERS,
    "display.control": frozenset({"chair"}),
    "summary.read": STAFF,
    # The revised draft is what the secretaries' answers are drafted towards.
    "draft.revised": CLERKS,
    "summary.write": STAFF,
}


def authorize(
    principal: Principal | None, action: str, conference_id: int | None = None, point_id: int | None = None
) -> Principal:
    """Raise 401 without a principal, 403 when the role, conference or point does not fit."""
    if principal is None:
        raise Unauthorized("Sign in or send a valid token")
    if principal.role not in POLICY[action]:
        raise Forbidden(f"The {principal.role} role may not do this", {"action": action})
    if conference_id is not None and not principal.belongs_to(conference_id):
        raise Forbidden("This token belongs to another conference", {"conference_id": conference_id})
    if point_id is not None and principal.role == "operator" and principal.point_id != point_id:
        raise Forbidden("An operator acts only at its own bridge point", {"point_id": point_id})
    return principal
