"""The audit trail: every staff write is recorded (who, what, when, from where), filtered for admins, never edited."""
from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from server.http.declaration import PUBLIC, SIGNED_IN
from server.http.routes import API_ROUTES
from server.http.subjects import SUBJECTS
from server.sentences import sentence
from server.simulate.loopback import Server
from tests.support.accounts import demo_password
from tests.support.api import assert_error, first_at, seq
from tests.support.browser import LIVE_TIMEOUT_MS, Open, catalog
from tests.support.http import Call

VI = catalog("vi")


async def test_every_staff_write_is_recorded_once(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    start = datetime.now(UTC) - timedelta(seconds=1)
    person = await first_at(call, s, "HGI")
    # An operator's and a delegate's writes are theirs, not staff actions.
    assert (
        await call("POST", s.api("/checkins"), t["operators"]["HGI"], json={"participant_id": person})
    ).status == 201
    moved = await call("POST", s.api("/agenda/next"), t["chair"], json={"expected_current_id": None})
    assert moved.status == 200
    key = {"Idempotency-Key": "audit-point-1"}
    body = {"code": "TST", "name": "Điểm cầu Thử nghiệm", "region": "Hà Nội"}
    first = await call("POST", s.api("/points"), t["admin"], json=body, headers=key)
    again = await call("POST", s.api("/points"), t["admin"], json=body, headers=key)
    assert first.status == again.status == 201 and first.body == again.body
    statement = await call("PUT", s.api("/closing-statement"), t["chair"], json={"text": "x" * 400})
    assert statement.status == 200
    before = await seq(call, s)
    assert_error(await call("POST", s.api("/agenda/next"), t["chair"], json={"expected_current_id": None}), 409)
    assert_error(await call("POST", s.api("/points"), t["admin"], json={"code": ""}), 422)
    assert await seq(call, s) == before

    entries = (await call("GET", s.api("/audit"), t["admin"])).body["items"]
    assert [(e["action"], e["details"]["route"]) for e in entries] == [
        ("agenda.control", "agenda_next"),
        ("point.write", "point_create"),
        ("summary.write", "closing_statement_update"),
    ]
    assert all(e["address"] == "127.0.0.1" and e["conference_id"] == s.conference_id for e in entries)
    assert all(start <= datetime.fromisoformat(e["at"]) <= datetime.now(UTC) for e in entries)
    chair_actor, admin_actor = entries[0]["actor"], entries[1]["actor"]
    assert chair_actor.startswith("user:") and admin_actor.startswith("user:") and chair_actor != admin_actor
    assert entries[1]["details"]["body"] == body
    assert [e["sentence"] for e in entries] == [
        f"Chuyển sang mục chương trình ‘{moved.body['current']['title']}’",
        "Thêm điểm cầu ‘Điểm cầu Thử nghiệm’ (mã TST)",
        "Sửa kết luận của chủ trì",
    ]
    # Long texts are cut: the trail says what was done, the record itself holds the text.
    assert entries[2]["details"]["body"]["text"] == "x" * 300 + "…"

    reply = await call("GET", s.api(f"/audit?actor={admin_actor}"), t["admin"])
    assert reply.status == 200, (reply.status, reply.body)
    by_actor = reply.body["items"]
    assert [e["id"] for e in by_actor] == [entries[1]["id"]]
    by_action = (await call("GET", s.api("/audit?action=agenda.control"), t["chair"])).body["items"]
    assert [e["id"] for e in by_action] == [entries[0]["id"]]
    later = (entries[1]["at"]).replace("+00:00", "Z")
    since = (await call("GET", s.api(f"/audit?since={later}"), t["admin"])).body["items"]
    assert [e["id"] for e in since] == [entries[1]["id"], entries[2]["id"]]
    until = (await call("GET", s.api(f"/audit?until={later}"), t["admin"])).body["items"]
    assert [e["id"] for e in until] == [entries[0]["id"]]
    for bad in ("since=yesterday", "until=2021-09-07T08:00:00", f"actor={'a' * 65}"):
        assert_error(await call("GET", s.api(f"/audit?{bad}"), t["admin"]), 422)
    for token in (t["operators"]["HGI"], t["display"], next(iter(t["delegates"].values()))):
        assert_error(await call("GET", s.api("/audit"), token), 403)


async def test_the_database_refuses_to_edit_the_trail(demo_server: Server, call: Call) -> None:
    s = demo_server
    assert (
        await call("POST", s.api("/agenda/next"), s.tokens["chair"], json={"expected_current_id": None})
    ).status == 200
    database = sqlite3.connect(s.database)
    try:
        assert database.execute("SELECT count(*) FROM audit_entry").fetchone() == (1,)
        for statement in ("UPDATE audit_entry SET actor = 'someone'", "DELETE FROM audit_entry"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                database.execute(statement)
    finally:
        database.close()


async def test_admins_read_the_trail_with_filters(demo_server: Server, call: Call, open_console: Open) -> None:
    s, t = demo_server, demo_server.tokens
    assert (await call("POST", s.api("/agenda/next"), t["chair"], json={"expected_current_id": None})).status == 200
    assert (await call("PUT", s.api("/closing-statement"), t["chair"], json={"text": "Kết luận."})).status == 200
    page = await open_console(s, t["admin"], f"/admin/{s.conference_id}")
    # Dates are shown as people here write them, whatever order the browser's own date field uses.
    since = page.locator('#audit-filters input[name="since"]')
    words = page.locator("#audit-filters .date-words").first
    await expect(words).to_have_text(VI["date.format_time"])
    await since.fill("2021-09-07T08:05")
    await expect(words).to_have_text("07/09/2021 08:05")
    await since.fill("")
    await expect(words).to_have_text(VI["date.format_time"])
    rows = page.locator("#audit-rows tr")
    await expect(rows).to_have_count(2)
    # When, who, what and where from: a row per action, in the page's words.
    cells = rows.first.locator("td")
    await expect(cells.nth(0)).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))
    await expect(cells.nth(1)).to_have_text("Trần Quốc Tỏ")
    await expect(cells.nth(3)).to_have_text("127.0.0.1")
    await expect(rows.first.locator("td").nth(2)).to_have_text(re.compile("^Chuyển sang mục chương trình ‘.+’$"))
    # The sentence for people; the request it came from is one hover away.
    await expect(rows.nth(1).locator("td").nth(2)).to_have_text(VI["audit.say.statement.edit"])
    await expect(rows.nth(1).locator("td").nth(2)).to_have_attribute(
        "title", f"PUT /api/v1/conferences/{s.conference_id}/closing-statement")

    await page.locator("#audit-action").select_option("summary.write")
    await page.locator("#audit-filters button[type=submit]").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(VI["audit.action.summary.write"])
    # A new staff action reaches the open page by itself.
    await page.locator("#audit-action").select_option("")
    assert (
        await call("POST", s.api("/points"), t["admin"], json={"code": "MOI", "name": "Điểm cầu mới"})
    ).status == 201
    await expect(rows).to_have_count(3, timeout=LIVE_TIMEOUT_MS)


async def test_sign_ins_and_the_whole_trail_are_for_admins(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    login = f"{s.base_url}/api/v1/auth/login"
    whole = f"{s.base_url}/api/v1/audit"
    signed = await call("POST", login, json={"username": "chair", "password": demo_password(s, "chair")})
    assert signed.status == 200
    failed = await call("POST", login, json={"username": "chair", "password": "not the password"})
    assert failed.status == 401
    assert (
        await call("POST", s.api("/agenda/next"), signed.body["token"], json={"expected_current_id": None})
    ).status == 200
    assert (await call("POST", f"{s.base_url}/api/v1/auth/logout", signed.body["token"])).status == 200
    created = await call("POST", f"{s.base_url}/api/v1/conferences", t["admin"],
                         json={"title": "Hội thảo khác", "starts_at": "2021-10-01T08:00:00+07:00"})
    assert created.status == 201

    entries = (await call("GET", whole, t["admin"])).body["items"]
    assert [(e["action"], e["conference_id"], e["actor_name"]) for e in entries] == [
        ("session.login", None, "Trần Quốc Tỏ"),
        ("agenda.control", s.conference_id, "Trần Quốc Tỏ"),
        ("session.logout", None, "Trần Quốc Tỏ"),
        ("conference.create", None, "Ban Thư ký hội thảo"),
    ]
    assert all(e["address"] == "127.0.0.1" for e in entries)
    assert entries[0]["details"] == {"username": "chair"}
    scoped = (await call("GET", f"{whole}?conference_id={s.conference_id}", t["admin"])).body["items"]
    assert [e["action"] for e in scoped] == ["agenda.control"]
    logins = (await call("GET", f"{whole}?action=session.login", t["admin"])).body["items"]
    assert [e["id"] for e in logins] == [entries[0]["id"]]
    for token in (t["chair"], t["operators"]["HGI"], t["display"]):
        assert_error(await call("GET", whole, token), 403)
    assert_error(await call("GET", whole), 401)
    assert_error(await call("GET", f"{whole}?conference_id=abc", t["admin"]), 422)


async def test_the_trail_says_what_was_done_with_the_numbers_and_titles_of_the_time(
    demo_server: Server, call: Call
) -> None:
    s, t = demo_server, demo_server.tokens
    delegate = next(iter(t["delegates"].values()))
    bodies = [{"body": "Góp ý chung"}, {"section_anchor": "dieu-8.khoan-2", "body": "Góp ý khoản 2"},
              {"section_anchor": "dieu-8.khoan-2", "body": "Góp ý trùng"}]
    made = [(await call("POST", s.api("/comments"), delegate, json=body)).body for body in bodies]
    # A comment's number is its place in the conference's order of arrival, the same in every answer.
    assert [c["number"] for c in made] == [1, 2, 3]
    listed = (await call("GET", s.api("/comments"), t["chair"])).body["items"]
    assert sorted((c["id"], c["number"]) for c in listed) == [(c["id"], c["number"]) for c in made]
    general, second, copy = made
    ruled = await call("PATCH", s.api(f"/comments/{second['id']}"), t["chair"],
                       json={"disposition": "accepted", "response": "", "revision": 1})
    assert ruled.status == 200 and ruled.body["number"] == 2
    # A refused ruling (stale revision) is no action: nothing joins the trail.
    assert_error(await call("PATCH", s.api(f"/comments/{second['id']}"), t["chair"],
                            json={"disposition": "noted", "revision": 1}), 409, "revision_conflict")
    assert (await call("POST", s.api(f"/comments/{copy['id']}/merge"), t["chair"],
                       json={"into": second["id"], "revision": 1})).status == 200
    assert (await call("PATCH", s.api("/comments"), t["chair"],
                       json={"items": [{"id": general["id"], "revision": 1, "disposition": "noted"}]})).status == 200
    item = await call(
        "POST",
        s.api("/agenda"),
        t["admin"],
        json={"title": "Phát biểu khai mạc", "kind": "opening", "planned_minutes": 5},
    )
    assert item.status == 201
    # Renamed, then deleted: each entry keeps the title the item had at that moment.
    renamed = await call(
        "PATCH", s.api(f"/agenda/{item.body['id']}"), t["admin"], json={"title": "Phát biểu chào mừng"}
    )
    assert renamed.status == 200
    assert (await call("DELETE", s.api(f"/agenda/{item.body['id']}"), t["admin"])).status == 200

    expected = [
        ("Tiếp thu góp ý số 2 (Điều 8, khoản 2)", "Accepted comment no. 2 (Article 8, clause 2)"),
        ("Gộp góp ý số 3 vào góp ý trùng số 2", "Merged comment no. 3 into its duplicate, no. 2"),
        ("Ghi nhận các góp ý số 1", "Noted comments no. 1"),
        ("Thêm mục chương trình ‘Phát biểu khai mạc’", "Added the agenda item ‘Phát biểu khai mạc’"),
        ("Sửa mục chương trình ‘Phát biểu chào mừng’", "Edited the agenda item ‘Phát biểu chào mừng’"),
        ("Xoá mục chương trình ‘Phát biểu chào mừng’", "Deleted the agenda item ‘Phát biểu chào mừng’"),
    ]
    vietnamese = (await call("GET", s.api("/audit"), t["admin"])).body["items"]
    english = (await call("GET", s.api("/audit?lang=en"), t["admin"])).body["items"]
    assert [(v["sentence"], e["sentence"]) for v, e in zip(vietnamese, english, strict=True)] == expected
    # A language the app does not have reads as the default, Vietnamese.
    unknown = (await call("GET", s.api("/audit?lang=xx"), t["admin"])).body["items"]
    assert [e["sentence"] for e in unknown] == [v for v, _ in expected]
    # The request stays in the entry for whoever investigates.
    assert vietnamese[0]["details"]["method"] == "PATCH" and vietnamese[0]["details"]["path"].endswith(
        f"/comments/{second['id']}"
    )
    assert vietnamese[0]["details"]["subject"] == {"key": "comment.accepted", "n": 2, "section": "dieu-8.khoan-2"}


def test_every_write_route_is_told_as_a_sentence() -> None:
    writes = {r.name for r in API_ROUTES if r.method != "GET" and r.action not in (PUBLIC, SIGNED_IN)}
    assert writes - SUBJECTS.keys() == set(), "write routes without a describer in server/http/subjects.py"
    for lang in ("vi", "en"):
        said = {key[len("audit.say."):] for key in catalog(lang) if key.startswith("audit.say.")}
        assert {"comment.accepted", "agenda.delete", "conference.close", "speaking.speaking"} <= said
    # A subject the catalog cannot say, or one missing a value, still reads as its action.
    assert sentence("agenda.write", {"subject": {"key": "agenda.nothing"}}, "vi") == VI["audit.action.agenda.write"]
    assert (
        sentence("agenda.write", {"subject": {"key": "agenda.delete"}}, "en")
        == catalog("en")["audit.action.agenda.write"]
    )
    assert sentence("made.up", {}, "vi") == "made.up"
    assert (
        sentence(
            "comment.dispose",
            {"subject": {"key": "comment.declined", "n": 4, "section": "chuong-2.dieu-12.diem-dd"}},
            "vi",
        )
        == "Giải trình, không tiếp thu góp ý số 4 (Chương II, Điều 12, điểm đ)"
    )
    assert (
        sentence("comment.dispose", {"subject": {"key": "comment.noted", "n": 5, "section": None}}, "en")
        == "Noted comment no. 5"
    )
