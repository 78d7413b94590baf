"""Closing summary of a national workshop: time to compile the model and to render each format, and memory.

    .venv/bin/python -m bench.summary [--points 1000] [--participants 100000] [--comments 10000] [--remarks 500]
                                      [--repeat 3] [--keep DIR] [--seed 2021] [--skip pdf,...] [--profile] [--quick]

Generates the workshop straight into a fresh SQLite file (1 host and 999 bridge points, 100,000 people on the
roster, as many check-ins with substitutes, walk-ins and a few undone, 10 agenda items, 200 speeches, the demo
draft, 10,000 comments and 500 remarks), then times `compile_summary` and every export of the preview: md, html,
json, docx, pdf and the revised draft. Prints a Markdown table (step, median and best seconds, output size), the
targets (PDF under 10 s and under 500 MiB for the whole process tree at its peak; md + html + json + docx together
under 2 s; the revised draft under 1 s), each met or not and beside the least the stack can do for the same output,
memory, and the same figures as JSON. `--profile` adds the functions that take the time in each step (cProfile);
`--quick` is a smoke run of a few seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import hashlib
import io
import json
import os
import pstats
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx
from sqlalchemy import insert

from bench.common import machine
from schema.tables import (
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
from server.db import Database, open_database
from server.drafts.parser import Section, parse_draft
from server.migrate import upgrade
from server.settings import Settings
from server.simulate.loopback import ROOT
from server.simulate.people import ORGANISATIONS, POSITIONS, full_name, place
from server.summary.compile import compile_summary
from server.summary.exports import (
    FORMATS,
    Export,
    SummaryRecord,
    export_revised_draft,
    export_summary,
    summary_record,
)
from server.summary.pdf import PdfUnavailable
from server.summary.render import render_markdown
from server.summary.word import render_docx, render_revised_docx
from server.text import fold, name_sort_bytes

# The targets on this workshop: the PDF, every other format of the record together, and the drafters' Word file.
PDF_TARGET_S = 10.0
PDF_TARGET_MIB = 500.0
OTHERS = ("md", "html", "json", "docx")
OTHERS_TARGET_S = 2.0
REVISED_TARGET_S = 1.0
# Every format of the summary, from the database, in one go: reported beside the targets.
TOGETHER = ("compile", "md", "html", "json", "docx", "pdf")
STEPS = (*TOGETHER, "revised_draft")
FLOOR_TEMPLATE = Path(__file__).with_name("summary_floor.typ")
_FLOOR_TYPESET = (
    "import sys, typst; sys.stdout.buffer.write(typst.compile(sys.argv[1], format='pdf', ignore_system_fonts=True,"
    " sys_inputs={'data': sys.stdin.buffer.read().decode()}))"
)
BATCH = 20_000
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
STARTS_AT = datetime(2021, 9, 7, 8, 0, tzinfo=ZONE)
DRAFT_FILE = ROOT / "server" / "demo" / "draft-vi.md"
# A page object of the PDF (not the /Pages tree nodes).
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")

GUESTS = ("Báo Công an nhân dân", "Đài Truyền hình Việt Nam", "Mặt trận Tổ quốc huyện", "Hội Cựu chiến binh xã", None)

COMMENT_SENTENCES = (
    "Đề nghị làm rõ thẩm quyền của ban thường vụ tỉnh ủy trong việc cho ý kiến về nhân sự.",
    "Quy định này còn chung chung, khó thực hiện ở cấp xã.",
    "Đề nghị bổ sung thời hạn trả lời bằng văn bản để tránh kéo dài.",
    "Nên thống nhất cách dùng cụm từ \u201ccông an tỉnh\u201d trong toàn bộ dự thảo.",
    "Đề nghị quy định rõ trách nhiệm của bên chủ trì khi hai bên chưa thống nhất ý kiến.",
    "Cần bổ sung cơ chế phối hợp trong trường hợp đột xuất, khẩn cấp.",
    "Đề nghị bỏ cụm từ \u201ckhi cần thiết\u201d vì dễ dẫn đến tùy tiện khi áp dụng.",
    "Thực tiễn ở địa phương cho thấy việc trao đổi thông tin còn chậm, nên quy định định kỳ hằng quý.",
    "Đề nghị cân nhắc quy định về chế độ báo cáo để không tăng thủ tục hành chính.",
    "Điều khoản này trùng với quy định tại Điều lệ Đảng, đề nghị rà soát lại.",
    "Đề nghị bổ sung nội dung kiểm tra, giám sát việc thực hiện quy chế.",
    "Cần quy định cụ thể hình thức phối hợp: văn bản, hội nghị hay làm việc trực tiếp.",
    "Đề nghị tách thành hai khoản riêng cho dễ theo dõi.",
    "Nên bổ sung vai trò của ủy ban kiểm tra tỉnh ủy trong nội dung này.",
    "Thống nhất với dự thảo, đề nghị giữ nguyên.",
    "Đề nghị sửa \u201cđúng thời hạn\u201d thành \u201ctrong thời hạn 10 ngày làm việc\u201d.",
    "Chưa rõ đơn vị nào chịu trách nhiệm tổng hợp, đề nghị quy định cụ thể.",
    "Đề nghị bổ sung quy định bảo đảm bí mật thông tin trong quá trình phối hợp.",
)
# A few comments as some delegates type them: markup and spreadsheet formulas must come out as plain text.
ODD_COMMENTS = ("<script>alert('x')</script> Đề nghị xem lại khoản này.", "=CMD() Đề nghị bổ sung.",
                "**Quan trọng**: | bảng | # tiêu đề — đề nghị sửa lại.")
RESPONSES = {
    "accepted": ("Cơ quan soạn thảo tiếp thu, chỉnh lý như đề xuất.", "Tiếp thu, sửa đổi trong dự thảo."),
    "partly_accepted": ("Tiếp thu một phần; cơ quan soạn thảo nghiên cứu chỉnh lý cho phù hợp.",
                        "Tiếp thu ý kiến về thời hạn, giữ nguyên các nội dung khác."),
    "noted": ("Ghi nhận để nghiên cứu khi xây dựng văn bản hướng dẫn.", "Ghi nhận ý kiến của đại biểu."),
    "declined": ("Giải trình: nội dung đã được quy định tại văn bản khác, không cần nhắc lại.",
                 "Giữ như dự thảo để bảo đảm thống nhất với Điều lệ Đảng."),
}
DISPOSITION_WEIGHTS = (("accepted", 22), ("partly_accepted", 13), ("noted", 25), ("declined", 10), (None, 30))
# Wording delegates propose: a phrase added, a word replaced.
INSERTS = ("kịp thời,", "bằng văn bản", "theo quy định của pháp luật", "chặt chẽ", "trong thời hạn 10 ngày làm việc",
           "và báo cáo kết quả", "thường xuyên,", "cụ thể,")
REPLACEMENTS = ("phối hợp", "thống nhất", "chủ trì", "tỉnh ủy", "cấp ủy", "trao đổi", "xem xét", "kiểm tra")

REMARK_TOPICS = ("Kinh nghiệm phối hợp trong công tác cán bộ", "Nâng cao chất lượng sinh hoạt chi bộ công an xã",
                 "Công tác kiểm tra, giám sát đảng viên", "Xây dựng lực lượng công an xã chính quy",
                 "Phối hợp bảo đảm an ninh, trật tự ở cơ sở", "Công tác chính trị, tư tưởng trong lực lượng công an",
                 "Vai trò của cấp ủy địa phương đối với công an huyện", "Thực tiễn thi hành quy chế phối hợp hiện hành")
REMARK_SENTENCES = (
    "Thời gian qua, Đảng ủy Công an tỉnh đã phối hợp chặt chẽ với các ban xây dựng Đảng của Tỉnh ủy.",
    "Việc trao đổi ý kiến về công tác cán bộ được thực hiện nghiêm túc, đúng quy trình.",
    "Tuy nhiên, ở một số nơi việc phối hợp còn mang tính hình thức, chưa thường xuyên.",
    "Nguyên nhân chủ yếu là quy định hiện hành chưa rõ trách nhiệm của từng bên.",
    "Chúng tôi đề nghị dự thảo quy định cụ thể thời hạn trả lời và hình thức trao đổi.",
    "Công an xã chính quy đã phát huy vai trò nòng cốt trong bảo đảm an ninh, trật tự ở cơ sở.",
    "Cấp ủy xã đã quan tâm lãnh đạo, chỉ đạo, tạo điều kiện về cơ sở vật chất cho lực lượng công an.",
    "Qua sơ kết, 100% chi bộ công an xã được xếp loại hoàn thành tốt nhiệm vụ trở lên.",
    "Công tác giáo dục chính trị, tư tưởng được duy trì thường xuyên, nền nếp.",
    "Một số đảng viên trẻ còn thiếu kinh nghiệm trong công tác vận động quần chúng.",
    "Đề nghị Đảng ủy Công an Trung ương tiếp tục quan tâm bồi dưỡng nghiệp vụ cho cán bộ cơ sở.",
    "Việc kiểm tra, giám sát được tiến hành theo kế hoạch, kết hợp kiểm tra đột xuất khi có dấu hiệu vi phạm.",
    "Kết quả kiểm tra được thông báo kịp thời cho cấp ủy địa phương để phối hợp xử lý.",
    "Chúng tôi thống nhất cao với sự cần thiết ban hành Quy chế phối hợp mới.",
    "Dự thảo đã kế thừa những quy định còn phù hợp và bổ sung nhiều nội dung mới.",
    "Để Quy chế đi vào cuộc sống, cần sớm ban hành văn bản hướng dẫn thực hiện.",
    "Đề nghị quy định rõ chế độ thông tin, báo cáo giữa công an tỉnh và tỉnh ủy.",
    "Thực tiễn cho thấy vai trò người đứng đầu có ý nghĩa quyết định đến hiệu quả phối hợp.",
    "Địa bàn rộng, giao thông khó khăn là trở ngại lớn đối với việc tổ chức sinh hoạt định kỳ.",
    "Chúng tôi kiến nghị tăng cường ứng dụng công nghệ thông tin trong trao đổi, phối hợp.",
)


@dataclass
class Workshop:
    """The generated rows, ready for executemany, and the figures the report quotes."""

    tables: list[tuple[Any, list[dict[str, Any]]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _utc(minutes: float) -> datetime:
    """A moment `minutes` after the workshop's start, in UTC as it is stored."""
    return (STARTS_AT + timedelta(minutes=minutes)).astimezone(UTC)


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


class _People:
    """Vietnamese names and their keys; names repeat, so each key is folded once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._fold: dict[str, str] = {}
        self._sort: dict[str, bytes] = {}

    def name(self) -> str:
        return full_name(self.rng)

    def folded(self, text: str) -> str:
        if text not in self._fold:
            self._fold[text] = fold(text)
        return self._fold[text]

    def keys(self, full_name: str, position: str | None, organization: str | None) -> tuple[str, bytes]:
        """search_key (name, position, organisation folded, as participants.search_key does) and sort_key."""
        if full_name not in self._sort:
            self._sort[full_name] = name_sort_bytes(full_name)
        # fold() collapses spaces, so folding the parts one by one gives the key of the joined text.
        key = " ".join(self.folded(part) for part in (full_name, position, organization) if part)
        return key, self._sort[full_name]


def _propose(text: str, rng: random.Random) -> str:
    """A delegate's rewording of a section: its text with a phrase added, a word replaced or dropped."""
    pieces = re.split(r"(\s+)", text.strip())
    words = list(range(2, len(pieces), 2))
    for _ in range(rng.randint(1, 3)):
        if not words:
            pieces.append(" " + rng.choice(INSERTS))
            break
        at = rng.choice(words)
        roll = rng.random()
        if roll < 0.5:
            pieces[at] = f"{pieces[at]} {rng.choice(INSERTS)}"
        elif roll < 0.85:
            pieces[at] = rng.choice(REPLACEMENTS)
        elif pieces[at - 1] == " " and len(words) > 3:
            pieces[at - 1] = pieces[at] = ""
    return "".join(pieces)


def _points(count: int, conference_id: int) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The host first, then the bridge points; and the commune of each, which names its organisations."""
    points: list[dict[str, Any]] = [{
        "id": 1, "conference_id": conference_id, "code": "TW", "name": "Điểm cầu Trung ương – Bộ Công an",
        "region": "Hà Nội", "is_host": True, "link": "ok",
    }]
    communes = {1: "Bộ Công an"}
    for index in range(count - 1):
        name, province, commune = place(index)
        points.append({"id": index + 2, "conference_id": conference_id, "code": f"X{index + 1:04d}", "name": name,
                       "region": province, "is_host": False, "link": "ok"})
        communes[index + 2] = commune
    return points, communes


def _count(points: list[dict[str, Any]], participants: list[dict[str, Any]], checkins: list[dict[str, Any]]) -> None:
    """Counters as the check-in path keeps them, so the database looks like one a real workshop left behind."""
    counters: dict[int, dict[str, int]] = {p["id"]: {"expected": 0, "present": 0, "substitutes": 0, "walk_ins": 0}
                                           for p in points}
    for p in participants:
        counters[p["point_id"]]["expected"] += 1
    for c in checkins:
        if c["checked_out_at"] is None:
            counters[c["point_id"]]["present"] += 1
            counters[c["point_id"]]["substitutes"] += c["substitute_for_id"] is not None
            counters[c["point_id"]]["walk_ins"] += c["walk_in"]
    for p in points:
        p.update(counters[p["id"]], last_checkin_at=_utc(45))


def generate(args: argparse.Namespace) -> Workshop:
    """The whole workshop as rows, with explicit ids so no insert needs to read anything back."""
    rng = random.Random(args.seed)
    people = _People(rng)
    ws = Workshop()
    conference_id = 1
    roster_size = args.participants

    points, communes = _points(args.points, conference_id)
    point_ids = [p["id"] for p in points]

    # The roster: everyone is expected at one point.
    participants: list[dict[str, Any]] = []
    registered = _utc(-10 * 24 * 60)

    def person(pid: int, point_id: int, on_roster: bool, organization: str | None, position: str | None,
               substitute_for: int | None = None) -> dict[str, Any]:
        full_name = people.name()
        search_key, sort_key = people.keys(full_name, position, organization)
        return {
            "id": pid,
            "conference_id": conference_id,
            "point_id": point_id,
            "full_name": full_name,
            "position": position,
            "organization": organization,
            "role_in_meeting": "đại biểu",
            "search_key": search_key,
            "sort_key": sort_key,
            "on_roster": on_roster,
            "substitute_for_id": substitute_for,
            "created_at": registered,
        }

    for pid in range(1, roster_size + 1):
        point_id = rng.choice(point_ids)
        if point_id == 1:
            organization, position = (
                "Bộ Công an",
                rng.choice(("Cục trưởng", "Phó Cục trưởng", "Trưởng phòng", "Cán bộ")),
            )
        else:
            organization = rng.choice(ORGANISATIONS).format(commune=communes[point_id])
            position = rng.choice(POSITIONS)
        participants.append(person(pid, point_id, True, organization, position))

    # Check-ins: as many stays as people on the roster. Most come in person; 2 % send a substitute, 1 % of the
    # stays are walk-ins, 0.3 % are mistaken check-ins that were undone (the right person then checked in), and
    # 2 % of those present left early (checked out, still counted as attended).
    total = roster_size
    undone, substitutes, walk_ins = total * 3 // 1000, total * 2 // 100, total // 100
    in_person = total - undone - substitutes - walk_ins
    order = list(range(1, roster_size + 1))
    rng.shuffle(order)
    present, absent = order[:in_person], order[in_person:]
    checkins: list[dict[str, Any]] = []
    stay_id = 0

    def stay(participant: dict[str, Any], minutes: float, **extra: Any) -> dict[str, Any]:
        nonlocal stay_id
        stay_id += 1
        actor = f"invitation:{participant['point_id']}"
        row = {"id": stay_id, "conference_id": conference_id, "point_id": participant["point_id"],
               "participant_id": participant["id"], "substitute_for_id": None, "walk_in": False,
               "checked_in_at": _utc(minutes), "checked_out_at": None, "checked_in_by": actor, "checked_out_by": None,
               "undone_at": None, "undone_by": None}
        row.update(extra)
        checkins.append(row)
        return row

    mistaken = set(present[:undone])
    for pid in present:
        at = rng.uniform(-75, 30)
        if pid in mistaken:
            operator = f"invitation:{participants[pid - 1]['point_id']}"
            stay(participants[pid - 1], at, checked_out_at=_utc(at + 1), checked_out_by=operator,
                 undone_at=_utc(at + 1), undone_by=operator)
            at += 3
        row = stay(participants[pid - 1], at)
        if rng.random() < 0.02:
            row["checked_out_at"], row["checked_out_by"] = _utc(rng.uniform(120, 300)), row["checked_in_by"]
    extra_people: list[dict[str, Any]] = []
    next_pid = roster_size + 1
    for pid in absent[:substitutes]:
        absentee = participants[pid - 1]
        substitute = person(next_pid, absentee["point_id"], False, absentee["organization"], rng.choice(POSITIONS), pid)
        extra_people.append(substitute)
        stay(substitute, rng.uniform(-60, 30), substitute_for_id=pid)
        next_pid += 1
    for _ in range(walk_ins):
        guest = person(next_pid, rng.choice(point_ids), False, rng.choice(GUESTS), None)
        extra_people.append(guest)
        stay(guest, rng.uniform(-60, 45), walk_in=True)
        next_pid += 1
    everyone = participants + extra_people
    attending = [participants[pid - 1] for pid in present] + extra_people

    _count(points, participants, checkins)
    conference = {
        "id": conference_id,
        "title": "Hội thảo trực tuyến toàn quốc lấy ý kiến dự thảo Quy chế phối hợp giữa Đảng ủy Công an Trung ương "
            "với "
        "các tỉnh ủy, thành ủy về lãnh đạo công tác Đảng, công tác chính trị đối với công an tỉnh, thành phố "
        "trực thuộc Trung ương",
        "starts_at": STARTS_AT,
        "venue": "Trụ sở Bộ Công an, 44 Yết Kiêu, Hoàn Kiếm, Hà Nội",
        "chair_name": "Trần Quốc Tỏ",
        "timezone": "Asia/Ho_Chi_Minh",
        "status": "collection_closed",
        "last_seq": 0,
        **{key: sum(p[key] for p in points) for key in ("expected", "present", "substitutes", "walk_ins")},
        "created_at": _utc(-30 * 24 * 60),
        "opened_at": _utc(-90),
        "collection_closed_at": _utc(420),
    }

    # The programme as it ran: a morning of reports and contributions, two discussions, the conclusion.
    plan = (
        ("opening", "Khai mạc hội thảo", 10),
        ("report", "Báo cáo tóm tắt dự thảo Quy chế", 30),
        ("contribution", "Tham luận của Công an tỉnh Hậu Giang", 15),
        ("contribution", "Tham luận của Đảng ủy xã Tân Phú", 15),
        ("contribution", "Tham luận của Ủy ban Kiểm tra Tỉnh ủy Nghệ An", 15),
        ("break", "Nghỉ giải lao", 15),
        ("discussion", "Thảo luận về Chương I và Chương II", 120),
        ("break", "Nghỉ trưa", 90),
        ("discussion", "Thảo luận về Chương III và Chương IV", 150),
        ("closing", "Phát biểu kết luận của chủ trì", 20),
    )
    discussions = [index for index, (kind, _, _) in enumerate(plan) if kind == "discussion"]
    speech_count = args.speeches
    per_discussion = [speech_count * 45 // 100, speech_count - speech_count * 45 // 100]
    agenda: list[dict[str, Any]] = []
    speaking: list[dict[str, Any]] = []
    clock = rng.uniform(0, 3)
    for index, (kind, title, minutes) in enumerate(plan):
        started = clock
        if kind == "discussion":
            # Speeches follow one another through the item; the item ends after the last one.
            for _ in range(per_discussion[discussions.index(index)]):
                speaker = rng.choice(attending)
                begin = clock + rng.uniform(0.1, 0.5)
                end = begin + rng.uniform(40, 110) / 60
                anchor = rng.choice(("Điều 3", "Điều 5, khoản 2", "Điều 7", "Điều 9, khoản 1", None))
                speaking.append(
                    {
                        "id": len(speaking) + 1,
                        "conference_id": conference_id,
                        "participant_id": speaker["id"],
                        "point_id": speaker["point_id"],
                        "agenda_item_id": index + 1,
                        "topic": None if anchor is None else f"Góp ý {anchor}",
                        "point_of_order": False,
                        "status": "done",
                        "position": len(speaking) + 1,
                        "requested_at": _utc(started + rng.uniform(-30, 0)),
                        "granted_at": _utc(begin - 0.1),
                        "started_at": _utc(begin),
                        "finished_at": _utc(end),
                    }
                )
                clock = end
            clock += rng.uniform(1, 5)
        else:
            clock += minutes + rng.uniform(-2, 6)
        agenda.append(
            {
                "id": index + 1,
                "conference_id": conference_id,
                "position": index + 1,
                "title": title,
                "kind": kind,
                "presenter": None if kind in ("break", "discussion") else people.name(),
                "point_id": rng.choice(point_ids[1:] or point_ids)
                if kind == "contribution"
                else (None if kind == "break" else 1),
                "planned_minutes": minutes,
                "extended_minutes": 0,
                "status": "done",
                "started_at": _utc(started),
                "finished_at": _utc(clock),
            }
        )
        clock += rng.uniform(0, 2)

    # The draft under consultation, split into anchored sections as publishing a draft does.
    source = DRAFT_FILE.read_text(encoding="utf-8")
    outline = parse_draft(source)
    draft = {"id": 1, "conference_id": conference_id, "title": "Dự thảo Quy chế phối hợp", "revision": 1,
             "format": "markdown", "source": source, "unmatched": {"lines": list(outline.unmatched)},
             "created_at": _utc(-14 * 24 * 60)}
    sections = [{"id": index + 1, "draft_id": 1, "position": s.position, "anchor": s.anchor, "parent": s.parent,
                 "kind": s.kind, "number": s.number, "title": s.title, "text": s.text}
                for index, s in enumerate(outline.sections)]
    comments = _comments(args.comments, conference_id, outline.sections, attending, points, rng)
    remarks = _remarks(args.remarks, conference_id, attending, points, agenda, rng)

    ws.tables = [(Conference, [conference]), (Point, points), (Participant, everyone), (Checkin, checkins),
                 (AgendaItem, agenda), (SpeakingRequest, speaking), (Draft, [draft]), (DraftSection, sections),
                 (Comment, comments), (Remark, remarks)]
    accepted: dict[str, int] = defaultdict(int)
    for c in comments:
        if c["disposition"] == "accepted" and c["proposed_text"] and c["duplicate_of"] is None:
            accepted[c["section_anchor"]] += 1
    ws.counts = {
        "points": len(points), "participants": len(everyone), "on_roster": len(participants), "checkins": len(checkins),
        "substitutes": substitutes, "walk_ins": walk_ins, "undone": undone, "agenda_items": len(agenda),
        "speeches": len(speaking), "draft_sections": len(sections), "comments": len(comments),
        "general_comments": sum(1 for c in comments if c["section_anchor"] is None),
        "with_proposal": sum(1 for c in comments if c["proposed_text"]),
        "duplicates": sum(1 for c in comments if c["duplicate_of"] is not None),
        "accepted_proposals": sum(accepted.values()),
        "anchors_with_one_accepted": sum(1 for n in accepted.values() if n == 1),
        "anchors_in_conflict": sum(1 for n in accepted.values() if n > 1),
        "remarks": len(remarks), "remark_chars": sum(len(r["body"]) for r in remarks),
    }
    return ws


def _comments(count: int, conference_id: int, sections: Sequence[Section], attending: Sequence[dict[str, Any]],
              points: Sequence[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Comments in the order they arrived, with the chair's rulings.

    About 10 % are general; a third of the others propose a wording of their provision; 5 % repeat an earlier
    comment on the same provision and are merged into it; rulings are spread over the four dispositions and none.
    """
    targets = [s for s in sections if s.kind in ("article", "clause", "point")]
    text_of = {s.anchor: s.text for s in sections}
    point_names = {p["id"]: p["name"] for p in points}
    # How many accepted proposals each place may take: one at most places, two or three at a few (a conflict the
    # drafters settle), none at some; further accepted proposals for a full place are ruled otherwise.
    budget = {s.anchor: rng.choices((1, 2, 3, 0), (85, 6, 2, 7))[0] for s in targets}
    dispositions = [d for d, _ in DISPOSITION_WEIGHTS]
    weights = [w for _, w in DISPOSITION_WEIGHTS]
    originals: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    rows: list[dict[str, Any]] = []
    for cid in range(1, count + 1):
        author = rng.choice(attending)
        anchor = None if rng.random() < 0.10 else rng.choice(targets).anchor
        created = rng.uniform(30, 400)
        row: dict[str, Any] = {
            "id": cid, "conference_id": conference_id, "participant_id": author["id"], "point_id": author["point_id"],
            "draft_id": 1, "draft_revision": 1, "section_anchor": anchor, "revision": 1, "moderation": "approved",
            "duplicate_of": None, "submitted_by": f"invitation:{author['point_id']}", "created_at": _utc(created),
        }
        if rng.random() < 0.05 and originals[anchor]:
            # The same point made again: merged into a comment that is itself an original, and ruled with it.
            original = rng.choice(originals[anchor])
            row.update(body=original["body"], proposed_text=original["proposed_text"], duplicate_of=original["id"],
                       disposition=original["disposition"], response=original["response"],
                       disposed_at=original["disposed_at"])
        else:
            body = " ".join(rng.sample(COMMENT_SENTENCES, rng.randint(1, 3)))
            if rng.random() < 0.002:
                body = rng.choice(ODD_COMMENTS)
            proposed = None
            if anchor is not None and rng.random() < 0.33:
                proposed = _propose(text_of[anchor], rng)
            disposition = rng.choices(dispositions, weights)[0]
            if disposition == "accepted" and proposed is not None:
                if budget[anchor] > 0:
                    budget[anchor] -= 1
                else:
                    disposition = rng.choice(("partly_accepted", "noted", "declined"))
            row.update(body=body, proposed_text=proposed, disposition=disposition,
                       response=None if disposition is None else rng.choice(RESPONSES[disposition]),
                       disposed_at=None if disposition is None else _utc(created + rng.uniform(10, 120)))
            originals[anchor].append(row)
        row["search_key"] = fold(" ".join(part for part in (row["body"], row["proposed_text"], author["full_name"],
                                                           point_names[author["point_id"]]) if part))
        rows.append(row)
    return rows


def _remarks(count: int, conference_id: int, attending: Sequence[dict[str, Any]], points: Sequence[dict[str, Any]],
             agenda: Sequence[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Speech texts and contributed papers of three to six paragraphs, filed through the morning."""
    point_names = {p["id"]: p["name"] for p in points}
    contributions = [item["id"] for item in agenda if item["kind"] == "contribution"]
    rows = []
    for rid in range(1, count + 1):
        author = rng.choice(attending)
        paragraphs = [" ".join(rng.sample(REMARK_SENTENCES, rng.randint(3, 5))) for _ in range(rng.randint(3, 6))]
        title = f"{rng.choice(REMARK_TOPICS)} tại {point_names[author['point_id']].removeprefix('Điểm cầu ')}"
        body = "\n\n".join(paragraphs)
        rows.append({
            "id": rid, "conference_id": conference_id, "participant_id": author["id"], "point_id": author["point_id"],
            "agenda_item_id": rng.choice(contributions) if contributions and rng.random() < 0.3 else None,
            "title": title, "body": body, "moderation": "approved", "submitted_by": f"invitation:{author['point_id']}",
            "created_at": _utc(rng.uniform(-30, 300)),
            "search_key": fold(" ".join((title, body, author["full_name"], point_names[author["point_id"]]))),
        })
    return rows


async def store(db: Database, workshop: Workshop) -> None:
    """Bulk insert, table by table in big executemany batches, in one transaction."""
    async with db.write_engine.begin() as conn:
        for table, rows in workshop.tables:
            for batch in _batches(rows):
                await conn.execute(insert(table), batch)


@dataclass
class Measured:
    """Seconds per step per run, output sizes and checksums, steps that failed, memory and profiles."""

    steps: list[str]
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # CPU seconds per step per run, of this process's threads and of the programs it started and waited for: on a
    # machine shared with other work, closer than the wall clock to what the step takes on a machine of its own.
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sizes: dict[str, int] = field(default_factory=dict)
    digests: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    failures: dict[str, str] = field(default_factory=dict)
    pdf_pages: int | None = None
    # The least the stack can do for each target's output, timed like the steps ("pdf", "others", "revised_draft").
    floors: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    memory: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)


Output = bytes | dict[str, Any]


def _steps(
    db: Database, conference_id: int, record: SummaryRecord, settings: Settings
) -> dict[str, Callable[[], Awaitable[Output]]]:
    """Each measured step as a coroutine function giving what it produced: the model, or a file's bytes."""

    async def compile_step() -> dict[str, Any]:
        async with db.read() as session:
            return await compile_summary(session, conference_id)

    def export(fmt: str) -> Callable[[], Awaitable[Output]]:
        async def run() -> bytes:
            return (await export_summary(record, fmt, settings)).body
        return run

    async def revised() -> bytes:
        result: Export = export_revised_draft(record)
        return result.body

    return {"compile": compile_step, **{fmt: export(fmt) for fmt in FORMATS}, "revised_draft": revised}


def _package(word: bytes) -> Callable[[], bytes]:
    """Writing a Word file with these parts and nothing to decide: python-docx's empty document saved (what the
    product starts from), then every part of `word` deflated into a new package as the product deflates them."""
    with zipfile.ZipFile(io.BytesIO(word)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]

    def run() -> bytes:
        docx.Document().save(io.BytesIO())
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name, data in entries:
                target.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=3)
        return out.getvalue()

    return run


def _floors(record: SummaryRecord, steps: Sequence[str]) -> dict[str, Callable[[], object]]:
    """The least the stack can do for each target whose steps are measured, made from the same record (untimed):

    - others: each text format at least walks the model and writes its text once: the C JSON encoder, the fastest
      such walk Python has, once for each of md, html and json; and the Word file's own parts packaged (_package);
    - revised_draft: the revised draft's parts packaged;
    - pdf: Typst setting the record's text (its Markdown) as plain paragraphs on A4: no tables, no tagging.
    """
    model, seal = record.model, record.seal
    floors: dict[str, Callable[[], object]] = {}
    if all(name in steps for name in OTHERS):
        record_package = _package(render_docx(model, **seal))

        def others() -> object:
            texts = [json.dumps(model, ensure_ascii=False, separators=(",", ":")).encode() for _ in range(3)]
            return texts, record_package()

        floors["others"] = others
    if "revised_draft" in steps and model["revised_draft"] is not None:
        floors["revised_draft"] = _package(render_revised_docx(model, **seal))
    if "pdf" in steps:
        text = render_markdown(model, frozen=False)

        def pdf() -> object:
            # In a child process, as the product typesets: Typst's memory goes back when it exits, instead of
            # staying in this process and counting against the product's process tree.
            command = [sys.executable, "-c", _FLOOR_TYPESET, str(FLOOR_TEMPLATE)]
            return subprocess.run(command, input=text.encode(), capture_output=True, check=True).stdout

        floors["pdf"] = pdf
    return floors


def _bytes(output: Output) -> bytes:
    """A step's output as bytes; the model is sized as compact JSON, outside the timed call."""
    if isinstance(output, dict):
        return json.dumps(output, ensure_ascii=False, separators=(",", ":")).encode()
    return output


def _rss_peak_reset() -> bool:
    """Reset this process's peak RSS (VmHWM), so the figure is of the summary work and not of generating the data."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _status_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


class _ChildMemory:
    """Peak memory of the programs this process starts (a typesetter or a browser, if the PDF needs one), from /proc.

    getrusage(RUSAGE_CHILDREN) cannot tell: a child's ru_maxrss starts from this process's own size at the fork.
    Ours are our descendants and every process in a session one of them leads (a browser that daemonises its helpers).
    """

    def __init__(self) -> None:
        self.peak_total_kib = 0

    @staticmethod
    def _sample() -> int:
        me = os.getpid()
        sessions: dict[int, int] = {}
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses; the fields after its closing one are plain.
            fields = stat[stat.rindex(")") + 2:].split()
            parents[int(entry.name)], sessions[int(entry.name)] = int(fields[1]), int(fields[3])
        ours: set[int] = set()
        born = {me}
        while born:
            born = {pid for pid, parent in parents.items() if parent in born} - ours
            ours |= born
        leaders = {sessions[pid] for pid in ours} - {sessions.get(me)}
        total = 0
        for pid, session in sessions.items():
            if pid in ours or session in leaders:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
                total += rss
        return total

    async def watch(self, interval: float = 0.2) -> None:
        while True:
            total = self._sample()
            self.peak_total_kib = max(self.peak_total_kib, total)
            await asyncio.sleep(interval)


async def _tree_peak(step: Callable[[], Awaitable[Output]]) -> dict[str, float] | None:
    """The peak RSS of the whole process tree while `step` runs, or None where /proc cannot tell.

    This process's own high-water mark (reset just before) plus the highest sum over the programs it starts, sampled
    five times a second: an upper bound, since the two peaks may fall at different moments and pages shared between
    processes count once for each.
    """
    gc.collect()
    before = _status_kib("VmRSS")
    if not _rss_peak_reset():
        return None
    children = _ChildMemory()
    watcher = asyncio.create_task(children.watch())
    await _attempt(step)
    watcher.cancel()
    own = _status_kib("VmHWM")
    return {"process_before_mib": round(before / 1024, 1), "process_peak_mib": round(own / 1024, 1),
            "children_peak_mib": round(children.peak_total_kib / 1024, 1),
            "tree_peak_mib": round((own + children.peak_total_kib) / 1024, 1)}


async def _attempt(step: Callable[[], Awaitable[Output]]) -> tuple[float, Output | None, str | None]:
    """Seconds taken, and the output or why there is none: a PDF that could not be made is a result, not a crash."""
    started = time.perf_counter()
    try:
        body = await step()
    except PdfUnavailable as error:
        return time.perf_counter() - started, None, str(error)
    return time.perf_counter() - started, body, None


async def measure(db: Database, settings: Settings, conference_id: int, args: argparse.Namespace) -> Measured:
    result = Measured([name for name in STEPS if name not in args.skip])
    async with db.read() as session:
        record = await summary_record(session, conference_id)
    steps = _steps(db, conference_id, record, settings)
    floors = _floors(record, result.steps)
    if "pdf" in result.steps:
        # First, while this process holds what a server holds: the record, and nothing the runs below leave behind.
        result.memory["pdf_process_tree"] = await _tree_peak(steps["pdf"])
    gc.collect()
    baseline_kib = _status_kib("VmRSS")
    reset = _rss_peak_reset()
    for _ in range(args.repeat):
        for name in result.steps:
            cpu = _cpu_seconds()
            seconds, output, failure = await _attempt(steps[name])
            result.cpu[name].append(_cpu_seconds() - cpu)
            result.seconds[name].append(seconds)
            if output is None:
                result.failures[name] = failure or "failed"
                continue
            body = _bytes(output)
            del output
            result.sizes[name] = len(body)
            result.digests[name].add(hashlib.sha256(body).hexdigest())
            if name == "pdf":
                result.pdf_pages = len(_PDF_PAGE.findall(body))
        for name, floor in floors.items():
            started = time.perf_counter()
            floor()
            result.floors[name].append(time.perf_counter() - started)
    result.memory["process_rss_before_mib"] = round(baseline_kib / 1024, 1)
    if reset:
        result.memory["process_peak_rss_mib"] = round(_status_kib("VmHWM") / 1024, 1)
    else:
        result.memory["process_peak_rss_mib_since_start"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
    if "pdf" in result.failures:
        result.memory.pop("pdf_process_tree", None)

    # Python allocations per step, in a separate pass: tracemalloc slows allocation down several times.
    gc.collect()
    tracemalloc.start()
    overall = 0
    peaks = {}
    for name in result.steps:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        await _attempt(steps[name])
        peak = tracemalloc.get_traced_memory()[1]
        peaks[name] = round((peak - before) / 2**20, 1)
        overall = max(overall, peak)
    tracemalloc.stop()
    result.memory["python_peak_mib_by_step"] = peaks
    result.memory["python_peak_mib_all_steps"] = round(overall / 2**20, 1)

    if args.profile:
        for name in result.steps:
            profile = cProfile.Profile()
            profile.enable()
            await _attempt(steps[name])
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(args.profile_lines)
            stats.sort_stats("cumulative").print_stats(args.profile_lines)
            result.profiles[name] = out.getvalue()
    return result


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 2**20:
        return f"{n / 1024:,.1f} KiB"
    return f"{n / 2**20:,.1f} MiB"


OUTPUTS = {"compile": "the model as compact JSON", "md": "Markdown", "html": "HTML page", "json": "JSON",
           "docx": "Word", "pdf": "PDF", "revised_draft": "Word, tracked changes"}


def _table(measured: Measured) -> tuple[list[str], dict[str, Any]]:
    """Markdown lines of the figures, and the same as a dict."""
    steps = measured.steps
    medians = {name: statistics.median(measured.seconds[name]) for name in steps}
    bests = {name: min(measured.seconds[name]) for name in steps}
    runs = len(measured.seconds[steps[0]]) if steps else 0
    cpus = {name: statistics.median(measured.cpu[name]) for name in steps}
    lines = ["| step | median s | best s | CPU s | output |", "| --- | ---: | ---: | ---: | --- |"]
    for name in steps:
        if name in measured.failures:
            output = f"none: {measured.failures[name]} (after the time shown)"
        else:
            output = f"{_size(measured.sizes[name])}, {OUTPUTS[name]}"
            if name == "pdf" and measured.pdf_pages:
                output += f", {measured.pdf_pages:,} pages"
        lines.append(f"| {name} | {medians[name]:.3f} | {bests[name]:.3f} | {cpus[name]:.3f} | {output} |")
    together = [name for name in TOGETHER if name in steps and name not in measured.failures]
    missing = [name for name in TOGETHER if name not in together]
    totals = [sum(measured.seconds[name][run] for name in together) for run in range(runs)]
    median_total = statistics.median(totals) if totals else 0.0
    label = " + ".join(together) + (f" (without {', '.join(missing)})" if missing else "")
    cpu_total = (
        statistics.median(sum(measured.cpu[name][run] for name in together) for run in range(runs)) if runs else 0.0
    )
    lines.append(f"| **all formats together**: {label} | **{median_total:.3f}** | {min(totals, default=0.0):.3f} | "
                 f"{cpu_total:.3f} | |")
    figures = {
        "runs": runs,
        "steps": {
            name: {"median_s": round(medians[name], 3), "best_s": round(bests[name], 3), "cpu_s": round(cpus[name], 3),
                   "bytes": measured.sizes.get(name), "failed": measured.failures.get(name),
                   "same_bytes_every_run": len(measured.digests[name]) == 1 if name not in measured.failures else None}
            for name in steps
        },
        "pdf_pages": measured.pdf_pages,
        "all_formats_together_s": {"steps": together, "missing": missing, "median": round(median_total, 3),
                                   "best": round(min(totals, default=0.0), 3)},
        "targets": _targets(measured),
    }
    return lines, figures


FLOORS = {
    "pdf": "Typst setting the record's text as plain paragraphs",
    "others": "the model through the C JSON encoder once per text format, and the Word file's parts packaged",
    "revised_draft": "its parts packaged",
}


def _targets(measured: Measured) -> list[dict[str, Any]]:
    """Each target with the product's figure (the median over runs), the least the stack can do and whether it is met.

    A target whose steps were skipped or failed is not met: a missing format counts against it.
    """
    runs = len(measured.seconds[measured.steps[0]]) if measured.steps else 0

    def seconds(names: Sequence[str], clock: dict[str, list[float]]) -> float | None:
        if any(name not in measured.steps or name in measured.failures for name in names):
            return None
        return statistics.median(sum(clock[name][run] for name in names) for run in range(runs))

    def floor(name: str) -> float | None:
        return statistics.median(measured.floors[name]) if measured.floors.get(name) else None

    tree = measured.memory.get("pdf_process_tree")
    timed = {"pdf_s": ["pdf"], "others_s": OTHERS, "revised_draft_s": ["revised_draft"]}
    rows = [
        ("pdf_s", "PDF", PDF_TARGET_S, "s", floor("pdf"), FLOORS["pdf"]),
        ("pdf_tree_peak_mib", "PDF: whole process tree at its peak", PDF_TARGET_MIB, "MiB", None, None),
        ("others_s", " + ".join(OTHERS) + " together", OTHERS_TARGET_S, "s", floor("others"), FLOORS["others"]),
        ("revised_draft_s", "revised draft (Word, tracked changes)", REVISED_TARGET_S, "s", floor("revised_draft"),
         FLOORS["revised_draft"]),
    ]
    targets = []
    for name, what, target, unit, least, how in rows:
        if name in timed:
            value, cpu = seconds(timed[name], measured.seconds), seconds(timed[name], measured.cpu)
        else:
            value, cpu = (tree["tree_peak_mib"] if tree else None), None
        targets.append({
            "name": name, "what": what, "value": None if value is None else round(value, 3), "target": target,
            "unit": unit, "cpu_s": None if cpu is None else round(cpu, 3),
            "floor": None if least is None else round(least, 3), "floor_is": how,
            "met": value is not None and value < target,
        })
    return targets


def _target_lines(targets: Sequence[dict[str, Any]], memory: dict[str, Any]) -> list[str]:
    """The targets as a Markdown table: product, least the stack can do, their ratio, met or not."""
    lines = ["| target | product | least the stack can do | ratio | verdict |", "| --- | ---: | --- | ---: | --- |"]
    for t in targets:
        unit = t["unit"]
        value = "not measured" if t["value"] is None else f"{t['value']:,.{3 if unit == 's' else 0}f} {unit}"
        if t["cpu_s"] is not None:
            value += f" (CPU {t['cpu_s']:.3f} s)"
        if t["name"] == "pdf_tree_peak_mib" and memory.get("pdf_process_tree"):
            tree = memory["pdf_process_tree"]
            value += (
                f" (this process {tree['process_before_mib']:,.0f} MiB before, {tree['process_peak_mib']:,.0f} at "
                f"its peak; programs it started {tree['children_peak_mib']:,.0f})"
            )
        floor = "" if t["floor"] is None else f"{t['floor']:.3f} s: {t['floor_is']}"
        ratio = f"{t['value'] / t['floor']:.1f}" if t["value"] is not None and t["floor"] else ""
        verdict = "met" if t["met"] else "**NOT met**"
        lines.append(f"| {t['what']} under {t['target']:g} {unit} | {value} | {floor} | {ratio} | {verdict} |")
    return lines


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    settings = Settings(database_url=url, data_dir=Path(url.split("///", 1)[1]).parent, secret_key=b"bench")
    db = open_database(settings)
    try:
        started = time.perf_counter()
        workshop = generate(args)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        await store(db, workshop)
        stored = time.perf_counter() - started
        counts = workshop.counts
        # The rows are no longer needed; dropping them keeps the memory figures about the summary alone.
        del workshop
        gc.collect()
        measured = await measure(db, settings, 1, args)
    finally:
        await db.dispose()
    lines, figures = _table(measured)
    print(f"Workshop: {counts['points']:,} points, {counts['on_roster']:,} on the roster "
          f"({counts['participants']:,} people with substitutes and walk-ins), {counts['checkins']:,} check-ins, "
          f"{counts['comments']:,} comments, {counts['remarks']:,} remarks; generated in {generated:.1f} s, "
          f"stored in {stored:.1f} s. {figures['runs']} run{'' if figures['runs'] == 1 else 's'} of every step.\n")
    print("\n".join(lines))
    memory = measured.memory
    print("\nTargets:\n")
    print("\n".join(_target_lines(figures["targets"], memory)))
    print(
        f"\nMemory: Python peak {memory['python_peak_mib_all_steps']} MiB (tracemalloc, all steps); process RSS "
        f"{memory['process_rss_before_mib']} MiB before, peak {memory.get('process_peak_rss_mib', '?')} MiB during the "
        f"runs.\n"
    )
    for name, text in measured.profiles.items():
        print(f"--- cProfile: {name} ---\n{text}")
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": {**machine(), "sqlite": sqlite3.sqlite_version},
        "workshop": counts,
        "generate_s": round(generated, 1),
        "store_s": round(stored, 1),
        **figures,
        "memory": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1000, help="points, the host included")
    parser.add_argument("--participants", type=int, default=100_000, help="people on the roster; as many check-ins")
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--remarks", type=int, default=500)
    parser.add_argument("--speeches", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of every step; the table gives median and best")
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this directory")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--profile", action="store_true", help="print the top functions of each step (cProfile)")
    parser.add_argument("--profile-lines", type=int, default=15)
    parser.add_argument("--skip", type=lambda value: set(filter(None, value.split(","))), default=set(),
                        help="steps to leave out, comma-separated: " + ",".join(STEPS))
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 50 points, 2,000 people, 300 comments, 30 remarks"
    )
    args = parser.parse_args()
    if args.quick:
        args.points, args.participants, args.comments, args.remarks, args.speeches = 50, 2000, 300, 30, 20
        args.repeat = 1
    with tempfile.TemporaryDirectory(prefix="diemcau-bench-summary-") as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        database = directory / "summary.db"
        for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
            path.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{database}"
        # Alembic runs its own event loop, so the schema comes first.
        upgrade(url)
        report = asyncio.run(run(args, url))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
