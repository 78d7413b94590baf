"""One payload builder per event type, beside its JSON Schema in this folder: the data the protocol publishes.

A builder is the one place its type's keys are written; the operations pass it the values, and the views of
rows (a point, a participant, a comment) that the API answers with too. `BUILDERS` is the list of event types
the server emits, which tests hold against the schema files.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, ParamSpec

from schema.tables import Invitation, iso

P = ParamSpec("P")
Data = dict[str, Any]


@dataclass(frozen=True)
class Payload:
    """An event's type and its data, as its builder made them."""

    type: str
    data: Data


class Builder(Generic[P]):
    """The builder of one event type: called with the values, it gives the event's payload."""

    def __init__(self, type_: str, build: Callable[P, Data]) -> None:
        self.type = type_
        self._build = build
        self.__doc__ = build.__doc__

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Payload:
        return Payload(self.type, self._build(*args, **kwargs))


BUILDERS: dict[str, Builder[...]] = {}


def builds(type_: str) -> Callable[[Callable[P, Data]], Builder[P]]:
    """Register the function below as the builder of `type_`."""

    def register(build: Callable[P, Data]) -> Builder[P]:
        assert type_ not in BUILDERS, type_
        builder = Builder(type_, build)
        BUILDERS[type_] = builder
        return builder

    return register


@builds("conference.created")
def conference_created(conference_id: int, title: str) -> Data:
    return {"id": conference_id, "title": title}


@builds("conference.updated")
def conference_updated(conference_id: int, changed: Iterable[str]) -> Data:
    return {"id": conference_id, "changed": sorted(changed)}


@builds("conference.state_changed")
def conference_state_changed(status: str, previous: str) -> Data:
    return {"status": status, "previous": previous}


@builds("summary.ready")
def summary_ready(sha256: str | None) -> Data:
    """The frozen record's digest, for staff to fetch it."""
    return {"sha256": sha256}


@builds("summary.statement_changed")
def summary_statement_changed(edited: bool, by: str) -> Data:
    return {"edited": edited, "by": by}


@builds("display.changed")
def display_changed(display: Data) -> Data:
    """What the screens show now, every field of it (server/display/operations.py: Display)."""
    return display


@builds("draft.published")
def draft_published(draft: Data) -> Data:
    return draft


@builds("agenda.changed")
def agenda_changed(items: list[Data], schedule: Data) -> Data:
    """The whole agenda after an edit: small, and no client has to merge."""
    return {"items": items, "schedule": schedule}


@builds("agenda.item_started")
def agenda_item_started(item: Data) -> Data:
    return item


@builds("agenda.item_finished")
def agenda_item_finished(item: Data) -> Data:
    return item


@builds("speaking.queue_changed")
def speaking_queue_changed(request: Data, items: list[Data]) -> Data:
    """The request that changed and the whole queue after it."""
    return {"request": request, "items": items}


@builds("point.added")
def point_added(point: Data) -> Data:
    return point


@builds("point.status_changed")
def point_status_changed(point: Data) -> Data:
    return point


@builds("point.presence_changed")
def point_presence_changed(point_id: int, operators_online: int, operator_seen_at: datetime) -> Data:
    return {"point_id": point_id, "operators_online": operators_online, "operator_seen_at": iso(operator_seen_at)}


@builds("participant.added")
def participant_added(participant: Data) -> Data:
    return participant


@builds("participant.updated")
def participant_updated(participant: Data) -> Data:
    return participant


@builds("participants.imported")
def participants_imported(created: int, per_point: Mapping[int, int]) -> Data:
    """How many were created, and how many at each point (JSON keys are strings)."""
    return {"created": created, "points": {str(point_id): count for point_id, count in sorted(per_point.items())}}


@builds("attendance.checked_in")
def attendance_checked_in(participant: Data, checkin_id: int | None, substitute_for: int | None, walk_in: bool) -> Data:
    return {**participant, "checkin_id": checkin_id, "substitute_for": substitute_for, "walk_in": walk_in}


@builds("attendance.checked_out")
def attendance_checked_out(participant: Data, checkin_id: int | None, at: datetime) -> Data:
    return {**participant, "checkin_id": checkin_id, "checked_out_at": iso(at)}


@builds("attendance.checkin_undone")
def attendance_checkin_undone(participant: Data, checkin_id: int, undone_at: datetime | None) -> Data:
    return {**participant, "checkin_id": checkin_id, "undone_at": iso(undone_at)}


@builds("attendance.stay_struck")
def attendance_stay_struck(
    participant: Data, checkin_id: int, struck_at: datetime | None, reason: str, was_open: bool
) -> Data:
    return {
        **participant, "checkin_id": checkin_id, "struck_at": iso(struck_at), "reason": reason, "was_open": was_open
    }


@builds("attendance.totals_changed")
def attendance_totals_changed(totals: Data, points: list[Data]) -> Data:
    """The conference's figures and the rows of the points whose figures moved."""
    return {"totals": totals, "points": points}


@builds("remark.submitted")
def remark_submitted(remark: Data) -> Data:
    return remark


@builds("remark.moderated")
def remark_moderated(remark: Data) -> Data:
    return remark


@builds("comment.submitted")
def comment_submitted(comment: Data) -> Data:
    return comment


@builds("comment.moderated")
def comment_moderated(comment: Data) -> Data:
    return comment


@builds("comment.answered")
def comment_answered(comment: Data) -> Data:
    return comment


@builds("comment.disposed")
def comment_disposed(comment: Data) -> Data:
    return comment


@builds("comment.merged")
def comment_merged(comment: Data) -> Data:
    return comment


@builds("comment.unmerged")
def comment_unmerged(comment: Data) -> Data:
    return comment


@builds("comment.work_changed")
def comment_work_changed(work: Data) -> Data:
    return work


@builds("answer_template.changed")
def answer_template_changed(template_id: int, template: Data | None) -> Data:
    """A template saved (its view) or deleted (None)."""
    return {"id": template_id, "template": template}


def _invitation(invitation: Invitation) -> Data:
    return {
        "id": invitation.id,
        "role": invitation.role,
        "point_id": invitation.point_id,
        "participant_id": invitation.participant_id,
        "revoked": invitation.revoked_at is not None,
        "expires_at": iso(invitation.expires_at),
    }


@builds("invitation.created")
def invitation_created(invitation: Invitation) -> Data:
    return _invitation(invitation)


@builds("invitation.revoked")
def invitation_revoked(invitation: Invitation) -> Data:
    return _invitation(invitation)


@builds("session.revoked")
def session_revoked(reason: str, invitation_id: int | None = None) -> Data:
    """To the sockets of an invitation revoked or expired, or of a login session that logged out (no invitation)."""
    return {"reason": reason} if invitation_id is None else {"invitation_id": invitation_id, "reason": reason}


@builds("server.restarting")
def server_restarting() -> Data:
    return {"reason": "shutdown", "reconnect": True}


@builds("server.resync")
def server_resync() -> Data:
    return {"reason": "fanout_restored"}
