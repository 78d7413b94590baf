"""The chair's attendance views in a real Chromium against a real server: a tile per bridge point grouped by
region, turned by operator presence and link reports without a reload; the problem filter and the
diacritic-insensitive search; the attendance table updated in place and sorted by any column."""
from __future__ import annotations

import asyncio
import re
import time
from email.utils import formatdate
from typing import Any

import pytest
from playwright.async_api import Page, Route, expect

from server.simulate.loopback import Server
from tests.support.browser import LIVE_TIMEOUT_MS, Open, assert_not_reloaded, catalog, mark
from tests.support.http import Call
from tests.support.realtime import Listen

VI = catalog("vi")
REGIONS = ["Lâm Đồng", "Đồng Tháp", "Quảng Ninh", "Thừa Thiên Huế"]


async def add_points(call: Call, s: Server, count: int = 40) -> None:
    async def add(i: int) -> None:
        region = REGIONS[i % len(REGIONS)]
        body = {
            "code": f"T{i:02d}",
            "name": f"Điểm cầu {region} {i // len(REGIONS) + 1}",
            "region": region,
            "is_host": False,
        }
        reply = await call("POST", s.api("/points"), s.tokens["admin"], json=body)
        assert reply.status == 201, reply.body

    # At once, as a secretariat's import would: the server commits concurrent writes together.
    await asyncio.gather(*(add(i) for i in range(count)))


async def sheet(call: Call, s: Server) -> dict[str, dict[str, Any]]:
    """The attendance rows by point code."""
    rows = (await call("GET", s.api("/attendance"), s.tokens["chair"])).body["points"]
    return {row["code"]: row for row in rows}


@pytest.fixture
async def chair(demo_server: Server, call: Call, open_console: Open) -> Page:
    """The chair console of a demo workshop with 40 more points in four more regions, open on its points pane."""
    await add_points(call, demo_server)
    page = await open_console(demo_server, demo_server.tokens["chair"], f"/chair/{demo_server.conference_id}#diem-cau")
    await mark(page)
    return page


def tile(page: Page, point_id: int) -> Any:
    return page.locator(f'.point-tile[data-point-id="{point_id}"]')


def row(page: Page, point_id: int) -> Any:
    return page.locator(f'#attendance-rows tr[data-point-id="{point_id}"]')


async def check_in(call: Call, s: Server, code: str, count: int) -> None:
    token = s.tokens["operators"][code]
    people = (await call("GET", s.api("/participants"), token)).body["items"]
    for person in people[:count]:
        reply = await call("POST", s.api("/checkins"), token, json={"participant_id": person["id"]})
        assert reply.status in (200, 201), reply.body


async def test_a_tile_per_point_grouped_by_region(demo_server: Server, chair: Page, call: Call) -> None:
    s = demo_server
    rows = await sheet(call, s)
    await expect(chair.locator(".point-tile")).to_have_count(len(rows))
    host_region = next(r["region"] for r in rows.values() if r["is_host"])
    await expect(chair.locator(".point-group").first).to_have_attribute("data-region", host_region)
    for region in {r["region"] for r in rows.values()}:
        group = chair.locator(f'.point-group[data-region="{region}"]')
        members = [r for r in rows.values() if r["region"] == region]
        await expect(group.locator("h3")).to_have_text(region)
        await expect(group.locator(".point-tile")).to_have_count(len(members))
        present, expected = 0, sum(r["expected"] for r in members)
        await expect(group.locator("summary .meta")).to_have_text(
            VI["points.group_counts"].format(
                points=len(members), present=present, expected=expected, problems=len(members)
            )
        )
    hgi = rows["HGI"]
    await expect(tile(chair, hgi["point_id"])).to_contain_text(f"0/{hgi['expected']}")

    # A point added while the chair watches joins the grid, in a region of its own, and the region filter.
    reply = await call(
        "POST",
        s.api("/points"),
        s.tokens["admin"],
        json={"code": "CMU", "name": "Điểm cầu Cà Mau", "region": "Cà Mau", "is_host": False},
    )
    await expect(chair.locator('.point-group[data-region="Cà Mau"] .point-tile')).to_have_count(
        1, timeout=LIVE_TIMEOUT_MS
    )
    await expect(tile(chair, reply.body["id"])).to_have_attribute("data-operator", "none")
    await expect(chair.locator("#points-region option", has_text="Cà Mau")).to_have_count(1)
    await expect(row(chair, reply.body["id"])).to_be_attached()

    await chair.locator("#points-region").select_option(label="Đồng Tháp")
    await expect(chair.locator(".point-tile:visible")).to_have_count(10)
    await expect(chair.locator('.point-group[data-region="Lâm Đồng"]')).to_be_hidden()

    # A folded region keeps only its heading.
    await chair.locator("#points-region").select_option(index=0)
    await chair.locator('.point-group[data-region="Lâm Đồng"] summary').click()
    await expect(chair.locator('.point-group[data-region="Lâm Đồng"] .point-tile').first).to_be_hidden()
    await assert_not_reloaded(chair)


async def test_operator_presence_turns_the_tile(demo_server: Server, chair: Page, call: Call, listen: Listen) -> None:
    s = demo_server
    hgi = (await sheet(call, s))["HGI"]["point_id"]
    hgi_tile = tile(chair, hgi)
    await expect(hgi_tile).to_have_attribute("data-operator", "none")
    await expect(hgi_tile.locator(".tile-operators")).to_have_text(VI["points.no_operator"])

    operator = await listen(s, s.tokens["operators"]["HGI"])

    await expect(hgi_tile).to_have_attribute("data-operator", "online", timeout=LIVE_TIMEOUT_MS)
    await expect(hgi_tile.locator(".tile-operators")).to_have_text(VI["points.operators_online"].format(n=1))

    await operator.client.disconnect()

    # Within the minute's grace the point is not called unstaffed, nor shown as online.
    await expect(hgi_tile).to_have_attribute("data-operator", "away", timeout=LIVE_TIMEOUT_MS)
    await expect(hgi_tile.locator(".tile-operators")).to_have_text(VI["points.operator_away"])
    await assert_not_reloaded(chair)


async def test_a_point_left_unstaffed_for_a_minute_turns_without_an_event(
    demo_server: Server, call: Call, open_console: Open, listen: Listen
) -> None:
    """The console counts time by the server's clock (the Date of its API answers): a server clock 55 s ahead
    makes the operator's departure a minute old five seconds after it happened, with no event to say so."""
    s = demo_server
    hgi = (await sheet(call, s))["HGI"]["point_id"]
    operator = await listen(s, s.tokens["operators"]["HGI"])

    async def clock_ahead(route: Route) -> None:
        response = await route.fetch()
        await route.fulfill(
            response=response, headers={**response.headers, "date": formatdate(time.time() + 55, usegmt=True)}
        )

    page = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    await page.route("**/api/v1/**", clock_ahead)
    await page.reload()
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)
    await expect(tile(page, hgi)).to_have_attribute("data-operator", "online")
    await mark(page)

    await operator.client.disconnect()
    await expect(tile(page, hgi)).to_have_attribute("data-operator", "none", timeout=15_000)
    await expect(tile(page, hgi).locator(".tile-operators")).to_have_text(VI["points.no_operator"])
    await assert_not_reloaded(page)


async def test_a_link_down_turns_red_and_counts_as_a_problem(
    demo_server: Server, chair: Page, call: Call, listen: Listen
) -> None:
    s = demo_server
    rows = await sheet(call, s)
    hgi, cto = rows["HGI"]["point_id"], rows["CTO"]["point_id"]
    # Staffed and not reporting trouble: the one kind of point the problem filter leaves out.
    await listen(s, s.tokens["operators"]["CTO"])
    await expect(tile(chair, cto)).to_have_attribute("data-operator", "online", timeout=LIVE_TIMEOUT_MS)

    reply = await call(
        "POST",
        s.api(f"/points/{hgi}/status"),
        s.tokens["operators"]["HGI"],
        json={"link": "down", "note": "Mất hình từ 8:05"},
    )
    assert reply.status == 200, reply.body

    await expect(tile(chair, hgi)).to_have_attribute("data-link", "down", timeout=LIVE_TIMEOUT_MS)
    await expect(tile(chair, hgi)).to_have_css("border-left-color", "rgb(180, 35, 24)")
    await expect(tile(chair, hgi)).to_have_attribute("title", re.compile("Mất hình từ 8:05"))
    await expect(row(chair, hgi).locator(".link-badge")).to_have_text(VI["link.down"])

    await chair.locator('input[name="points-filter"][value="problems"]').check()

    await expect(tile(chair, hgi)).to_be_visible()
    await expect(tile(chair, cto)).to_be_hidden()
    await expect(chair.locator('.point-group[data-region="Cần Thơ"]')).to_be_hidden()
    await expect(chair.locator(".point-tile:visible")).to_have_count(len(rows) - 1)
    await assert_not_reloaded(chair)


async def test_search_ignores_diacritics(demo_server: Server, chair: Page, call: Call) -> None:
    hgi = (await sheet(call, demo_server))["HGI"]["point_id"]
    search = chair.locator("#points-search")

    for query in ["hau giang", "HẬU GIANG", "hgi"]:
        await search.fill(query)
        await expect(chair.locator(".point-tile:visible")).to_have_count(1)
        await expect(tile(chair, hgi)).to_be_visible()
        await expect(tile(chair, hgi)).to_contain_text("Điểm cầu Hậu Giang")

    await search.fill("dong thap")
    await expect(chair.locator(".point-tile:visible")).to_have_count(10)
    await search.fill("không có điểm này")
    await expect(chair.locator("#points-empty")).to_be_visible()
    await search.fill("")
    await expect(chair.locator("#points-empty")).to_be_hidden()


async def test_a_check_in_updates_its_row_and_the_totals_live(
    demo_server: Server, chair: Page, call: Call, open_console: Open
) -> None:
    s = demo_server
    hgi = (await sheet(call, s))["HGI"]
    await expect(chair.locator("#present-total")).to_have_text("0")

    await check_in(call, s, "HGI", 1)

    await expect(row(chair, hgi["point_id"]).locator("td").nth(1)).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
    await expect(chair.locator("#present-total")).to_have_text("1")
    await expect(chair.locator('tfoot [data-total="invited_present"]')).to_have_text("1")
    await expect(chair.locator('tfoot [data-total="absent"]')).to_have_text(
        str(sum(r["expected"] for r in (await sheet(call, s)).values()) - 1)
    )
    await expect(row(chair, hgi["point_id"]).locator("td").nth(8)).to_have_text(re.compile(r"^\d\d:\d\d$"))
    await expect(tile(chair, hgi["point_id"]).locator(".tile-count")).to_contain_text(f"1/{hgi['expected']}")

    # A stand-in and a guest join the people in the room, never the invited delegates present: not on the chair's
    # tile, its region's count, the table or the totals, nor on the big screen.
    display = await open_console(s, s.tokens["display"])
    operator = s.tokens["operators"]["HGI"]
    absent = (await call("GET", s.api("/participants"), operator)).body["items"][1]
    for body in ({"full_name": "Trần Văn Thay", "substitute_for": absent["id"]}, {"full_name": "Lê Thị Khách"}):
        assert (await call("POST", s.api("/checkins"), operator, json=body)).status == 201
    everyone = sum(r["expected"] for r in (await sheet(call, s)).values())
    cells = row(chair, hgi["point_id"]).locator("td")
    await expect(cells.nth(7)).to_have_text("3", timeout=LIVE_TIMEOUT_MS)
    # expected, invited present, rate, represented, absent, substitutes, walk-ins, people: one event paints them all.
    assert (await cells.all_inner_texts())[:8] == [
        str(hgi["expected"]),
        "1",
        "9%",
        "1",
        str(hgi["expected"] - 2),
        "1",
        "1",
        "3",
    ]
    await expect(tile(chair, hgi["point_id"]).locator(".tile-count")).to_have_text(f"1/{hgi['expected']} · 9% · +2")
    await expect(chair.locator("#present-total")).to_have_text("1")
    await expect(chair.locator("#people-total")).to_have_text("3")
    await expect(chair.locator('tfoot [data-total="absent"]')).to_have_text(str(everyone - 2))
    region = tile(chair, hgi["point_id"]).locator("xpath=ancestor::details").locator("summary .meta")
    await expect(region).to_contain_text("có mặt 1/")
    await expect(display.locator("#present")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
    await expect(display.locator("#expected")).to_have_text(str(everyone))
    await expect(display.locator("#attendance-guests")).to_have_text(
        VI["display.guests"].format(substitutes=1, walk_ins=1)
    )
    await assert_not_reloaded(chair)


async def test_the_table_sorts_by_any_column(demo_server: Server, chair: Page, call: Call) -> None:
    s = demo_server
    await check_in(call, s, "HGI", 3)
    await check_in(call, s, "CTO", 1)
    rows = await sheet(call, s)
    await expect(chair.locator("#present-total")).to_have_text("4", timeout=LIVE_TIMEOUT_MS)
    present_header = chair.locator('th[data-sort="invited_present"]')

    async def order() -> list[str]:
        return list(
            await chair.locator("#attendance-rows tr").evaluate_all("(trs) => trs.map((tr) => tr.dataset.pointId)")
        )

    await present_header.locator("button").click()
    await expect(present_header).to_have_attribute("aria-sort", "descending")
    ids = await order()
    assert ids[:2] == [str(rows["HGI"]["point_id"]), str(rows["CTO"]["point_id"])]

    await present_header.locator("button").click()
    await expect(present_header).to_have_attribute("aria-sort", "ascending")
    ids = await order()
    assert ids[-2:] == [str(rows["CTO"]["point_id"]), str(rows["HGI"]["point_id"])]

    # A sorted table keeps its order as counts move: four at An Giang put it last, above Hậu Giang's three.
    await check_in(call, s, "AGG", 4)
    await expect(chair.locator("#attendance-rows tr").last).to_have_attribute(
        "data-point-id", str(rows["AGG"]["point_id"]), timeout=LIVE_TIMEOUT_MS
    )

    # Names sort in Vietnamese order: Đ between D and E, so Đồng Tháp comes before Lâm Đồng.
    name_header = chair.locator('th[data-sort="name"]')
    await name_header.locator("button").click()
    await expect(name_header).to_have_attribute("aria-sort", "ascending")
    await expect(present_header).not_to_have_attribute("aria-sort", re.compile(".*"))
    names = await chair.locator("#attendance-rows tr th").evaluate_all(
        "(ths) => ths.map((th) => th.firstChild.textContent)"
    )
    assert names.index("Điểm cầu Đồng Tháp 1") < names.index("Điểm cầu Lâm Đồng 1") < names.index("Điểm cầu Lâm Đồng 2")


async def test_before_close_the_chair_checks_the_record_and_strikes_a_mistaken_stay(
    demo_server: Server, chair: Page, call: Call
) -> None:
    s = demo_server
    hgi = s.tokens["operators"]["HGI"]
    people = (await call("GET", s.api("/participants"), hgi)).body["items"]
    here, mistaken = people[0], people[1]
    for person in (here, mistaken):
        assert (await call("POST", s.api("/checkins"), hgi, json={"participant_id": person["id"]})).status == 201
    # Checked out again at once: too late for the operator's undo in a real day, so the chair strikes it.
    assert (await call("DELETE", s.api(f"/checkins/{mistaken['id']}"), hgi)).status == 200
    # A stand-in, a guest and an absence reason: every part of the sentence is said.
    for body in ({"full_name": "Trần Văn Thay", "substitute_for": people[2]["id"]}, {"full_name": "Lê Thị Khách"}):
        assert (await call("POST", s.api("/checkins"), hgi, json=body)).status == 201
    assert (
        await call("PATCH", s.api(f"/participants/{people[3]['id']}"), hgi, json={"absence_reason": "Ốm"})
    ).status == 200
    rows = await sheet(call, s)
    expected = sum(r["expected"] for r in rows.values())
    point = rows["HGI"]["name"]

    await chair.get_by_role("tab", name=VI["chair.pane_ket-luan"]).click()
    sentence = chair.locator("#record-sentence")
    await expect(sentence).to_contain_text(f"Có mặt 2/{expected} đại biểu được triệu tập")
    await chair.get_by_role("button", name=VI["record.show_stays_of"].format(point=point)).click()
    await expect(chair.locator("#record-stays h3")).to_have_text(VI["record.stays_at"].format(point=point))
    await chair.get_by_role("button", name=VI["record.strike_of"].format(name=mistaken["full_name"])).click()
    reason = chair.get_by_label(VI["record.reason"])
    await expect(reason).to_be_focused()
    await chair.get_by_role("button", name=VI["record.strike_confirm"]).click()
    # The reason is required: nothing is sent without one.
    await expect(reason).to_be_focused()
    await reason.fill("Bấm nhầm người")
    await reason.press("Enter")
    await expect(chair.locator("#notice")).to_contain_text(VI["record.done_strike"].format(name=mistaken["full_name"]))
    # The chair reads the record's own words: its closing statement's sentence, word for word.
    generated = (await call("GET", s.api("/closing-statement"), s.tokens["chair"])).body["generated"]
    match = re.search(r"Tham dự Hội thảo: (có mặt 1/.+)\.$", generated, re.M)
    assert match, generated
    said = "C" + match[1][1:] + "."
    assert f"; 1 đại biểu dự thay; 1 khách mời; vắng {expected - 2} đại biểu (có lý do: 1)." in said
    await expect(sentence).to_have_text(said)
    struck = chair.locator("#record-stays tr.is-struck")
    await expect(struck).to_have_count(1)
    await expect(struck).to_contain_text("Đã gạch khỏi biên bản: Bấm nhầm người")
    trail = (await call("GET", s.api("/audit"), s.tokens["chair"])).body["items"]
    correction = f"Bỏ lượt có mặt của {mistaken['full_name']} ({point}) khỏi biên bản: Bấm nhầm người"
    assert [(e["sentence"], e["actor_name"]) for e in trail if e["action"] == "attendance.correct"] == [
        (correction, "Trần Quốc Tỏ")
    ]
    # Asked to close, the chair reads the attendance the record will state; Escape leaves it open.
    await call("POST", s.api("/open"), s.tokens["chair"])
    await chair.locator("#conference-close").click()
    dialog = chair.locator("dialog[open]")
    await expect(dialog).to_contain_text(f"Biên bản sẽ ghi: {said}")
    await chair.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    assert (await call("GET", s.api(""), s.tokens["chair"])).body["status"] == "open"
    await assert_not_reloaded(chair)
