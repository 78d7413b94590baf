"""The live agenda's state machine, its clock, its CSV, and the speaking queue's limits and log."""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from server.simulate.loopback import Server
from tests.support.api import assert_error
from tests.support.http import Call


async def agenda(call: Call, s: Server) -> dict[str, Any]:
    return (await call("GET", s.api("/agenda"), s.tokens["chair"])).body


def statuses(view: dict[str, Any]) -> list[str]:
    return [i["status"] for i in view["items"]]


async def test_every_transition_of_the_agenda(demo_server: Server, call: Call) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    ids = [i["id"] for i in (await agenda(call, s))["items"]]
    a, b, c, d = ids[:4]

    async def act(path: str, body: Any = None) -> Any:
        return await call("POST", s.api(path), chair, json=body)

    assert_error(await act(f"/agenda/{a}/finish"), 409, "invalid_transition")
    assert_error(await act("/agenda/back", {"expected_current_id": None}), 409, "invalid_transition")
    assert (await act(f"/agenda/{a}/start")).body["status"] == "live"
    assert_error(await act(f"/agenda/{a}/start"), 409, "invalid_transition")
    assert_error(await act(f"/agenda/{a}/skip"), 409, "invalid_transition")
    assert (await act(f"/agenda/{b}/skip")).body["status"] == "skipped"
    assert_error(await act(f"/agenda/{b}/skip"), 409, "invalid_transition")
    assert_error(await act(f"/agenda/{b}/finish"), 409, "invalid_transition")
    moved = await act("/agenda/next", {"expected_current_id": a})
    assert moved.body["current"]["id"] == c
    assert statuses(await agenda(call, s))[:4] == ["done", "skipped", "live", "pending"]
    assert_error(await act(f"/agenda/{a}/start"), 409, "invalid_transition")
    assert_error(await act("/agenda/next", {"expected_current_id": a}), 409, "revision_conflict")
    assert_error(await act("/agenda/back", {"expected_current_id": a}), 409, "revision_conflict")
    back = await act("/agenda/back", {"expected_current_id": c})
    assert back.body["current"]["id"] == b
    assert statuses(await agenda(call, s))[:4] == ["done", "live", "pending", "pending"]
    assert (await act(f"/agenda/{b}/finish")).body["status"] == "done"
    assert (await act(f"/agenda/{c}/start")).body["status"] == "live"

    extended = await act(f"/agenda/{c}/extend", {"minutes": 5})
    assert extended.body["extended_minutes"] == 5
    assert_error(await act(f"/agenda/{a}/extend", {"minutes": 5}), 409, "invalid_transition")
    assert_error(await act(f"/agenda/{c}/extend", {"minutes": 0}), 422)
    assert_error(await act(f"/agenda/{c}/extend", {}), 422)

    admin = s.tokens["admin"]
    assert_error(await call("DELETE", s.api(f"/agenda/{c}"), admin), 409, "invalid_transition")
    assert_error(await call("DELETE", s.api(f"/agenda/{a}"), admin), 409, "invalid_transition")
    assert (await call("DELETE", s.api(f"/agenda/{d}"), admin)).status == 200
    assert d not in [i["id"] for i in (await agenda(call, s))["items"]]
    assert_error(await call("DELETE", s.api(f"/agenda/{d}"), admin), 404)
    assert_error(await call("DELETE", s.api(f"/agenda/{ids[4]}"), s.tokens["display"]), 403)
    for path in ("/agenda/back", f"/agenda/{ids[4]}/skip", f"/agenda/{ids[4]}/extend"):
        assert_error(
            await call(
                "POST", s.api(path), s.tokens["operators"]["HGI"], json={"minutes": 1, "expected_current_id": c}
            ),
            403,
        )


async def test_two_chairs_pressing_next_advance_one_item(demo_server: Server, call: Call) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    first = (await call("POST", s.api("/agenda/next"), chair, json={"expected_current_id": None})).body["current"]["id"]
    replies = await asyncio.gather(*(
        call("POST", s.api("/agenda/next"), chair, json={"expected_current_id": first}) for _ in range(2)
    ))
    assert sorted(r.status for r in replies) == [200, 409]
    assert statuses(await agenda(call, s))[:3] == ["done", "live", "pending"]


async def test_the_schedule_moves_with_the_agenda(demo_server: Server, call: Call) -> None:
    s = demo_server
    view = await agenda(call, s)
    items = view["items"]
    start = datetime.fromisoformat(view["schedule"]["starts_at"])
    assert datetime.fromisoformat(items[0]["planned_start"]) == start
    assert datetime.fromisoformat(items[1]["planned_start"]) == start + timedelta(minutes=items[0]["planned_minutes"])
    total = sum(i["planned_minutes"] for i in items)
    assert datetime.fromisoformat(view["schedule"]["planned_end"]) == start + timedelta(minutes=total)
    assert [i["projected_start"] for i in items] == [i["planned_start"] for i in items]
    # An extension moves the projection, never the plan.
    await call("POST", s.api(f"/agenda/{items[1]['id']}/extend"), s.tokens["chair"], json={"minutes": 10})
    later = await agenda(call, s)
    assert later["schedule"]["planned_end"] == view["schedule"]["planned_end"]
    assert [i["planned_start"] for i in later["items"]] == [i["planned_start"] for i in items]
    assert datetime.fromisoformat(later["items"][2]["projected_start"]) == datetime.fromisoformat(
        items[2]["planned_start"]
    ) + timedelta(minutes=10)
    assert datetime.fromisoformat(later["schedule"]["projected_end"]) == start + timedelta(minutes=total + 10)
    await call("POST", s.api("/agenda/next"), s.tokens["chair"], json={"expected_current_id": None})
    running = await agenda(call, s)
    # The demo workshop was planned for 2021: once it runs, the rest cannot end before now plus what is left.
    assert datetime.fromisoformat(running["schedule"]["projected_end"]) > datetime.now().astimezone() + timedelta(
        minutes=total
    )
    assert running["items"][0]["projected_start"] == running["items"][0]["started_at"]
    assert [i["planned_start"] for i in running["items"]] == [i["planned_start"] for i in items]


async def test_agenda_csv_round_trip_and_bad_rows(demo_server: Server, call: Call) -> None:
    s, admin = demo_server, demo_server.tokens["admin"]
    exported = await call("GET", s.api("/agenda/export.csv"), admin)
    assert exported.status == 200
    rows = list(csv.DictReader(io.StringIO(exported.body.lstrip("\ufeff"))))
    assert [r["title"] for r in rows] == [i["title"] for i in (await agenda(call, s))["items"]]
    assert rows[0]["kind"] == "opening" and rows[0]["point_code"] == "BCA"

    def upload(text: str) -> aiohttp.FormData:
        form = aiohttp.FormData()
        form.add_field("file", text.encode(), filename="agenda.csv", content_type="text/csv")
        return form

    before = len(rows)
    good = (
        "title,kind,planned_minutes,presenter,point_code\n"
        "Giải lao,break,15,,\n"
        "Thảo luận tổ,discussion,30,Lê Văn Tám,hgi\n"
    )
    created = await call("POST", s.api("/agenda/import"), admin, data=upload(good))
    assert created.status == 201 and created.body["created"] == 2
    after = (await agenda(call, s))["items"]
    assert len(after) == before + 2 and after[-1]["title"] == "Thảo luận tổ" and after[-1]["point_id"] is not None
    bad = "title,kind,planned_minutes,point_code\n,break,15,\nHọp,party,abc,XYZ\n"
    refused = await call("POST", s.api("/agenda/import"), admin, data=upload(bad))
    assert_error(refused, 422)
    assert {(e["row"], e["column"]) for e in refused.body["error"]["details"]["errors"]} == {
        (2, "title"), (3, "kind"), (3, "planned_minutes"), (3, "point_code"),
    }
    missing = await call("POST", s.api("/agenda/import"), admin, data=upload("title,presenter\nX,Y\n"))
    assert_error(missing, 422)
    assert len((await agenda(call, s))["items"]) == before + 2


async def test_speech_limits_quota_and_log(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    hgi, chair = t["operators"]["HGI"], t["chair"]
    people = (await call("GET", s.api("/participants"), hgi)).body["items"][:3]
    for person in people:
        await call("POST", s.api("/checkins"), hgi, json={"participant_id": person["id"]})
    items = (await agenda(call, s))["items"]
    report = next(i for i in items if i["kind"] == "report")
    await call("POST", s.api(f"/agenda/{report['id']}/start"), chair)
    first = (await call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": people[0]["id"]})).body
    assert first["time_limit_seconds"] == 900
    await call("PATCH", s.api(f"/agenda/{report['id']}"), chair, json={"speech_limit_seconds": 120})
    assert (await call("GET", s.api("/speaking-requests"), chair)).body["items"][0]["time_limit_seconds"] == 120
    changed = await call("PATCH", s.api(f"/speaking-requests/{first['id']}"), chair, json={"time_limit_seconds": 60})
    assert changed.body["time_limit_seconds"] == 60
    assert_error(
        await call("PATCH", s.api(f"/speaking-requests/{first['id']}"), chair, json={"time_limit_seconds": 3}), 422
    )

    quota = await call("PATCH", s.api(), t["admin"], json={"speaking_quota_seconds": 0})
    assert quota.status == 200 and quota.body["speaking_quota_seconds"] == 0
    assert_error(
        await call("PATCH", s.api(f"/speaking-requests/{first['id']}"), chair, json={"status": "speaking"}),
        409,
        "quota_exhausted",
    )
    assert_error(
        await call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": people[1]["id"]}),
        409,
        "quota_exhausted",
    )
    order = await call(
        "POST", s.api("/speaking-requests"), hgi, json={"participant_id": people[1]["id"], "point_of_order": True}
    )
    assert order.status == 201
    await call("PATCH", s.api(), t["admin"], json={"speaking_quota_seconds": None})
    assert (await call("PATCH", s.api(f"/speaking-requests/{first['id']}"), chair, json={"status": "speaking"})).body[
        "started_at"
    ]
    assert (await call("PATCH", s.api(f"/speaking-requests/{first['id']}"), chair, json={"status": "done"})).body[
        "finished_at"
    ]

    log = (await call("GET", s.api("/speaking-log"), t["display"])).body
    assert [(r["full_name"], r["point_id"], r["status"]) for r in log["items"]] == [
        (people[0]["full_name"], people[0]["point_id"], "done")
    ]
    assert log["items"][0]["duration_seconds"] >= 0 and log["points"][0]["point_id"] == people[0]["point_id"]
    summary = (await call("GET", s.api("/summary.json"), chair)).body
    assert [(r["full_name"], r["duration_seconds"] is not None) for r in summary["speakers"]] == [
        (people[0]["full_name"], True)
    ]


async def test_a_delegate_withdraws_and_closing_ends_what_runs(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    chair, hgi = t["chair"], t["operators"]["HGI"]
    codes = {p["id"]: p["code"] for p in (await call("GET", s.api("/points"), chair)).body["items"]}
    roster = {p["id"]: p for p in (await call("GET", s.api("/participants?limit=500"), t["admin"])).body["items"]}
    me, token = next((int(pid), token) for pid, token in t["delegates"].items())
    mine = t["operators"][codes[roster[me]["point_id"]]]
    other = next(p for p in roster.values() if codes[p["point_id"]] == "HGI" and p["id"] != me)
    await call("POST", s.api("/open"), chair)
    await call("POST", s.api("/checkins"), mine, json={"participant_id": me})
    await call("POST", s.api("/checkins"), hgi, json={"participant_id": other["id"]})

    # A delegate withdraws its own request, once, and nobody else's; an operator only at its own point.
    asked = (await call("POST", s.api("/speaking-requests"), token, json={})).body
    theirs = (await call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": other["id"]})).body
    assert_error(await call("POST", s.api(f"/speaking-requests/{theirs['id']}/withdraw"), token), 403)
    assert_error(await call("POST", s.api(f"/speaking-requests/{theirs['id']}/withdraw"), t["operators"]["CTO"]), 403)
    withdrawn = await call("POST", s.api(f"/speaking-requests/{asked['id']}/withdraw"), token)
    assert withdrawn.status == 200 and withdrawn.body["status"] == "withdrawn"
    assert_error(
        await call("POST", s.api(f"/speaking-requests/{asked['id']}/withdraw"), token), 409, "invalid_transition"
    )

    # Closing while an item runs and someone speaks ends both at the close, in the record and as events before it.
    item = (await agenda(call, s))["items"][0]
    await call("POST", s.api(f"/agenda/{item['id']}/start"), chair)
    await call("PATCH", s.api(f"/speaking-requests/{theirs['id']}"), chair, json={"status": "speaking"})
    seq = (await call("GET", s.api(), chair)).body["seq"]
    closed = (await call("POST", s.api("/close"), chair)).body
    ended = next(i for i in (await agenda(call, s))["items"] if i["id"] == item["id"])
    assert ended["status"] == "done"
    assert datetime.fromisoformat(ended["finished_at"]) == datetime.fromisoformat(closed["closed_at"])
    speech = next(
        r for r in (await call("GET", s.api("/speaking-requests"), chair)).body["items"] if r["id"] == theirs["id"]
    )
    assert speech["status"] == "done" and speech["finished_at"] == ended["finished_at"]
    after = (await call("GET", s.api(f"/events?after={seq}"), t["display"])).body["items"]
    # The totals of the check-ins above are announced on the server's own time, maybe in between.
    moved = [e["type"] for e in after if e["type"] != "attendance.totals_changed"]
    assert moved[:3] == ["agenda.item_finished", "speaking.queue_changed", "conference.state_changed"]
    summary = (await call("GET", s.api("/summary.json"), chair)).body
    row = next(r for r in summary["agenda"] if r["id"] == item["id"])
    assert row["status"] == "done" and row["finished_at"] and row["actual_minutes"] is not None
