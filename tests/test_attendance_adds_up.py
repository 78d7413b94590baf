"""Attendance that adds up: invited present + represented + absent = expected, live and in every record format."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import docx
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from schema.tables import Base, Checkin, Conference, Point, utcnow
from server.attendance import operations as attendance
from server.attendance.batch import CheckIn, CheckOut
from server.errors import Conflict
from server.participants.operations import PersonFields, add_participant
from server.simulate.loopback import Server
from server.summary.compile import compile_summary
from tests.event_schemas import validate_event
from tests.rendered import pdf_text, squeezed
from tests.support.api import assert_error
from tests.support.http import Call
from tests.support.realtime import Listener

ROSTER = 4
FIGURES = ("expected", "invited_present", "represented", "absent", "substitutes", "walk_ins", "people")


def adds_up(row: dict[str, Any]) -> None:
    assert row["invited_present"] + row["represented"] + row["absent"] == row["expected"], row
    assert row["people"] == row["present"] == row["invited_present"] + row["substitutes"] + row["walk_ins"], row
    assert min(row[f] for f in FIGURES) >= 0, row


def recount(stays: list[Checkin], roster: set[int]) -> dict[str, int]:
    """The figures counted by hand from the stays: each person once, roster members in person before stand-ins."""
    in_person = {s.participant_id for s in stays if s.participant_id in roster}
    stood_in_for = {s.substitute_for_id for s in stays if s.substitute_for_id is not None}
    represented = stood_in_for - in_person
    substitutes = {s.participant_id for s in stays if s.substitute_for_id is not None}
    walk_ins = {s.participant_id for s in stays if s.walk_in}
    return {
        "expected": len(roster),
        "invited_present": len(in_person),
        "represented": len(represented),
        "absent": len(roster) - len(in_person) - len(represented),
        "substitutes": len(substitutes),
        "walk_ins": len(walk_ins),
        "people": len(in_person) + len(substitutes) + len(walk_ins),
    }


@dataclass
class Desk:
    """One point's desk in a generated day: who exists, by kind."""

    conference_id: int
    point_id: int
    roster: list[int]
    others: list[int] = field(default_factory=list)


MOVES = st.lists(
    st.tuples(st.sampled_from(["in", "sub", "walk", "again", "out", "undo", "strike", "run"]), st.integers(0, 7)),
    max_size=25,
)


async def _setup(session: AsyncSession) -> Desk:
    conference = Conference(title="Hội thảo thử", starts_at=utcnow(), status="open")
    session.add(conference)
    await session.flush()
    point = Point(conference_id=conference.id, code="HG", name="Hậu Giang")
    session.add(point)
    await session.flush()
    roster = [
        (await add_participant(session, conference.id, point.id, PersonFields(f"Đại biểu {n}"))).id
        for n in range(ROSTER)
    ]
    await session.commit()
    return Desk(conference.id, point.id, roster)


async def _move(session: AsyncSession, desk: Desk, kind: str, n: int) -> None:
    c, p = desk.conference_id, desk.point_id
    everyone = desk.roster + desk.others
    if kind == "in":
        await attendance.check_in(session, c, p, "test", participant_id=desk.roster[n % ROSTER])
    elif kind == "sub":
        _, person = await attendance.check_in(
            session, c, p, "test", walk_in=PersonFields(f"Người dự thay {n}"), substitute_for=desk.roster[n % ROSTER]
        )
        desk.others.append(person.id)
    elif kind == "walk":
        _, person = await attendance.check_in(session, c, p, "test", walk_in=PersonFields(f"Khách {n}"))
        desk.others.append(person.id)
    elif kind == "again" and desk.others:
        await attendance.check_in(session, c, p, "test", participant_id=desk.others[n % len(desk.others)])
    elif kind == "out":
        await attendance.check_out(session, c, p, everyone[n % len(everyone)], "test")
    elif kind == "undo":
        await attendance.undo_check_in(session, c, p, everyone[n % len(everyone)], "test")
    elif kind == "run":
        # Check-ins and check-outs by id take the batch path: planned together against one load of the room,
        # one step per person, as a run never holds two of one person's.
        steps: dict[int, CheckIn | CheckOut] = {desk.roster[n % ROSTER]: CheckIn(p, desk.roster[n % ROSTER], "test")}
        if desk.others:
            steps.setdefault(desk.others[n % len(desk.others)], CheckIn(p, desk.others[n % len(desk.others)], "test"))
        steps.setdefault(everyone[(n + 3) % len(everyone)], CheckOut(p, everyone[(n + 3) % len(everyone)], "test"))
        await CheckIn.run(session, c, list(steps.values()))
    elif kind == "strike":
        ids = list(await session.scalars(select(Checkin.id).where(Checkin.conference_id == c).order_by(Checkin.id)))
        if ids:
            await attendance.strike_stay(session, c, ids[n % len(ids)], "user:1", "Điểm danh nhầm")


@pytest_asyncio.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """One SQLite file for every generated day; each day is a conference of its own in it."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'days.db'}")

    # A day of this test is rules, not durability: no fsync per move.
    @event.listens_for(engine.sync_engine, "connect")
    def _no_sync(connection: Any, _: Any) -> None:
        connection.execute("PRAGMA synchronous=OFF")

    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
async def test_any_day_of_moves_adds_up_live_and_in_the_record(
    sessions: async_sessionmaker[AsyncSession], moves: list[tuple[str, int]]
) -> None:
    async with sessions() as session:
        desk = await _setup(session)
        for kind, n in moves:
            try:
                await _move(session, desk, kind, n)
                await session.commit()
            except Conflict:
                await session.rollback()
            # The batch writes rows with Core statements: read what the database holds, not objects loaded before.
            session.expire_all()
            stays = list(await session.scalars(select(Checkin).where(Checkin.conference_id == desk.conference_id)))
            live = (await attendance.attendance(session, desk.conference_id))["points"][0]
            adds_up(live)
            assert {f: live[f] for f in FIGURES} == recount(
                [s for s in stays if s.checked_out_at is None], set(desk.roster)
            )
        stays = list(await session.scalars(select(Checkin).where(Checkin.conference_id == desk.conference_id)))
        model = await compile_summary(session, desk.conference_id)
        for row in (model["attendance"]["points"][0], model["attendance"]["totals"]):
            adds_up(row)
            assert {f: row[f] for f in FIGURES} == recount([s for s in stays if s.undone_at is None], set(desk.roster))
        assert len(model["absentees"]) == model["attendance"]["totals"]["absent"]


async def _ok(call: Call, method: str, url: str, token: str, status: int = 200, **kwargs: Any) -> Any:
    reply = await call(method, url, token, **kwargs)
    assert reply.status == status, (method, url, reply.body)
    return reply.body


async def _bytes(http: aiohttp.ClientSession, url: str, token: str) -> bytes:
    async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 200, url
        return await response.read()


async def test_a_scripted_day_adds_up_live_and_in_every_format(
    demo_server: Server, call: Call, http: aiohttp.ClientSession, listen: Callable[..., Awaitable[Listener]]
) -> None:
    s, hgi, chair = demo_server, demo_server.tokens["operators"]["HGI"], demo_server.tokens["chair"]
    display = await listen(s, s.tokens["display"])
    people = (await _ok(call, "GET", s.api("/participants?limit=20"), hgi))["items"]
    r = [p["id"] for p in people][:8]
    names = {p["id"]: p["full_name"] for p in people}
    # An absentee as the record lists them: name, position, point, reason.
    listed = {p["id"]: ", ".join(v for v in (p["full_name"], p["position"]) if v) for p in people}

    async def check_in(status: int = 201, **body: Any) -> Any:
        return await _ok(call, "POST", s.api("/checkins"), hgi, status, json=body)

    for person in r[:4]:
        await check_in(participant_id=person)
    mistaken = (await check_in(participant_id=r[4]))["checkin_id"]
    await _ok(call, "POST", s.api(f"/checkins/{r[4]}/undo"), hgi)
    await _ok(call, "DELETE", s.api(f"/checkins/{r[0]}"), hgi)
    await check_in(participant_id=r[0])
    stand_in = (await check_in(full_name="Trần Văn Thay", substitute_for=r[5]))["participant_id"]
    await _ok(call, "DELETE", s.api(f"/checkins/{stand_in}"), hgi)
    again = await check_in(participant_id=stand_in)
    assert again["substitute_for"] == r[5] and again["walk_in"] is False
    assert_error(
        await call("POST", s.api("/checkins"), hgi, json={"full_name": "Người thứ hai", "substitute_for": r[5]}),
        409,
        "already_represented",
    )
    await check_in(full_name="Lê Thị Khách", organization="Báo Hậu Giang")
    await _ok(call, "PATCH", s.api(f"/participants/{r[6]}"), hgi, json={"absence_reason": "Đi công tác"})
    await check_in(full_name="Phan Văn Tạm", substitute_for=r[7])
    await check_in(participant_id=r[7])
    await _ok(call, "DELETE", s.api(f"/checkins/{r[2]}"), hgi)
    # Checked in and out by mistake: struck from the record by the chair, with the reason in the audit trail.
    await _ok(call, "DELETE", s.api(f"/checkins/{r[3]}"), hgi)
    stays = (await _ok(call, "GET", s.api(f"/stays?point_id={again['point_id']}"), chair))["items"]
    wrong = next(x for x in stays if x["participant_id"] == r[3])
    struck = await _ok(
        call, "POST", s.api(f"/stays/{wrong['checkin_id']}/strike"), chair, json={"reason": "Bấm nhầm người"}
    )
    assert struck["undo_reason"] == "Bấm nhầm người" and struck["undone_by"].startswith("user:")
    assert_error(await call("POST", s.api(f"/stays/{wrong['checkin_id']}/strike"), chair, json={"reason": "Lần nữa"}),
                 409, "already_struck")
    assert mistaken != wrong["checkin_id"]

    sheet = await _ok(call, "GET", s.api("/attendance"), chair)
    live = next(p for p in sheet["points"] if p["code"] == "HGI")
    expected = live["expected"]
    # In the room now: r0, r1, r7 in person; r5 represented by Trần Văn Thay; Phan Văn Tạm stays on as a substitute.
    assert {f: live[f] for f in FIGURES} == {
        "expected": expected, "invited_present": 3, "represented": 1, "absent": expected - 4, "substitutes": 2,
        "walk_ins": 1, "people": 6,
    }
    assert live["rate"] == round(3 / expected, 4)
    for row in (*sheet["points"], sheet["totals"]):
        adds_up(row)
    # What every console heard: each coalesced announcement adds up, and the last one says what the sheet says.
    announced = await display.totals_until(lambda totals: totals == sheet["totals"])
    for envelope in announced:
        validate_event(envelope)
        for row in (*envelope["data"]["points"], envelope["data"]["totals"]):
            adds_up(row)
    heard = [row for envelope in announced for row in envelope["data"]["points"] if row["code"] == "HGI"][-1]
    assert {f: heard[f] for f in (*FIGURES, "rate")} == {f: live[f] for f in (*FIGURES, "rate")}
    # The attendance export: the same figures, the rate in percent.
    exported = csv.DictReader(
        io.StringIO((await _bytes(http, s.api("/attendance/export.csv"), chair)).decode("utf-8-sig"))
    )
    here = next(row for row in exported if row["point_code"] == "HGI")
    assert {f: int(here[f]) for f in FIGURES} == {f: live[f] for f in FIGURES}
    assert float(here["rate_percent"]) == round(300 / expected, 1)

    # The record: r2 left early but attended; r3's stay was struck and r4's undone, so both are absent.
    summary = await _ok(call, "GET", s.api("/summary.json"), chair)
    point = next(p for p in summary["attendance"]["points"] if p["code"] == "HGI")
    total = summary["attendance"]["totals"]
    assert {f: point[f] for f in FIGURES} == {
        "expected": expected, "invited_present": 4, "represented": 1, "absent": expected - 5, "substitutes": 2,
        "walk_ins": 1, "people": 7,
    }
    all_expected = total["expected"]
    assert {f: total[f] for f in FIGURES} == {
        "expected": all_expected, "invited_present": 4, "represented": 1, "absent": all_expected - 5,
        "substitutes": 2, "walk_ins": 1, "people": 7,
    }
    rate = f"{400 / all_expected:.1f}".replace(".", ",") + "%"
    assert total["rate"] == rate
    for row in (*summary["attendance"]["points"], total):
        adds_up(row)
    assert len(summary["absentees"]) == all_expected - 5
    absent_here = {a["full_name"]: a["absence_reason"] for a in summary["absentees"] if a["point"] == point["name"]}
    assert absent_here[names[r[6]]] == "Đi công tác"
    assert names[r[3]] in absent_here and names[r[4]] in absent_here and names[r[2]] not in absent_here
    sentence = (f"Tham dự Hội thảo: có mặt 4/{all_expected} đại biểu được triệu tập (đạt {rate}); 2 đại biểu dự thay; "
                f"1 khách mời; vắng {all_expected - 5} đại biểu (có lý do: 1).")
    statement = await _ok(call, "GET", s.api("/closing-statement"), chair)
    assert sentence in statement["generated"]

    await _ok(call, "POST", s.api("/close"), chair)
    frozen = await _ok(call, "GET", s.api("/summary.json"), chair)
    assert (
        frozen["frozen"]
        and frozen["attendance"] == summary["attendance"]
        and frozen["absentees"] == summary["absentees"]
    )
    # The chair's correction stands in the record's audit trail as a sentence, with who made it and the request behind.
    said = {entry["sentence"]: entry for entry in frozen["audit"]}
    strike = said[f"Bỏ lượt có mặt của {names[r[3]]} ({point['name']}) khỏi biên bản: Bấm nhầm người"]
    assert strike["actor"] == "Trần Quốc Tỏ" and strike["address"] == "127.0.0.1" and strike["at"]
    assert strike["request"] == f"POST /api/v1/conferences/{s.conference_id}/stays/{wrong['checkin_id']}/strike"
    row = [point["name"], *(str(point[key]) for key in ("expected", "invited_present", "rate", "represented", "absent",
                                                          "substitutes", "walk_ins", "people"))]
    totals = ["Tổng cộng", *(str(total[key]) for key in ("expected", "invited_present", "rate", "represented", "absent",
                                                          "substitutes", "walk_ins", "people"))]
    # The absentees of this point, each with the reason given or "không rõ lý do", in every format.
    absentees = [
        f"{listed[r[3]]} ({point['name']}): không rõ lý do",
        f"{listed[r[4]]} ({point['name']}): không rõ lý do",
        f"{listed[r[6]]} ({point['name']}): Đi công tác",
    ]
    stand_ins = [
        f"Trần Văn Thay dự thay {names[r[5]]} ({point['name']})",
        f"Phan Văn Tạm dự thay {names[r[7]]} ({point['name']})",
        f"Lê Thị Khách, Báo Hậu Giang ({point['name']})",
    ]
    markdown = (await _bytes(http, s.api("/summary.md"), chair)).decode()
    assert "| " + " | ".join(row) + " |" in markdown
    assert "| " + " | ".join(f"**{v}**" for v in totals) + " |" in markdown
    assert sentence in markdown
    for line in (*absentees, *stand_ins):
        assert f"- {line}\n" in markdown, line
    # The record's appendix: the audit trail as sentences, with who and where from.
    assert f"| Trần Quốc Tỏ | {strike['sentence']} | 127\\.0.0.1 |" in markdown
    html = (await _bytes(http, s.api("/summary.html"), chair)).decode()
    assert f"<th scope=\"row\">{point['name']}</th>" + "".join(f"<td>{v}</td>" for v in row[1:]) in html
    assert "<th scope=\"row\">Tổng cộng</th>" + "".join(f"<td>{v}</td>" for v in totals[1:]) in html
    assert sentence in html
    for line in (*absentees, *stand_ins):
        assert f"<li>{line}</li>" in html, line
    document = docx.Document(io.BytesIO(await _bytes(http, s.api("/summary.docx"), chair)))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Triệu tập")
    assert [c.text for c in table.rows[-1].cells] == totals
    assert row in [[c.text for c in line.cells] for line in table.rows]
    paragraphs = [p.text for p in document.paragraphs]
    assert any(sentence in text for text in paragraphs)
    for line in (*absentees, *stand_ins):
        assert line in paragraphs, line
    pdf = squeezed(pdf_text(await _bytes(http, s.api("/summary.pdf"), chair)))
    assert squeezed(sentence) in pdf and squeezed(" ".join(totals)) in pdf and squeezed(" ".join(row)) in pdf
    for line in (*absentees, *stand_ins):
        assert squeezed(line) in pdf, line


async def test_corrections_refuse_bad_input_and_change_nothing(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    hgi, cto, chair = t["operators"]["HGI"], t["operators"]["CTO"], t["chair"]
    people = (await _ok(call, "GET", s.api("/participants?limit=5"), hgi))["items"]
    stay = await _ok(call, "POST", s.api("/checkins"), hgi, 201, json={"participant_id": people[0]["id"]})
    walk_in = await _ok(call, "POST", s.api("/checkins"), hgi, 201, json={"full_name": "Khách mời"})
    before = await _ok(call, "GET", s.api("/attendance"), chair)
    strike = s.api(f"/stays/{stay['checkin_id']}/strike")
    assert_error(await call("POST", strike, chair, json={}), 422, "invalid")
    assert_error(await call("POST", strike, chair, json={"reason": "   "}), 422, "invalid")
    assert_error(await call("POST", strike, chair, json={"reason": "x" * 501}), 422, "invalid")
    assert_error(await call("POST", strike, hgi, json={"reason": "Operator"}), 403, "forbidden")
    assert_error(
        await call("POST", s.api("/stays/999999/strike"), chair, json={"reason": "Không có"}), 404, "not_found"
    )
    absence = s.api(f"/participants/{people[1]['id']}")
    assert_error(await call("PATCH", absence, hgi, json={}), 422, "invalid")
    assert_error(await call("PATCH", absence, hgi, json={"absence_reason": 5}), 422, "invalid")
    assert_error(await call("PATCH", absence, cto, json={"absence_reason": "Ốm"}), 403, "forbidden")
    assert_error(
        await call("PATCH", s.api(f"/participants/{walk_in['participant_id']}"), hgi, json={"absence_reason": "Ốm"}),
        409,
        "not_on_roster",
    )
    assert_error(await call("GET", s.api("/stays"), chair), 422, "invalid")
    assert (await _ok(call, "GET", s.api("/attendance"), chair)) == before
    assert (await _ok(call, "GET", s.api(f"/participants?q={people[1]['full_name']}"), hgi))["items"][0][
        "absence_reason"
    ] is None
    cleared = await _ok(call, "PATCH", absence, hgi, json={"absence_reason": "Ốm"})
    assert cleared["absence_reason"] == "Ốm"
    assert (await _ok(call, "PATCH", absence, chair, json={"absence_reason": None}))["absence_reason"] is None
