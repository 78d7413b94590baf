"""SQLAlchemy 2.0 typed models: the whole data model in one place."""
from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

DISPOSITIONS = ("accepted", "partly_accepted", "noted", "declined")
# What a comment's proposal does to its anchored section (PROTOCOL v1.1).
PROPOSAL_KINDS = ("replace", "insert_after", "delete")
# Who made a comment: a participant (a delegate, or an operator for one), or the secretariat (Ban soạn thảo).
AUTHOR_KINDS = ("participant", "secretariat")
MODERATION = ("pending", "approved", "rejected")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# A replay of a past workshop (the demo's) runs the real operations at the times it recorded.
replayed_now: ContextVar[datetime | None] = ContextVar("replayed_now", default=None)


def utcnow() -> datetime:
    return replayed_now.get() or datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC, so SQLite and PostgreSQL read back the same instant."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention Alembic can follow."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}
    # Every class here maps one Table, which the bulk statements use; DeclarativeBase types it as any FromClause.
    __table__: ClassVar[Table]


class Conference(Base):
    """A workshop: its facts, lifecycle status, event counter and frozen summary."""

    __tablename__ = "conference"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    venue: Mapped[str | None] = mapped_column(Text)
    chair_name: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    expected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    present: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    substitutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    walk_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    represented: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    collection_closed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    summary_md: Mapped[str | None] = mapped_column(Text)
    summary_json: Mapped[dict[str, Any] | None]
    summary_sha256: Mapped[str | None] = mapped_column(String(64))
    # The chair's own wording of the closing statement; while null, the summary carries the generated draft.
    closing_statement: Mapped[str | None] = mapped_column(Text)
    speaking_quota_seconds: Mapped[int | None] = mapped_column(Integer)
    # When on, new remarks and comments wait for staff approval before they count anywhere public.
    premoderation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the last coalesced attendance.totals_changed was sent, by whichever process: they share the 250 ms.
    totals_announced_at: Mapped[datetime | None]
    # What the big screen shows ({mode, anchor, view, text}); null is the agenda, the default.
    display: Mapped[dict[str, Any] | None]
    # The record's letterhead as the admin set it ({style, parent_body, issuing_body, number, national_title, motto,
    # place, secretary_name}); null takes the defaults of server.summary.document.
    record_header: Mapped[dict[str, Any] | None]


class Point(Base):
    """A bridge point (or the host point) and its last reported link status."""

    __tablename__ = "point"
    __table_args__ = (UniqueConstraint("conference_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    is_host: Mapped[bool] = mapped_column(Boolean, default=False)
    link: Mapped[str] = mapped_column(String(16), default="unknown")
    link_note: Mapped[str | None] = mapped_column(Text)
    link_changed_at: Mapped[datetime | None]
    # Attendance counters, kept in the transaction of every change so the sheet costs O(points).
    expected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    present: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    substitutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    walk_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Roster members not in the room whose substitute is.
    represented: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_checkin_at: Mapped[datetime | None]
    operators_online: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    operator_seen_at: Mapped[datetime | None]
    # Its counters moved since the last attendance.totals_changed; the next one carries its row.
    totals_dirty: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Participant(Base):
    """A person expected at a point (roster), or one who walked in or substituted."""

    __tablename__ = "participant"
    __table_args__ = (Index("ix_participant_roster_order", "conference_id", "point_id", "sort_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("point.id"), index=True)
    full_name: Mapped[str] = mapped_column(Text)
    position: Mapped[str | None] = mapped_column(Text)
    organization: Mapped[str | None] = mapped_column(Text)
    role_in_meeting: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    search_key: Mapped[str] = mapped_column(Text)
    sort_key: Mapped[bytes] = mapped_column(LargeBinary, default=b"", server_default="")
    on_roster: Mapped[bool] = mapped_column(Boolean, default=True)
    substitute_for_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    # Why a roster member is absent, as the point reported it ("đi công tác"); the record lists it.
    absence_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Checkin(Base):
    """One stay of a participant at a point: checked in, and later perhaps out."""

    __tablename__ = "checkin"
    __table_args__ = (
        Index(
            "uq_checkin_present",
            "participant_id",
            unique=True,
            sqlite_where=text("checked_out_at IS NULL"),
            postgresql_where=text("checked_out_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("point.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    substitute_for_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_out_at: Mapped[datetime | None]
    checked_in_by: Mapped[str | None] = mapped_column(String(64))
    checked_out_by: Mapped[str | None] = mapped_column(String(64))
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(64))
    # Set when staff struck a stay from the record after the undo window, saying why.
    undo_reason: Mapped[str | None] = mapped_column(Text)


class AgendaItem(Base):
    """An item of the programme with its plan and how it actually ran."""

    __tablename__ = "agenda_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    presenter: Mapped[str | None] = mapped_column(Text)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("point.id"))
    planned_minutes: Mapped[int] = mapped_column(Integer)
    extended_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    speech_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class SpeakingRequest(Base):
    """A request for the floor and its way through the queue."""

    __tablename__ = "speaking_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    point_id: Mapped[int] = mapped_column(ForeignKey("point.id"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    topic: Mapped[str | None] = mapped_column(Text)
    point_of_order: Mapped[bool] = mapped_column(Boolean, default=False)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    position: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Draft(Base):
    """One revision of the draft document under consultation."""

    __tablename__ = "draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    unmatched: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftSection(Base):
    """A chapter, section, article, clause or point of a draft, with its stable anchor."""

    __tablename__ = "draft_section"
    __table_args__ = (UniqueConstraint("draft_id", "anchor"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(128))
    parent: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class Remark(Base):
    """A speech text or contributed paper submitted by a participant."""

    __tablename__ = "remark"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    point_id: Mapped[int] = mapped_column(ForeignKey("point.id"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    moderation: Mapped[str] = mapped_column(String(16), default="approved", server_default="approved")
    submitted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An optional PDF or DOCX, kept under data_dir/attachments/<sha256>.
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_name: Mapped[str | None] = mapped_column(Text)
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    # The SHA-256 receipt its author was given (server/submissions/receipts.py), written with the row.
    receipt: Mapped[str | None] = mapped_column(String(64), index=True)


class Comment(Base):
    """A comment on the draft and the chair's ruling on it."""

    __tablename__ = "comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    # Both null for the secretariat's own proposals (author_kind "secretariat"), which no participant made.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("point.id"))
    author_kind: Mapped[str] = mapped_column(String(16), default="participant", server_default="participant")
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"))
    draft_revision: Mapped[int | None] = mapped_column(Integer)
    section_anchor: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    # The proposal's kind (PROPOSAL_KINDS) and its text; a delete has no text, a comment without a proposal neither.
    proposal_kind: Mapped[str | None] = mapped_column(String(16))
    proposed_text: Mapped[str | None] = mapped_column(Text)
    disposition: Mapped[str | None] = mapped_column(String(20))
    response: Mapped[str | None] = mapped_column(Text)
    # The chair's counter-wording of a partly accepted proposal: what enters the revised draft instead.
    adopted_text: Mapped[str | None] = mapped_column(Text)
    # The author's answer to the ruling (đồng ý / không đồng ý), before the close.
    author_agrees: Mapped[bool | None] = mapped_column(Boolean)
    author_answer: Mapped[str | None] = mapped_column(Text)
    author_answered_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer, default=1)
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    moderation: Mapped[str] = mapped_column(String(16), default="approved", server_default="approved")
    # Always points at a comment that is not itself a duplicate, so a ruling reaches every copy in one step.
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disposed_at: Mapped[datetime | None]
    # Who works on it: the secretary (a staff account) it is handed to, and the answer drafted for the chair.
    # Kept apart from the ruling above, which stays the chair's; staff see these, the author and the record never do.
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_at: Mapped[datetime | None]
    draft_disposition: Mapped[str | None] = mapped_column(String(20))
    draft_response: Mapped[str | None] = mapped_column(Text)
    draft_adopted_text: Mapped[str | None] = mapped_column(Text)
    drafted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    drafted_at: Mapped[datetime | None]
    # The SHA-256 receipt its author was given (server/submissions/receipts.py), written with the row.
    receipt: Mapped[str | None] = mapped_column(String(64), index=True)


class CommentNote(Base):
    """A staff note on a comment: for the staff alone, never its author, the record or an export."""

    __tablename__ = "comment_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnswerTemplate(Base):
    """A saved answer the staff drafts from: a disposition and a response text, per conference."""

    __tablename__ = "answer_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    disposition: Mapped[str | None] = mapped_column(String(20))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """An append-only record of a staff action: who, what, when and from where (the database refuses edits)."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conference.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))


class Event(Base):
    """One numbered change of a conference, kept for replay to the clients allowed to see it."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("conference_id", "seq"),
        Index("ix_event_stream", "conference_id", "stream", "seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    visibility: Mapped[str] = mapped_column(String(16))
    point_id: Mapped[int | None] = mapped_column(Integer)
    participant_id: Mapped[int | None] = mapped_column(Integer)
    # The audience as one name ("public", "staff", "point:7", "participant:42"), and the seq of the event
    # before this one in it (0 for the first): a console that sees only some streams can still tell a gap.
    stream: Mapped[str] = mapped_column(String(40))
    prev_seq: Mapped[int] = mapped_column(Integer)


class User(Base):
    """A staff account (admin, chair or secretary) that logs in with a password."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Failed logins since `failed_since`; at the limit the account is locked until `locked_until`.
    # Kept here, not in memory, so a restart or another server process does not reset the count.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_since: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class Invitation(Base):
    """A role in one conference handed out as a link; only the token's hash is stored."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("point.id"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # None only for rows made before expiry existed (migration 0008): those never expire.
    expires_at: Mapped[datetime | None]


class SigningKey(Base):
    """The one row naming the server's signing key by a fingerprint, so a start with another key is noticed."""

    __tablename__ = "signing_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    # HMAC-SHA256 of a fixed label under the key: tells keys apart, and gives nothing towards the key itself.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # When a start last found a different key; None while the key is the one first seen.
    changed_at: Mapped[datetime | None]


class AuthSession(Base):
    """A login (bearer token or browser cookie) for a staff user or an invitation."""

    __tablename__ = "auth_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class IdempotencyRecord(Base):
    """The stored answer to a create, so a retried request gets the same result."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
