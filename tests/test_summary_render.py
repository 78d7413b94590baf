"""The closing summary: compiled from a real SQLite file, rendered to Markdown, HTML and JSON."""
from __future__ import annotations

import hashlib
import io
import itertools
import json
from datetime import UTC, datetime
from typing import Any

import docx
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import (
    AgendaItem,
    AuditEntry,
    Checkin,
    Comment,
    Conference,
    Draft,
    DraftSection,
    Participant,
    Point,
    Remark,
    SpeakingRequest,
    User,
)
from server.drafts.revise import Change
from server.submissions.receipts import comment_receipt, merkle_root, record_leaves, remark_receipt
from server.summary.compile import compile_summary
from server.summary.exports import json_bytes
from server.summary.pdf import render_pdf
from server.summary.render import receipts_line, render_html, render_json, render_markdown
from server.summary.revision import revised_draft, word_changes
from server.summary.word import render_docx
from tests.rendered import pdf_text, squeezed

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """A moment of 07/09/2021 in UTC, seven hours behind Hà Nội."""
    return datetime(2021, 9, 7, hour, minute, second, tzinfo=UTC)


async def seed(session: AsyncSession) -> int:
    """A small workshop: host and two bridge points, a substitute, a walk-in, a live agenda, a draft and its
    comments."""
    conference = Conference(
        title="Hội thảo góp ý dự thảo Quy chế phối hợp",
        starts_at=at(1, 0),
        venue="Hội trường Bộ Công an",
        chair_name="Trần Văn Chủ",
        status="open",
    )
    session.add(conference)
    await session.flush()
    c = conference.id

    def person(point: Point, name: str, **fields: Any) -> Participant:
        row = Participant(conference_id=c, point_id=point.id, full_name=name, search_key=name.lower(), **fields)
        session.add(row)
        return row

    # Hậu Giang is added before Cần Thơ: the summary must order by code, not by insertion.
    host = Point(conference_id=c, code="TW", name="Điểm cầu Trung ương", is_host=True)
    hau_giang = Point(conference_id=c, code="HG", name="Hậu Giang")
    can_tho = Point(conference_id=c, code="CT", name="Cần Thơ")
    session.add_all([host, hau_giang, can_tho])
    await session.flush()

    an = person(host, "Nguyễn Văn An", position="Thứ trưởng", organization="Bộ Công an")
    binh = person(hau_giang, "Lê Thị Bình", position="Phó Bí thư", organization="Tỉnh ủy Hậu Giang")
    cuong = person(hau_giang, "Phạm Văn Cường", position="Giám đốc Công an tỉnh")
    dung = person(hau_giang, "Võ Văn Dũng", on_roster=False, organization="Công an tỉnh Hậu Giang")
    em = person(hau_giang, "Đặng Thị Em", on_roster=False)
    phuc = person(can_tho, "Huỳnh Văn Phúc", position="Bí thư Thành ủy")
    giang = person(can_tho, "Trương Thị Giang")
    hoa = person(can_tho, "Ngô Thị Hoa", position="Phó Chủ tịch", absence_reason="Đi công tác nước ngoài")
    khanh = person(host, "Bùi Văn Khánh", position="Vụ trưởng")
    await session.flush()
    dung.substitute_for_id = cuong.id

    session.add_all([
        Checkin(conference_id=c, point_id=host.id, participant_id=an.id, checked_in_at=at(0, 40)),
        Checkin(conference_id=c, point_id=hau_giang.id, participant_id=binh.id, checked_in_at=at(0, 41)),
        # A substitute is also checked in by name; it counts as a substitute, not as a walk-in.
        Checkin(conference_id=c, point_id=hau_giang.id, participant_id=dung.id, substitute_for_id=cuong.id,
                walk_in=True, checked_in_at=at(0, 42)),
        Checkin(conference_id=c, point_id=hau_giang.id, participant_id=em.id, walk_in=True, checked_in_at=at(0, 43)),
        Checkin(conference_id=c, point_id=can_tho.id, participant_id=phuc.id, checked_in_at=at(0, 44)),
        Checkin(conference_id=c, point_id=can_tho.id, participant_id=giang.id, checked_in_at=at(0, 45),
                checked_out_at=at(1, 30)),
        # Checked in by mistake and undone, then struck: neither stay counts.
        Checkin(conference_id=c, point_id=can_tho.id, participant_id=hoa.id, checked_in_at=at(0, 46),
                checked_out_at=at(0, 47), undone_at=at(0, 47)),
        Checkin(conference_id=c, point_id=host.id, participant_id=khanh.id, checked_in_at=at(0, 48),
                checked_out_at=at(2, 0), undone_at=at(2, 5), undo_reason="Điểm danh nhầm người cùng tên"),
    ])

    # Inserted out of position order on purpose.
    closing = AgendaItem(conference_id=c, position=4, title="Phát biểu kết luận", kind="closing",
                         presenter="Trần Văn Chủ", planned_minutes=10)
    opening = AgendaItem(conference_id=c, position=1, title="Khai mạc", kind="opening", presenter="Trần Văn Chủ",
                         planned_minutes=10, status="done", started_at=at(1, 3), finished_at=at(1, 5, 30))
    report = AgendaItem(conference_id=c, position=2, title="Báo cáo đề dẫn", kind="report", presenter="Nguyễn Văn An",
                        point_id=host.id, planned_minutes=30, status="done", started_at=at(1, 5, 30),
                        finished_at=at(1, 38, 50))
    paper = AgendaItem(conference_id=c, position=3, title="Tham luận của Tỉnh ủy Hậu Giang", kind="contribution",
                       presenter="Lê Thị Bình", point_id=hau_giang.id, planned_minutes=20, status="live",
                       started_at=at(1, 40))
    session.add_all([closing, opening, report, paper])
    await session.flush()

    session.add_all([
        SpeakingRequest(conference_id=c, participant_id=phuc.id, point_id=can_tho.id, topic="Về cơ chế phối hợp",
                        status="done", position=2, requested_at=at(1, 20), started_at=at(1, 50), finished_at=at(1, 55)),
        SpeakingRequest(conference_id=c, participant_id=binh.id, point_id=hau_giang.id, topic=None,
                        status="done", position=1, requested_at=at(1, 10), started_at=at(1, 45), finished_at=at(1, 49)),
        SpeakingRequest(conference_id=c, participant_id=em.id, point_id=hau_giang.id, topic="Chưa đến lượt",
                        status="queued", position=3, requested_at=at(1, 25)),
    ])

    old = Draft(conference_id=c, title="Dự thảo Quy chế (lần 1)", revision=1, format="markdown", source="...")
    current = Draft(conference_id=c, title="Dự thảo Quy chế phối hợp", revision=2, format="markdown", source="...")
    session.add_all([old, current])
    await session.flush()
    session.add(DraftSection(draft_id=old.id, position=1, anchor="dieu-9", kind="article", number="9",
                             title="Điều đã bỏ", text="..."))
    sections = [
        ("chuong-1", None, "chapter", "I", "NHỮNG QUY ĐỊNH CHUNG"),
        ("dieu-1", "chuong-1", "article", "1", "Phạm vi điều chỉnh"),
        ("dieu-1.khoan-1", "dieu-1", "clause", "1", ""),
        ("dieu-1.khoan-2", "dieu-1", "clause", "2", ""),
        ("dieu-2", "chuong-1", "article", "2", "Đối tượng áp dụng"),
        ("dieu-2.khoan-1", "dieu-2", "clause", "1", ""),
        ("dieu-2.khoan-1.diem-a", "dieu-2.khoan-1", "point", "a", ""),
        ("dieu-2.khoan-1.diem-dd", "dieu-2.khoan-1", "point", "đ", ""),
        ("dieu-3", "chuong-1", "article", "3", "Nguyên tắc phối hợp"),
    ]
    session.add_all(
        DraftSection(draft_id=current.id, position=n, anchor=anchor, parent=parent, kind=kind, number=number,
                     title=title, text="...")
        for n, (anchor, parent, kind, number, title) in enumerate(sections, start=1)
    )

    session.add_all([
        Remark(conference_id=c, participant_id=phuc.id, point_id=can_tho.id, title="Ý kiến của Thành ủy Cần Thơ",
               body="Thống nhất cao.\n\n# Không phải tiêu đề\n1. Không phải danh sách", submitted_by="delegate",
               created_at=at(1, 52)),
        Remark(conference_id=c, participant_id=binh.id, point_id=hau_giang.id, agenda_item_id=paper.id,
               title="Tham luận của Tỉnh ủy Hậu Giang", body="Kính thưa các đồng chí.", submitted_by="delegate",
               created_at=at(1, 35)),
    ])

    def comment(who: Participant, anchor: str | None, body: str, **fields: Any) -> None:
        session.add(Comment(conference_id=c, participant_id=who.id, point_id=who.point_id, draft_id=current.id,
                            draft_revision=2, section_anchor=anchor, body=body, submitted_by="delegate", **fields))

    comment(binh, "dieu-2.khoan-1.diem-dd", "Bổ sung công an cấp xã.", disposition="accepted",
            response="Đã bổ sung vào điểm đ.", revision=2)
    comment(phuc, None, "Dự thảo công phu, đề nghị sớm ban hành.")
    comment(an, "dieu-1.khoan-2", f"Cần làm rõ. {SCRIPT}\n=CMD()", proposed_text="| x *y*")
    comment(dung, "dieu-2", "Đối tượng còn hẹp.", disposition="declined", response="Đã đủ rộng.", revision=2)
    comment(phuc, "dieu-1", "Tên điều nên sửa.")
    comment(binh, "dieu-9.khoan-1", "Góp ý trên bản cũ.", disposition="noted", revision=2)
    comment(em, "dieu-2.khoan-1.diem-a", "Sửa câu chữ.", disposition="partly_accepted", response="Sửa một phần.",
            revision=2)
    await session.commit()
    return c


def row(no: int, id_: int, anchor: str | None, provision: str | None, body: str, author: str,
        organization: str | None, point: str, disposition: str | None, label: str,
        response: str | None = None, proposed: str | None = None) -> dict[str, Any]:
    return {
        "no": no, "id": id_, "anchor": anchor, "provision": provision, "body": body,
        "authors": [{"name": author, "organization": organization, "point": point}], "proposed_text": proposed,
        # Stored here without a kind, as a wording proposed before kinds were kept.
        "proposal_kind": None, "author_kind": "participant",
        "disposition": disposition, "disposition_label": label, "response": response,
        "adopted_text": None, "author_answer": None,
    }


async def test_model_content(session: AsyncSession) -> None:
    c = await seed(session)
    model = await compile_summary(session, c)

    assert list(model) == [
        "conference",
        "document",
        "draft",
        "attendance",
        "absentees",
        "substitutions",
        "walk_ins",
        "agenda",
        "speakers",
        "remarks",
        "comments",
        "comment_totals",
        "comments_by_point",
        "revised_draft",
        "receipts",
        "closing_statement",
        "audit",
    ]
    assert model["conference"] == {
        "id": c, "title": "Hội thảo góp ý dự thảo Quy chế phối hợp", "starts_at": "2021-09-07T08:00:00+07:00",
        "venue": "Hội trường Bộ Công an", "chair_name": "Trần Văn Chủ", "status": "open",
        "timezone": "Asia/Ho_Chi_Minh", "points_count": 2, "host_point": "Điểm cầu Trung ương",
    }
    assert model["draft"] == {"title": "Dự thảo Quy chế phối hợp", "revision": 2}

    points = model["attendance"]["points"]
    figures = ("expected", "invited_present", "represented", "absent", "substitutes", "walk_ins", "people")
    assert [(p["code"], p["is_host"], *(p[f] for f in figures)) for p in points] == [
        # Bùi Văn Khánh's only stay was struck from the record.
        ("TW", True, 2, 1, 0, 1, 0, 0, 1),
        # Trương Thị Giang left early: she attended, so she counts; Ngô Thị Hoa's check-in was undone.
        ("CT", False, 3, 2, 0, 1, 0, 0, 2),
        # Phạm Văn Cường is represented by his substitute; the walk-in counts among the people, not the invited.
        ("HG", False, 2, 1, 1, 0, 1, 1, 3),
    ]
    assert [p["rate"] for p in points] == ["50,0%", "66,7%", "50,0%"]
    assert all(p["present"] == p["people"] for p in points)
    assert list(points[0]) == ["point_id", "code", "name", "is_host", "expected", "invited_present", "represented",
                               "absent", "rate", "substitutes", "walk_ins", "people", "present"]
    assert model["attendance"]["totals"] == {
        "expected": 7, "invited_present": 4, "represented": 1, "absent": 2, "rate": "57,1%", "substitutes": 1,
        "walk_ins": 1, "people": 6, "present": 6,
    }
    assert model["absentees"] == [
        {"point": "Điểm cầu Trung ương", "full_name": "Bùi Văn Khánh", "position": "Vụ trưởng", "organization": None,
         "absence_reason": None},
        {"point": "Cần Thơ", "full_name": "Ngô Thị Hoa", "position": "Phó Chủ tịch", "organization": None,
         "absence_reason": "Đi công tác nước ngoài"},
    ]
    assert model["walk_ins"] == [{"point": "Hậu Giang", "full_name": "Đặng Thị Em", "organization": None}]
    assert model["substitutions"] == [
        {"point": "Hậu Giang", "full_name": "Võ Văn Dũng", "substitute_for": "Phạm Văn Cường"},
    ]

    agenda = model["agenda"]
    assert [(a["position"], a["title"], a["status"]) for a in agenda] == [
        (1, "Khai mạc", "done"), (2, "Báo cáo đề dẫn", "done"),
        (3, "Tham luận của Tỉnh ủy Hậu Giang", "live"), (4, "Phát biểu kết luận", "pending"),
    ]
    assert [a["planned_start"] for a in agenda] == [
        "2021-09-07T08:00:00+07:00", "2021-09-07T08:10:00+07:00",
        "2021-09-07T08:40:00+07:00", "2021-09-07T09:00:00+07:00",
    ]
    # 2 min 30 s rounds up to 3; 33 min 20 s down to 33; an item still live has no duration.
    assert [a["actual_minutes"] for a in agenda] == [3, 33, None, None]
    assert [a["overrun_minutes"] for a in agenda] == [0, 3, None, None]
    assert agenda[1]["planned_end"] == "2021-09-07T08:40:00+07:00"
    assert agenda[0]["started_at"] == "2021-09-07T08:03:00+07:00"
    assert agenda[0]["finished_at"] == "2021-09-07T08:05:30+07:00"
    assert [a["point"] for a in agenda] == [None, "Điểm cầu Trung ương", "Hậu Giang", None]

    assert model["speakers"] == [
        {
            "full_name": "Lê Thị Bình",
            "point": "Hậu Giang",
            "topic": None,
            "started_at": "2021-09-07T08:45:00+07:00",
            "finished_at": "2021-09-07T08:49:00+07:00",
            "duration_seconds": 240,
        },
        {
            "full_name": "Huỳnh Văn Phúc",
            "point": "Cần Thơ",
            "topic": "Về cơ chế phối hợp",
            "started_at": "2021-09-07T08:50:00+07:00",
            "finished_at": "2021-09-07T08:55:00+07:00",
            "duration_seconds": 300,
        },
    ]

    remarks = model["remarks"]
    assert [r["title"] for r in remarks] == ["Tham luận của Tỉnh ủy Hậu Giang", "Ý kiến của Thành ủy Cần Thơ"]
    assert {k: v for k, v in remarks[0].items() if k not in ("id", "receipt")} == {
        "title": "Tham luận của Tỉnh ủy Hậu Giang", "author": "Lê Thị Bình", "position": "Phó Bí thư",
        "organization": "Tỉnh ủy Hậu Giang", "point": "Hậu Giang", "agenda_item": "Tham luận của Tỉnh ủy Hậu Giang",
        "body": "Kính thưa các đồng chí.", "submitted_at": "2021-09-07T08:35:00+07:00",
    }
    assert remarks[1]["agenda_item"] is None

    ids = {r["body"]: r["id"] for g in model["comments"] for r in g["rows"]}
    script_body = f"Cần làm rõ. {SCRIPT}\n=CMD()"
    # Each row and remark has the receipt of its row as stored (checked below); the rest is compared without it.
    bare = [{**g, "rows": [{k: v for k, v in r.items() if k not in ("receipt", "merged_receipts")} for r in g["rows"]]}
            for g in model["comments"]]
    assert bare == [
        {
            "anchor": None,
            "heading": "Góp ý chung",
            "rows": [
                row(
                    2,
                    ids["Dự thảo công phu, đề nghị sớm ban hành."],
                    None,
                    None,
                    "Dự thảo công phu, đề nghị sớm ban hành.",
                    "Huỳnh Văn Phúc",
                    None,
                    "Cần Thơ",
                    None,
                    "Chưa xử lý",
                )
            ],
        },
        {
            "anchor": "dieu-1",
            "heading": "Điều 1. Phạm vi điều chỉnh",
            "rows": [
                row(
                    5,
                    ids["Tên điều nên sửa."],
                    "dieu-1",
                    "Điều 1",
                    "Tên điều nên sửa.",
                    "Huỳnh Văn Phúc",
                    None,
                    "Cần Thơ",
                    None,
                    "Chưa xử lý",
                ),
                row(
                    3,
                    ids[script_body],
                    "dieu-1.khoan-2",
                    "Điều 1, khoản 2",
                    script_body,
                    "Nguyễn Văn An",
                    "Bộ Công an",
                    "Điểm cầu Trung ương",
                    None,
                    "Chưa xử lý",
                    proposed="| x *y*",
                ),
            ],
        },
        {
            "anchor": "dieu-2",
            "heading": "Điều 2. Đối tượng áp dụng",
            "rows": [
                row(
                    4,
                    ids["Đối tượng còn hẹp."],
                    "dieu-2",
                    "Điều 2",
                    "Đối tượng còn hẹp.",
                    "Võ Văn Dũng",
                    "Công an tỉnh Hậu Giang",
                    "Hậu Giang",
                    "declined",
                    "Giải trình, không tiếp thu",
                    "Đã đủ rộng.",
                ),
                row(
                    7,
                    ids["Sửa câu chữ."],
                    "dieu-2.khoan-1.diem-a",
                    "Điều 2, khoản 1, điểm a",
                    "Sửa câu chữ.",
                    "Đặng Thị Em",
                    None,
                    "Hậu Giang",
                    "partly_accepted",
                    "Tiếp thu một phần",
                    "Sửa một phần.",
                ),
                row(
                    1,
                    ids["Bổ sung công an cấp xã."],
                    "dieu-2.khoan-1.diem-dd",
                    "Điều 2, khoản 1, điểm đ",
                    "Bổ sung công an cấp xã.",
                    "Lê Thị Bình",
                    "Tỉnh ủy Hậu Giang",
                    "Hậu Giang",
                    "accepted",
                    "Tiếp thu",
                    "Đã bổ sung vào điểm đ.",
                ),
            ],
        },
        {
            "anchor": "dieu-9.khoan-1",
            "heading": "dieu-9.khoan-1",
            "rows": [
                row(
                    6,
                    ids["Góp ý trên bản cũ."],
                    "dieu-9.khoan-1",
                    "Điều 9, khoản 1",
                    "Góp ý trên bản cũ.",
                    "Lê Thị Bình",
                    "Tỉnh ủy Hậu Giang",
                    "Hậu Giang",
                    "noted",
                    "Ghi nhận",
                )
            ],
        },
    ]
    # Ids and numbers follow arrival; the table follows the draft, each row keeping its comment's number.
    first = min(ids.values())
    assert [r["id"] - first + 1 for g in model["comments"] for r in g["rows"]] == [2, 5, 3, 4, 7, 1, 6]
    assert [r["no"] for g in model["comments"] for r in g["rows"]] == [2, 5, 3, 4, 7, 1, 6]
    stored = {row.id: row for row in (await session.scalars(select(Comment))).all()}
    assert [(r["receipt"], r["merged_receipts"]) for g in model["comments"] for r in g["rows"]] == [
        (comment_receipt(stored[r["id"]]), []) for g in model["comments"] for r in g["rows"]]
    said = {row.id: row for row in (await session.scalars(select(Remark))).all()}
    assert [r["receipt"] for r in remarks] == [remark_receipt(said[r["id"]]) for r in remarks]
    assert model["receipts"] == {"algorithm": "sha256-merkle", "count": 9, "root": merkle_root(record_leaves(model))}
    assert model["comment_totals"] == {
        "total": 7, "accepted": 1, "partly_accepted": 1, "noted": 1, "declined": 1, "pending": 3,
        "people": 5, "points": 3, "held": 0, "rejected": 0, "merged": 0, "secretariat": 0,
    }
    assert model["comments_by_point"] == [
        {"point": "Điểm cầu Trung ương", "code": "TW", "total": 1, "accepted": 0, "partly_accepted": 0, "noted": 0,
         "declined": 0, "pending": 1},
        {"point": "Cần Thơ", "code": "CT", "total": 2, "accepted": 0, "partly_accepted": 0, "noted": 0,
         "declined": 0, "pending": 2},
        {"point": "Hậu Giang", "code": "HG", "total": 4, "accepted": 1, "partly_accepted": 1, "noted": 1,
         "declined": 1, "pending": 0},
    ]
    assert model["closing_statement"]["edited"] is False
    assert "nhận được 7 ý kiến góp ý vào Dự thảo Quy chế phối hợp của 5 đại biểu tại 3 điểm cầu" in (
        model["closing_statement"]["text"]
    )
    assert json.loads(json.dumps(model)) == model
    assert await compile_summary(session, c) == model


async def test_held_and_rejected_input_stays_out(session: AsyncSession) -> None:
    """Pre-moderated input counts only once approved; the totals say how much was held back or rejected."""
    c = await seed(session)
    before = await compile_summary(session, c)
    conference = await session.get(Conference, c)
    assert conference is not None
    someone = (await session.scalars(select(Participant).where(Participant.conference_id == c))).first()
    assert someone is not None
    for moderation in ("pending", "pending", "rejected"):
        session.add(
            Comment(
                conference_id=c,
                participant_id=someone.id,
                point_id=someone.point_id,
                section_anchor="dieu-3",
                body=f"Góp ý bị giữ {moderation}",
                submitted_by="delegate",
                moderation=moderation,
                disposition="accepted" if moderation == "rejected" else None,
            )
        )
        session.add(
            Remark(
                conference_id=c,
                participant_id=someone.id,
                point_id=someone.point_id,
                title=f"Tham luận {moderation}",
                body="...",
                submitted_by="delegate",
                moderation=moderation,
                created_at=at(1, 59),
            )
        )
    await session.commit()

    model = await compile_summary(session, c)
    assert model["comments"] == before["comments"] and model["remarks"] == before["remarks"]
    assert model["comment_totals"] == {**before["comment_totals"], "held": 2, "rejected": 1}
    markdown = render_markdown(model, frozen=True)
    assert "Góp ý bị giữ" not in markdown and "Tham luận pending" not in markdown


async def test_markdown(session: AsyncSession) -> None:
    model = await compile_summary(session, await seed(session))
    preview = render_markdown(model, frozen=False)
    frozen = render_markdown(model, frozen=True)

    assert preview.splitlines()[0] == "> DỰ THẢO – bản xem trước, chưa chốt"
    assert "DỰ THẢO" not in frozen
    assert frozen.startswith("# BIÊN BẢN TỔNG HỢP HỘI THẢO\n\n**Hội thảo góp ý dự thảo Quy chế phối hợp**\n")
    assert preview == render_markdown(model, frozen=False)
    assert frozen == render_markdown(model, frozen=True)
    headings = [line for line in frozen.splitlines() if line.startswith("## ")]
    assert headings == [
        "## I. Thông tin chung",
        "## II. Tình hình tham dự",
        "## III. Chương trình và diễn biến",
        "## IV. Phát biểu",
        "## V. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
        "## VI. Kết luận của chủ trì",
        "## Phụ lục 1. Toàn văn tham luận",
        "## Phụ lục 2. Dự thảo sau tiếp thu",
        "## Phụ lục 3. Nhật ký thao tác",
    ]
    assert "- Thời gian: 08:00 07/09/2021" in frozen
    assert (
        "| Điểm cầu | Triệu tập | Có mặt | Tỷ lệ có mặt | Có người dự thay | Vắng | Người dự thay | Khách mời | Tổng "
        "số người dự |"
        in frozen
    )
    assert "| Hậu Giang | 2 | 1 | 50,0% | 1 | 0 | 1 | 1 | 3 |" in frozen
    assert "| **Tổng cộng** | **7** | **4** | **57,1%** | **1** | **2** | **1** | **1** | **6** |" in frozen
    assert "Cách tính: Triệu tập = Có mặt + Có người dự thay + Vắng" in frozen
    assert "- Bùi Văn Khánh, Vụ trưởng (Điểm cầu Trung ương): không rõ lý do" in frozen
    assert "- Ngô Thị Hoa, Phó Chủ tịch (Cần Thơ): Đi công tác nước ngoài" in frozen
    assert (
        "Tham dự Hội thảo: có mặt 4/7 đại biểu được triệu tập (đạt 57,1%); 1 đại biểu dự thay; 1 khách mời; vắng 2 "
        "đại biểu (có lý do: 1)."
        in frozen
    )
    assert "- Đặng Thị Em (Hậu Giang)" in frozen
    assert "- Võ Văn Dũng dự thay Phạm Văn Cường (Hậu Giang)" in frozen
    assert "| 1 | Khai mạc | Trần Văn Chủ | 08:00 | 10 | 08:03 | 08:05 | 3 |  |" in frozen
    assert "| 2 | Báo cáo đề dẫn | Nguyễn Văn An, Điểm cầu Trung ương | 08:10 | 30 | 08:05 | 08:38 | 33 | 3 |" in frozen
    assert "### 2. Ý kiến của Thành ủy Cần Thơ" in frozen
    table = frozen.split("## V.", 1)[1].split("## VI.", 1)[0]
    assert [line for line in table.splitlines() if line.startswith("### ")] == [
        "### Góp ý chung", "### Điều 1. Phạm vi điều chỉnh", "### Điều 2. Đối tượng áp dụng", "### dieu-9.khoan-1",
    ]

    # User text is literal: no HTML, no table breakout, no formula, no heading or list of its own.
    assert "<script" not in preview and "<script" not in frozen
    assert (
        f"| 3 | Điều 1, khoản 2 | Cần làm rõ. {ESCAPED_SCRIPT}<br>\\=CMD() | Nguyễn Văn An (Bộ Công an), "
        "Điểm cầu Trung ương | \\| x \\*y\\* | Chưa xử lý |  |"
    ) in frozen
    assert "| 1 | Điều 2, khoản 1, điểm đ | Bổ sung công an cấp xã. |" in frozen
    assert "\n\\# Không phải tiêu đề\n" in frozen
    assert "\n1\\. Không phải danh sách\n" in frozen
    assert (
        "- Tiếp thu: 1\n- Tiếp thu một phần: 1\n- Ghi nhận: 1\n- Giải trình, không tiếp thu: 1\n- Chưa xử lý: 3\n"
        in frozen
    )


async def test_checksum_copy_of_markdown(session: AsyncSession) -> None:
    model = await compile_summary(session, await seed(session))
    record = render_markdown(model, frozen=True)
    sha = hashlib.sha256(record.encode()).hexdigest()
    assert render_markdown(model, frozen=True, sha256=sha) == f"{record}\nMã kiểm tra (SHA-256): {sha}\n"


async def test_html(session: AsyncSession) -> None:
    model = await compile_summary(session, await seed(session))
    preview = render_html(model, frozen=False, sha256=None)
    sha = hashlib.sha256(render_markdown(model, frozen=True).encode()).hexdigest()
    frozen = render_html(model, frozen=True, sha256=sha, frozen_at="2021-09-07T11:30:00+07:00")

    assert preview == render_html(model, frozen=False, sha256=None)
    # The close time arrives in UTC and is shown in the conference's zone.
    assert frozen == render_html(model, frozen=True, sha256=sha, frozen_at="2021-09-07T04:30:00+00:00")
    for page in (preview, frozen):
        assert page.startswith("<!DOCTYPE html>")
        assert '<link rel="stylesheet" href="/static/css/summary.css">' in page
        assert ESCAPED_SCRIPT in page
        assert "<script" not in page and "style=" not in page and "<style" not in page
        assert "=CMD()" in page
        assert "Điều 2, khoản 1, điểm đ" in page
    assert 'class="summary is-draft"' in preview and "DỰ THẢO – bản xem trước, chưa chốt" in preview
    assert sha not in preview
    assert "is-draft" not in frozen and "DỰ THẢO" not in frozen
    assert f"Mã kiểm tra (SHA-256): <code>{sha}</code>" in frozen
    assert "Chốt lúc: 11:30 07/09/2021" in frozen
    groups = [line.strip() for line in frozen.splitlines() if 'scope="rowgroup"' in line]
    assert [g.split(">")[2].split("<")[0] for g in groups] == [
        "Góp ý chung", "Điều 1. Phạm vi điều chỉnh", "Điều 2. Đối tượng áp dụng", "dieu-9.khoan-1",
    ]


async def test_json(session: AsyncSession) -> None:
    model = await compile_summary(session, await seed(session))
    assert render_json(model, None, None) == {**model, "frozen": False, "frozen_at": None, "sha256": None}
    sealed = render_json(model, "2021-09-07T11:30:00+07:00", "ab" * 32)
    assert (sealed["frozen"], sealed["frozen_at"], sealed["sha256"]) == (True, "2021-09-07T11:30:00+07:00", "ab" * 32)
    assert "sha256" not in model


async def test_empty_conference(session: AsyncSession) -> None:
    conference = Conference(title="Hội thảo chưa chuẩn bị", starts_at=at(1, 0))
    session.add(conference)
    await session.commit()
    model = await compile_summary(session, conference.id)

    assert model["draft"] is None
    assert model["conference"]["host_point"] is None and model["conference"]["points_count"] == 0
    assert model["attendance"] == {
        "points": [],
        "totals": {"expected": 0, "invited_present": 0, "represented": 0, "absent": 0, "rate": "", "substitutes": 0,
                   "walk_ins": 0, "people": 0, "present": 0},
    }
    assert model["revised_draft"] is None
    assert model["comments"] == [] and model["comment_totals"]["total"] == 0
    markdown = render_markdown(model, frozen=True)
    assert markdown.count("Không có.") == 4
    assert "Dự thảo lấy ý kiến" not in markdown
    assert "Không có." in render_html(model, frozen=False, sha256=None)


async def test_the_audit_trail_is_the_last_appendix(session: AsyncSession) -> None:
    c = await seed(session)
    chair = User(username="chutri", password_hash="-", role="chair", full_name="Trần Văn Chủ")
    session.add(chair)
    await session.flush()
    session.add_all([
        AuditEntry(conference_id=c, at=at(2, 5), actor=f"user:{chair.id}", action="comment.dispose", address="10.0.0.5",
                   details={"method": "PATCH", "path": f"/api/v1/conferences/{c}/comments/3",
                            "subject": {"key": "comment.accepted", "n": 3, "section": "dieu-8.khoan-1.diem-c"}}),
        AuditEntry(conference_id=c, at=at(2, 6), actor="system:replay", action="made.up", details={}),
    ])
    await session.commit()
    model = await compile_summary(session, c)
    assert model["audit"] == [
        {"at": "2021-09-07T09:05:00+07:00", "actor": "Trần Văn Chủ", "action": "comment.dispose",
         "sentence": "Tiếp thu góp ý số 3 (Điều 8, khoản 1, điểm c)",
         "request": f"PATCH /api/v1/conferences/{c}/comments/3", "address": "10.0.0.5"},
        {"at": "2021-09-07T09:06:00+07:00", "actor": "system:replay", "action": "made.up", "sentence": "made.up",
         "request": "", "address": None},
    ]
    markdown = render_markdown(model, frozen=True)
    assert markdown.endswith(
        "## Phụ lục 3. Nhật ký thao tác\n\n| STT | Thời gian | Người thực hiện | Nội dung | Từ địa chỉ |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| 1 | 09:05 07/09/2021 | Trần Văn Chủ | Tiếp thu góp ý số 3 (Điều 8, khoản 1, điểm c) | 10\\.0.0.5 |\n"
        "| 2 | 09:06 07/09/2021 | system:replay | made.up |  |\n"
        # Then the seal's root over the receipts, inside what the record's checksum covers.
        f"\n{receipts_line(model)}\n"
    )
    html = render_html(model, frozen=True, sha256=None)
    assert "<h2>Phụ lục 3. Nhật ký thao tác</h2>" in html and "Tiếp thu góp ý số 3 (Điều 8, khoản 1, điểm c)" in html
    assert "/comments/3" not in html


async def test_merged_duplicates_are_one_row_with_every_author(session: AsyncSession) -> None:
    c = await seed(session)
    rows = {r["body"]: r for g in (await compile_summary(session, c))["comments"] for r in g["rows"]}
    original = rows["Bổ sung công an cấp xã."]
    copy_author = (await session.scalars(select(Participant).where(Participant.full_name == "Huỳnh Văn Phúc"))).one()
    session.add(Comment(conference_id=c, participant_id=copy_author.id, point_id=copy_author.point_id,
                        section_anchor="dieu-2.khoan-1.diem-dd", body="Cùng ý kiến bổ sung công an cấp xã.",
                        submitted_by="delegate", duplicate_of=original["id"], disposition="accepted"))
    await session.commit()

    model = await compile_summary(session, c)
    merged = next(r for g in model["comments"] for r in g["rows"] if r["id"] == original["id"])
    assert merged["authors"] == [
        {"name": "Lê Thị Bình", "organization": "Tỉnh ủy Hậu Giang", "point": "Hậu Giang"},
        {"name": "Huỳnh Văn Phúc", "organization": None, "point": "Cần Thơ"},
    ]
    assert "Cùng ý kiến" not in json.dumps(model["comments"], ensure_ascii=False)
    assert (model["comment_totals"]["total"], model["comment_totals"]["merged"]) == (7, 1)
    by_point = {p["code"]: (p["total"], p["accepted"]) for p in model["comments_by_point"]}
    assert by_point == {"TW": (1, 0), "CT": (3, 1), "HG": (4, 1)}
    assert "| Lê Thị Bình (Tỉnh ủy Hậu Giang), Hậu Giang<br>Huỳnh Văn Phúc, Cần Thơ |" in render_markdown(
        model, frozen=True
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab đĐ\n.,ưỡ", max_size=40), st.text(alphabet="ab đĐ\n.,ưỡ", max_size=40))
def test_word_changes_rebuild_both_texts(before: str, after: str) -> None:
    changes = word_changes(before, after)
    assert "".join(c["text"] for c in changes if c["op"] != "delete") == after
    assert "".join(c["text"] for c in changes if c["op"] != "insert") == before
    assert all(c["text"] for c in changes)
    assert all(a["op"] != b["op"] for a, b in itertools.pairwise(changes))


def section(position: int, anchor: str, text: str) -> DraftSection:
    kind = "article" if "." not in anchor else "clause"
    parent = anchor.rsplit(".", 1)[0] if "." in anchor else None
    return DraftSection(
        position=position, anchor=anchor, kind=kind, number=anchor.rsplit("-", 1)[1], title="", text=text, parent=parent
    )


def ruled(
    no: int, anchor: str | None, disposition: str | None, proposed: str | None, response: str | None = None
) -> dict[str, Any]:
    return {
        "id": no,
        "no": no,
        "anchor": anchor,
        "disposition": disposition,
        "proposed_text": proposed,
        "response": response,
        "body": f"Ý kiến {no}",
        "authors": [{"name": f"Người {no}", "organization": None, "point": "Hậu Giang"}],
    }


def test_the_revised_draft_applies_one_accepted_wording_per_place() -> None:
    draft = Draft(title="Dự thảo", revision=2, source="QUY CHẾ\n\nĐiều 1. Phạm vi\n\n1. Một.\n\n2. Hai.\n\n3. Ba.\n\n")
    sections = [
        section(1, "dieu-1", "Điều 1. Phạm vi\n\n"),
        section(2, "dieu-1.khoan-1", "1. Một.\n\n"),
        section(3, "dieu-1.khoan-2", "2. Hai.\n\n"),
        section(4, "dieu-1.khoan-3", "3. Ba.\n\n"),
    ]
    rows = [
        ruled(1, None, "accepted", "Toàn văn khác"),
        ruled(2, "dieu-1.khoan-1", "accepted", "  1. Một, sửa lại.  "),
        ruled(3, "dieu-1.khoan-2", "accepted", "2. Hai A."),
        ruled(4, "dieu-1.khoan-2", "accepted", "2. Hai B."),
        ruled(5, "dieu-1.khoan-3", "partly_accepted", "3. Ba mới.", "Sửa một phần."),
        ruled(6, "dieu-1.khoan-3", "declined", "3. Không."),
        ruled(7, "dieu-1", "accepted", None),
    ]
    # What the rulings adopt (server.drafts.adopted reads the same from the comments themselves).
    adopted = [Change(r["anchor"], "replace", r["proposed_text"], r["id"])
               for r in rows if r["disposition"] == "accepted" and r["anchor"] and r["proposed_text"]]
    revised = revised_draft(draft, sections, rows, adopted)
    assert (revised["preamble"], revised["applied"], revised["flagged"]) == ("QUY CHẾ\n\n", 1, 3)
    first, second, third = revised["sections"][1:]
    assert first["revised"] == "1. Một, sửa lại.\n\n" and first["applied_no"] == 2
    assert first["changes"] == [
        {"op": "equal", "text": "1. "}, {"op": "delete", "text": "Một."}, {"op": "insert", "text": "Một, sửa lại."},
        {"op": "equal", "text": "\n\n"},
    ]
    # Two accepted wordings for one clause: neither is applied, both go to the drafting team.
    assert second["revised"] is None and [(n["no"], n["reason"]) for n in second["notes"]] == [
        (3, "conflict"),
        (4, "conflict"),
    ]
    assert third["revised"] is None and third["notes"] == [{
        "no": 5, "reason": "partly_accepted", "authors": "Người 5", "body": "Ý kiến 5", "proposed_text": "3. Ba mới.",
        "response": "Sửa một phần.",
    }]
    assert revised["sections"][0]["revised"] is None and revised["sections"][0]["notes"] == []


async def test_user_text_is_plain_in_every_format(session: AsyncSession) -> None:
    """A comment with `<script>` and `=CMD()` is shown as the words it is, never run or computed, in all five
    formats."""
    model = await compile_summary(session, await seed(session))
    created = datetime(2021, 9, 7, 11, 30, tzinfo=UTC)
    markdown = render_markdown(model, frozen=True)
    assert f"Cần làm rõ. {ESCAPED_SCRIPT}<br>\\=CMD()" in markdown and "<script" not in markdown
    html = render_html(model, frozen=True, sha256="ab" * 32, standalone=True)
    assert ESCAPED_SCRIPT in html and "<script" not in html
    sealed = json.loads(json_bytes(render_json(model, None, None)))
    assert f"Cần làm rõ. {SCRIPT}\n=CMD()" in [r["body"] for g in sealed["comments"] for r in g["rows"]]
    document = docx.Document(io.BytesIO(render_docx(model, frozen=True, sha256="ab" * 32, frozen_at=None)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert f"Cần làm rõ. {SCRIPT}\n=CMD()" in cells
    pdf = render_pdf(model, frozen=True, sha256="ab" * 32, frozen_at=None, dated=created)
    assert squeezed(f"Cần làm rõ. {SCRIPT}\n=CMD()") in squeezed(pdf_text(pdf))
