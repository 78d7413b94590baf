"""The event JSON Schemas: well formed, one per payload builder, and strict about what the builders produce."""
from __future__ import annotations

import copy
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import socketio
from jsonschema import Draft202012Validator, ValidationError

from schema.events.payloads import BUILDERS
from schema.tables import AgendaItem, AnswerTemplate, Comment, CommentNote, Event, Participant, Point
from server.agenda.operations import item_dict
from server.display.operations import Display
from server.events import envelope
from server.participants.operations import participant_dict
from server.points.counters import figures, point_row
from server.points.operations import point_dict
from server.submissions.work import template_dict, work_view
from tests.event_schemas import (
    NOT_EVENTS,
    event_types,
    schema_files,
    validate_data,
    validate_event,
)
from tests.support.realtime import Listener

T0 = datetime(2025, 5, 20, 1, 30, 0, 123456, tzinfo=UTC)


def iso(delta_minutes: int = 0) -> str:
    return (T0 + timedelta(minutes=delta_minutes)).isoformat()


def make_point(**changes: Any) -> Point:
    fields: dict[str, Any] = dict(
        id=3,
        conference_id=1,
        code="HG",
        name="Hậu Giang",
        region="Đồng bằng sông Cửu Long",
        is_host=False,
        link="unknown",
    )
    fields.update(changes)
    return Point(**fields)


def make_person(**changes: Any) -> Participant:
    fields: dict[str, Any] = dict(
        id=41, conference_id=1, point_id=3, full_name="Nguyễn Thị Hồng", position="Phó Giám đốc",
        organization="Sở Tư pháp", role_in_meeting=None, email=None, phone=None, on_roster=True, substitute_for_id=None,
    )
    fields.update(changes)
    return Participant(**fields)


SCHEDULE = {"starts_at": iso(), "planned_end": iso(60), "projected_end": iso(75)}


def make_item(**changes: Any) -> AgendaItem:
    fields: dict[str, Any] = dict(
        id=7, conference_id=1, position=2, title="Báo cáo đề dẫn", kind="report", presenter="Trần Văn Nam",
        point_id=None, planned_minutes=20, extended_minutes=0, speech_limit_seconds=None, status="pending",
        started_at=None, finished_at=None,
    )
    fields.update(changes)
    return AgendaItem(**fields)


def request_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": 5,
        "conference_id": 1,
        "participant_id": 41,
        "full_name": "Nguyễn Thị Hồng",
        "position_title": None,
        "point_id": 3,
        "point": "Hậu Giang",
        "agenda_item_id": None,
        "topic": "Điều 5",
        "point_of_order": True,
        "status": "queued",
        "position": 0,
        "requested_at": iso(),
        "granted_at": None,
        "started_at": None,
        "finished_at": None,
        "time_limit_seconds": 300,
    }
    data.update(changes)
    return data


def comment_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": 9,
        "number": 4,
        "conference_id": 1,
        "participant_id": 41,
        "point_id": 3,
        "draft_id": 2,
        "draft_revision": 1,
        "section_anchor": "dieu-3.khoan-2",
        "body": "Đề nghị bổ sung.",
        "proposed_text": None,
        "proposal": None,
        "author_kind": "participant",
        "disposition": None,
        "response": None,
        "adopted_text": None,
        "author_answer": None,
        "revision": 1,
        "moderation": "approved",
        "duplicate_of": None,
        "duplicate_of_number": None,
        "duplicates": [],
        "duplicate_numbers": [],
        "created_at": iso(),
        "disposed_at": None,
        "author": "Nguyễn Thị Hồng",
        "author_position": "Phó Giám đốc",
        "point": "Hậu Giang",
        "receipt": "5d" * 32,
    }
    data.update(changes)
    return data


def remark_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": 4, "conference_id": 1, "participant_id": 41, "point_id": 3, "agenda_item_id": 7, "title": "Tham luận",
        "body": "Nội dung…", "moderation": "approved", "created_at": iso(), "author": "Nguyễn Thị Hồng",
        "author_position": None, "point": "Hậu Giang", "attachment": None, "receipt": "26" * 32,
    }
    data.update(changes)
    return data


def counts(**changes: int) -> dict[str, int]:
    return {"expected": 12, "present": 3, "substitutes": 1, "walk_ins": 1, "represented": 1, **changes}


def valid_examples() -> list[tuple[str, dict[str, Any]]]:
    """One or more payloads per type, built by the real builders where they need no database."""
    checked_in = {
        **participant_dict(make_person(), T0), "checkin_id": 100, "substitute_for": None, "walk_in": False,
    }
    walk_in = {
        **participant_dict(make_person(id=99, on_roster=False, position=None, organization=None), T0),
        "checkin_id": 101, "substitute_for": None, "walk_in": True,
    }
    substitute = {
        **participant_dict(make_person(id=98, on_roster=False, substitute_for_id=41), T0),
        "checkin_id": 102, "substitute_for": 41, "walk_in": False,
    }
    checked_out = {**participant_dict(make_person(), None), "checkin_id": 100, "checked_out_at": iso(30)}
    return [
        ("conference.created", {"id": 1, "title": "Hội thảo góp ý dự thảo"}),
        ("conference.updated", {"id": 1, "changed": ["starts_at", "venue"]}),
        ("conference.updated", {"id": 1, "changed": []}),
        ("conference.state_changed", {"status": "open", "previous": "draft"}),
        ("conference.state_changed", {"status": "closed", "previous": "collection_closed"}),
        ("conference.state_changed", {"status": "open", "previous": "collection_closed"}),
        ("conference.updated", {"id": 1, "changed": ["premoderation"]}),
        ("summary.ready", {"sha256": "ab" * 32}),
        ("summary.statement_changed", {"edited": True, "by": "user:2"}),
        ("summary.statement_changed", {"edited": False, "by": "user:2"}),
        ("display.changed", asdict(Display())),
        ("display.changed", asdict(Display("section", anchor="dieu-3.khoan-2", view="diff"))),
        ("display.changed", asdict(Display("speakers"))),
        ("display.changed", asdict(Display("message", text="Giải lao 15 phút"))),
        ("comment.work_changed", work_view(Comment(id=7), [], {})),
        (
            "comment.work_changed",
            work_view(
                Comment(
                    id=7,
                    assigned_to=4,
                    assigned_at=T0,
                    draft_disposition="partly_accepted",
                    draft_response="Tiếp thu một phần.",
                    draft_adopted_text="2. Lời văn khác.",
                    drafted_by=4,
                    drafted_at=T0,
                ),
                [
                    CommentNote(id=1, comment_id=7, user_id=4, body="Hỏi lại tác giả.", created_at=T0),
                    CommentNote(id=2, comment_id=7, user_id=None, body="Đã hỏi.", created_at=T0),
                ],
                {4: "Thư ký Lan"},
            ),
        ),
        (
            "answer_template.changed",
            {
                "id": 3,
                "template": template_dict(
                    AnswerTemplate(
                        id=3,
                        conference_id=1,
                        title="Tiếp thu",
                        disposition="accepted",
                        response="Xin tiếp thu.",
                        updated_at=T0,
                    )
                ),
            },
        ),
        (
            "answer_template.changed",
            {
                "id": 3,
                "template": template_dict(
                    AnswerTemplate(
                        id=3,
                        conference_id=1,
                        title="Giải trình",
                        disposition=None,
                        response="Xin giải trình.",
                        updated_at=T0,
                    )
                ),
            },
        ),
        ("answer_template.changed", {"id": 3, "template": None}),
        ("point.added", point_dict(make_point())),
        ("point.added", point_dict(make_point(region=None, is_host=True))),
        ("point.status_changed", point_dict(make_point(link="degraded", link_note="Mất tiếng", link_changed_at=T0))),
        ("point.status_changed", point_dict(make_point(link="ok", link_note=None, link_changed_at=T0))),
        ("participant.added", participant_dict(make_person(), None)),
        ("participants.imported", {"created": 5000, "points": {"3": 4990, "12": 10}}),
        ("attendance.checked_in", checked_in),
        ("attendance.checked_in", walk_in),
        ("attendance.checked_in", substitute),
        ("attendance.checked_out", checked_out),
        (
            "attendance.totals_changed",
            {
                "totals": figures(**counts(expected=80)),
                "points": [point_row(make_point(**counts(), operators_online=1))],
            },
        ),
        (
            "attendance.totals_changed",
            {
                "totals": figures(**counts(expected=80)),
                "points": [
                    point_row(make_point(**counts(), operators_online=0)),
                    point_row(make_point(id=4, code="CTO", **counts(), operators_online=2)),
                ],
            },
        ),
        ("point.presence_changed", {"point_id": 3, "operators_online": 1, "operator_seen_at": iso(4)}),
        (
            "attendance.checkin_undone",
            {**participant_dict(make_person(), None), "checkin_id": 100, "undone_at": iso(3)},
        ),
        (
            "attendance.stay_struck",
            {
                **participant_dict(make_person(), None),
                "checkin_id": 100,
                "struck_at": iso(9),
                "reason": "Điểm danh nhầm",
                "was_open": True,
            },
        ),
        ("participant.updated", participant_dict(make_person(absence_reason="Đi công tác"), None)),
        ("participant.updated", participant_dict(make_person(), T0)),
        (
            "agenda.changed",
            {
                "items": [
                    {**item_dict(make_item()), "planned_start": iso(), "projected_start": iso(2)},
                    {
                        **item_dict(make_item(id=8, position=3, kind="closing", presenter=None, extended_minutes=5)),
                        "planned_start": iso(20),
                        "projected_start": None,
                    },
                ],
                "schedule": SCHEDULE,
            },
        ),
        ("agenda.changed", {"items": [], "schedule": SCHEDULE}),
        ("agenda.item_started", item_dict(make_item(status="live", started_at=T0, point_id=3))),
        (
            "agenda.item_finished",
            item_dict(make_item(status="done", started_at=T0, finished_at=T0 + timedelta(minutes=21))),
        ),
        ("speaking.queue_changed", {"request": request_data(), "items": [request_data()]}),
        (
            "speaking.queue_changed",
            {
                "request": request_data(status="speaking", position=-1, granted_at=iso(1), started_at=iso(2)),
                "items": [],
            },
        ),
        (
            "draft.published",
            {
                "id": 2,
                "conference_id": 1,
                "title": "Dự thảo Quy chế phối hợp",
                "revision": 1,
                "format": "markdown",
                "created_at": iso(),
                "counts": {"chapter": 3, "article": 12, "clause": 30, "point": 8},
                "unmatched": [],
            },
        ),
        ("remark.submitted", remark_data()),
        ("remark.submitted", remark_data(moderation="pending", agenda_item_id=None)),
        (
            "remark.submitted",
            remark_data(
                attachment={
                    "name": "Tham luận.pdf",
                    "type": "application/pdf",
                    "size": 2048,
                    "sha256": "a" * 64,
                    "url": "/api/v1/conferences/1/remarks/4/attachment",
                }
            ),
        ),
        ("remark.moderated", remark_data(moderation="approved")),
        ("remark.moderated", remark_data(moderation="rejected")),
        ("comment.submitted", comment_data()),
        (
            "comment.submitted",
            comment_data(section_anchor=None, draft_id=None, draft_revision=None, proposed_text="Sửa thành…"),
        ),
        ("comment.submitted", comment_data(moderation="pending")),
        (
            "comment.submitted",
            comment_data(proposal={"kind": "insert_after", "text": "Điều mới"}, proposed_text="Điều mới"),
        ),
        ("comment.submitted", comment_data(proposal={"kind": "delete", "text": None})),
        (
            "comment.submitted",
            comment_data(
                participant_id=None,
                point_id=None,
                point=None,
                author="Ban soạn thảo",
                author_position=None,
                author_kind="secretariat",
                proposal={"kind": "replace", "text": "1. Nội dung mới"},
                proposed_text="1. Nội dung mới",
            ),
        ),
        (
            "comment.disposed",
            comment_data(
                disposition="partly_accepted",
                response="Tiếp thu một phần",
                revision=2,
                disposed_at=iso(5),
                proposal={"kind": "replace", "text": "Sửa"},
                proposed_text="Sửa",
                adopted_text="Sửa lại",
            ),
        ),
        (
            "comment.answered",
            comment_data(
                disposition="declined",
                response="Giải trình",
                revision=3,
                disposed_at=iso(5),
                author_answer={"agrees": False, "text": "Đề nghị xem xét lại", "answered_at": iso(9)},
            ),
        ),
        (
            "comment.disposed",
            comment_data(disposition="partly_accepted", response="Tiếp thu một phần", revision=2, disposed_at=iso(5)),
        ),
        (
            "comment.disposed",
            comment_data(disposition="noted", response="", revision=3, disposed_at=iso(9), duplicates=[10, 12]),
        ),
        (
            "comment.disposed",
            comment_data(disposition="accepted", response="", revision=3, disposed_at=iso(9), duplicate_of=8),
        ),
        ("comment.merged", comment_data(duplicate_of=8, revision=2)),
        (
            "comment.merged",
            comment_data(duplicate_of=8, revision=3, disposition="accepted", response="", disposed_at=iso(5)),
        ),
        ("comment.unmerged", comment_data(revision=3)),
        ("comment.unmerged", comment_data(revision=4, disposition="noted", response="Ghi nhận.", disposed_at=iso(5))),
        ("comment.moderated", comment_data(moderation="approved", revision=2)),
        ("comment.moderated", comment_data(moderation="rejected", revision=2, duplicates=[10])),
        (
            "invitation.created",
            {
                "id": 1,
                "role": "operator",
                "point_id": 3,
                "participant_id": None,
                "revoked": False,
                "expires_at": iso(7 * 24 * 60),
            },
        ),
        (
            "invitation.created",
            {"id": 2, "role": "delegate", "point_id": 3, "participant_id": 41, "revoked": False, "expires_at": iso(60)},
        ),
        (
            "invitation.created",
            {
                "id": 3,
                "role": "display",
                "point_id": None,
                "participant_id": None,
                "revoked": False,
                "expires_at": iso(1),
            },
        ),
        (
            "invitation.revoked",
            {
                "id": 1,
                "role": "operator",
                "point_id": 3,
                "participant_id": None,
                "revoked": True,
                "expires_at": iso(7 * 24 * 60),
            },
        ),
        (
            "invitation.revoked",
            {"id": 4, "role": "display", "point_id": None, "participant_id": None, "revoked": True, "expires_at": None},
        ),
        ("session.revoked", {"invitation_id": 1, "reason": "revoked"}),
        ("session.revoked", {"invitation_id": 2, "reason": "expired"}),
        ("session.revoked", {"reason": "logged_out"}),
        ("server.restarting", {"reason": "shutdown", "reconnect": True}),
        ("server.resync", {"reason": "fanout_restored"}),
    ]


def wrap(type_: str, data: dict[str, Any], seq: int = 1) -> dict[str, Any]:
    return envelope(Event(conference_id=1, seq=seq, type=type_, at=T0, data=data, stream="public", prev_seq=seq - 1))


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    files = schema_files()
    assert {"envelope", "common"} <= set(files)
    for name, path in files.items():
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        assert schema["$id"].endswith(f"/{name}.json"), name


def test_every_builder_has_a_schema_and_every_schema_a_builder() -> None:
    built = set(BUILDERS)
    assert len(built) >= 20
    assert not NOT_EVENTS & built
    assert sorted(built - event_types()) == [], "event types without a schema in schema/events/"
    assert sorted(event_types() - built) == [], "schemas without a builder in schema/events/payloads.py"
    assert all(builder.type == type_ for type_, builder in BUILDERS.items())


def test_every_schema_has_an_example_here() -> None:
    assert {type_ for type_, _ in valid_examples()} == event_types()


@pytest.mark.parametrize("type_,data", valid_examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_valid_examples_pass(type_: str, data: dict[str, Any]) -> None:
    validate_event(wrap(type_, data, seq=17))


def test_envelope_at_is_an_aware_iso_datetime() -> None:
    event = wrap("summary.ready", {"sha256": "0" * 64})
    assert event["at"].endswith("+00:00")
    validate_event(event)
    validate_event({**event, "at": "2025-05-20T08:30:00+07:00"})
    validate_event({**event, "at": "2025-05-20T01:30:00Z"})
    for bad in ("2025-05-20T01:30:00", "2025-05-20", "2025-13-20T01:30:00+00:00", "20/05/2025 08:30", 1747704600):
        with pytest.raises(ValidationError):
            validate_event({**event, "at": bad})


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 0},
        {"seq": "1"},
        {"conference_id": None},
        {"data": []},
        {"extra": True},
        {"type": "no.such_type"},
        {"type": 5},
        {"stream": "point:"},
        {"stream": "everyone"},
        {"prev": -1},
        {"prev": None},
    ],
    ids=str,
)
def test_bad_envelopes_fail(change: dict[str, Any]) -> None:
    event = {**wrap("conference.created", {"id": 1, "title": "Hội thảo"}), **change}
    with pytest.raises(ValidationError):
        validate_event(event)


def test_missing_envelope_key_fails() -> None:
    for key in ("seq", "type", "conference_id", "at", "data", "stream", "prev"):
        event = wrap("conference.created", {"id": 1, "title": "Hội thảo"})
        del event[key]
        with pytest.raises(ValidationError):
            validate_event(event)


def changed(type_: str, **changes: Any) -> tuple[str, dict[str, Any]]:
    data = copy.deepcopy(next(d for t, d in valid_examples() if t == type_))
    for key, value in changes.items():
        if value is KeyError:
            del data[key]
        else:
            data[key] = value
    return type_, data


INVALID = [
    changed("comment.work_changed", notes=KeyError),
    changed("comment.work_changed", draft={"disposition": "maybe"}),
    changed("answer_template.changed", template={"id": 3}),
    # missing keys
    changed("comment.disposed", disposition=KeyError),
    changed("attendance.checked_in", checkin_id=KeyError),
    changed("point.added", link_changed_at=KeyError),
    changed("participant.added", email=KeyError),
    changed("summary.ready", sha256=KeyError),
    # wrong types
    changed("attendance.totals_changed", points=point_row(make_point(**counts()))),
    changed("attendance.totals_changed", points=[{"point_id": 3}]),
    changed("point.status_changed", is_host=1),
    changed("agenda.item_started", planned_minutes=20.5),
    changed("remark.submitted", agenda_item_id="7"),
    changed("comment.submitted", revision=True),
    changed("conference.created", id=None),
    changed("attendance.checked_out", checked_out_at=None),
    changed("remark.submitted", created_at="yesterday"),
    # values the code never produces
    changed("comment.disposed", disposition="rejected"),
    changed("comment.disposed", disposition=None),
    changed("comment.submitted", disposition="accepted"),
    changed("comment.submitted", revision=2),
    changed("comment.submitted", moderation="rejected"),
    changed("comment.submitted", duplicate_of=8),
    changed("comment.submitted", duplicates=[8]),
    changed("comment.submitted", duplicates=KeyError),
    changed("comment.disposed", duplicates=[8, 8]),
    changed("comment.merged", duplicate_of=None),
    changed("comment.merged", duplicates=[10]),
    changed("comment.merged", revision=1),
    changed("comment.unmerged", duplicate_of=8),
    changed("comment.moderated", moderation="pending"),
    changed("comment.moderated", moderation="maybe"),
    changed("comment.submitted", proposal={"kind": "move", "text": "x"}),
    changed("comment.submitted", author_kind="chair"),
    changed("comment.submitted", adopted_text="Sửa lại"),
    changed("comment.answered", author_answer=None),
    changed("comment.answered", disposition=None),
    changed("remark.moderated", moderation="pending"),
    changed("remark.submitted", moderation="rejected"),
    changed("remark.submitted", moderation=KeyError),
    changed("point.status_changed", link="unknown"),
    changed("point.status_changed", link="broken"),
    changed("point.added", link="ok"),
    changed("agenda.item_started", status="done"),
    changed("agenda.item_finished", finished_at=None),
    changed(
        "agenda.changed",
        items=[{**item_dict(make_item()), "planned_start": iso(), "projected_start": iso(), "kind": "lunch"}],
    ),
    changed("agenda.changed", items=[item_dict(make_item())]),
    changed("agenda.changed", schedule={"starts_at": iso()}),
    changed("speaking.queue_changed", request=request_data(status="waiting")),
    changed("conference.state_changed", status="draft"),
    changed("conference.updated", changed=["status"]),
    changed("display.changed", mode="slides"),
    changed("display.changed", text="Thừa"),
    changed("display.changed", anchor="dieu-3"),
    changed("display.changed", view=KeyError),
    ("display.changed", asdict(Display("section", anchor="dieu-3"))),
    ("display.changed", asdict(Display("section", anchor="dieu-3", view="final"))),
    ("display.changed", asdict(Display("message"))),
    ("display.changed", asdict(Display("message", text="x" * 501))),
    changed("attendance.checked_in", present=False),
    changed("attendance.checked_in", walk_in=True, substitute_for=41),
    changed("attendance.checked_out", checked_in_at=iso()),
    changed("invitation.created", role="chair"),
    changed("invitation.created", revoked=True),
    changed("invitation.revoked", role="display", point_id=3),
    changed("invitation.created", expires_at=KeyError),
    changed("invitation.created", expires_at="next week"),
    changed("invitation.revoked", expires_at="2025-05-27T01:30:00"),
    changed("session.revoked", reason="logged_out"),
    changed("session.revoked", invitation_id=None),
    changed("session.revoked", token="abc"),
    ("session.revoked", {"reason": "revoked"}),
    ("session.revoked", {"reason": "logged_out", "session_id": 5}),
    changed("server.restarting", reconnect=False),
    changed("server.resync", reason="shutdown"),
    changed("draft.published", counts={"paragraph": 2}),
    changed("draft.published", format="pdf"),
    changed("summary.ready", sha256="not-a-hash"),
    changed("attendance.totals_changed", totals=counts(present=-1)),
    changed("attendance.totals_changed", points=[]),
    changed("attendance.totals_changed", totals=KeyError),
    changed("participants.imported", created=0),
    changed("participants.imported", points={"HGI": 3}),
    changed("participants.imported", points={}),
    # keys the builders never add
    changed("conference.created", token="secret"),
    changed("participant.added", search_key="nguyen thi hong"),
    changed("attendance.checked_in", nickname="Hồng"),
    changed("attendance.totals_changed", point_id=3),
    changed("invitation.created", token="abc"),
    changed("speaking.queue_changed", request={**request_data(), "extra": 1}),
]


@pytest.mark.parametrize("type_,data", INVALID, ids=lambda v: v if isinstance(v, str) else "")
def test_wrong_examples_fail(type_: str, data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        validate_event(wrap(type_, data))


def test_data_errors_point_into_data() -> None:
    type_, data = changed("comment.disposed", disposition="rejected")
    with pytest.raises(ValidationError) as caught:
        validate_data(type_, data)
    assert list(caught.value.path)[0] == "data"


async def test_the_tests_listener_refuses_an_event_its_schema_refuses() -> None:
    listener = Listener(socketio.AsyncClient())
    await listener.on_event(wrap("summary.ready", {"sha256": "ab" * 32}, seq=1))
    assert listener.types() == ["summary.ready"]
    await listener.on_event(wrap("summary.ready", {"sha256": "not-a-hash"}, seq=2))
    with pytest.raises(ValidationError):
        listener.types()
