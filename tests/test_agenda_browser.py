"""The live agenda and the speaking queue in a real Chromium against a real server: the chair's skip, back and
extensions reach the display and move the projected end, and a listing read before an extension does not draw the
old time; a second chair's move is caught, not repeated; a speech counts down on the display and turns to overrun
(on Playwright's clock, not by sleeping); the quota is set and enforced in the chair's console; the admin's edits
reach the chair without a reload; a bad agenda file gets a row report and adds nothing."""
from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, Route, WebSocketRoute, expect

from server.simulate.loopback import Server
from tests.support.api import ask, present_at_hgi
from tests.support.browser import LIVE_TIMEOUT_MS, Open, assert_fits_projectors, assert_not_reloaded, catalog, mark
from tests.support.http import Call

VI = catalog("vi")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The page's repeating timers, counted: after the close none may be left ticking.
COUNTED_INTERVALS = """
window.intervals = new Set();
const setEvery = window.setInterval.bind(window);
const clearEvery = window.clearInterval.bind(window);
window.setInterval = (...args) => { const id = setEvery(...args); window.intervals.add(id); return id; };
window.clearInterval = (id) => { window.intervals.delete(id); clearEvery(id); };
"""


async def agenda(call: Call, s: Server) -> dict[str, Any]:
    return (await call("GET", s.api("/agenda"), s.tokens["chair"])).body


def hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZONE).strftime("%H:%M")


def item_row(page: Page, item_id: int) -> Locator:
    return page.locator(f'#agenda [data-item-id="{item_id}"]')


def about(minutes: int) -> re.Pattern[str]:
    """A time left of `minutes` less the few seconds a test takes."""
    return re.compile(rf"^({minutes - 1:02d}:[0-5]\d|{minutes:02d}:00)$")


def seconds(mm_ss: str) -> int:
    minutes, secs = mm_ss.split(":")
    return int(minutes) * 60 + int(secs)


async def test_skip_back_and_extend_reach_the_display(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    first, report, third = (await agenda(call, s))["items"][:3]
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    display = await open_console(s, s.tokens["display"])
    await mark(display)

    await chair.locator("#agenda-next").click()
    await expect(display.locator("#current-item")).to_have_text(first["title"], timeout=LIVE_TIMEOUT_MS)
    await item_row(chair, report["id"]).get_by_role("button", name=VI["agenda.skip"], exact=True).click()
    await expect(item_row(chair, report["id"])).to_have_class(re.compile("status-skipped"))
    await expect(display.locator("#next-items .next-title").first).to_have_text(third["title"], timeout=LIVE_TIMEOUT_MS)

    await chair.locator("#agenda-next").click()
    await expect(display.locator("#current-item")).to_have_text(third["title"], timeout=LIVE_TIMEOUT_MS)

    await chair.locator("#agenda-back").click()
    await expect(display.locator("#current-item")).to_have_text(report["title"], timeout=LIVE_TIMEOUT_MS)
    await expect(chair.locator("#live-item-title")).to_have_text(report["title"])
    assert [i["status"] for i in (await agenda(call, s))["items"][:3]] == ["done", "live", "pending"]

    before = (await agenda(call, s))["schedule"]["projected_end"]
    await expect(chair.locator("#projected-end")).to_contain_text(hhmm(before))
    plan = await chair.locator("#agenda .agenda-time").all_text_contents()
    planned_end = await chair.locator("#planned-end").text_content()
    await chair.locator("#extend-five").click()
    await expect(chair.locator('#live-clock [data-part="allowed"]')).to_have_text(
        f"{report['planned_minutes'] + 5:02d}:00"
    )
    after = (await agenda(call, s))["schedule"]["projected_end"]
    assert datetime.fromisoformat(after) - datetime.fromisoformat(before) == timedelta(minutes=5)
    await expect(chair.locator("#projected-end")).to_contain_text(hhmm(after))
    # The plan is shown apart from the projection and does not move: only the projection took the five minutes.
    await expect(chair.locator("#agenda .agenda-time")).to_have_text(plan)
    await expect(chair.locator("#planned-end")).to_have_text(planned_end or "")

    await chair.locator('#extend-form input[name="minutes"]').fill("3")
    await chair.locator("#extend-form").get_by_role("button", name=VI["agenda.extend"], exact=True).click()
    allowed = report["planned_minutes"] + 8
    await expect(chair.locator('#live-clock [data-part="allowed"]')).to_have_text(f"{allowed:02d}:00")
    remaining = display.locator('#item-clock [data-part="remaining"]')
    await expect(remaining).to_have_text(about(allowed), timeout=LIVE_TIMEOUT_MS)
    await expect(display.locator("#item-clock")).to_have_attribute("data-state", "running")
    await expect(display.locator("body")).to_have_attribute("data-mode", "agenda")
    await assert_fits_projectors(display)
    await assert_not_reloaded(display)


async def test_a_listing_read_before_an_extension_does_not_draw_the_old_time(
    demo_server: Server, open_console: Open, call: Call,
) -> None:
    s = demo_server
    first = (await agenda(call, s))["items"][0]
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    asked, release, again = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def hold_the_first(route: Route) -> None:
        if asked.is_set():
            again.set()
            await route.continue_()
            return
        listing = await route.fetch()
        asked.set()
        await release.wait()
        await route.fulfill(response=listing)

    listings = re.compile(r"/agenda$")
    await chair.route(listings, hold_the_first)
    # The start is heard, and the console asks for the agenda again: that listing is read, then held.
    await call("POST", s.api(f"/agenda/{first['id']}/start"), s.tokens["chair"])
    await asyncio.wait_for(asked.wait(), LIVE_TIMEOUT_MS / 1000)
    allowed = chair.locator('#live-clock [data-part="allowed"]')
    await chair.locator("#extend-five").click()
    await expect(allowed).to_have_text(f"{first['planned_minutes'] + 5:02d}:00", timeout=LIVE_TIMEOUT_MS)
    release.set()
    # The held listing crossed the extension: it is not drawn, and the agenda is read again.
    await asyncio.wait_for(again.wait(), LIVE_TIMEOUT_MS / 1000)
    await expect(allowed).to_have_text(f"{first['planned_minutes'] + 5:02d}:00")


async def test_a_move_by_another_chair_is_not_repeated(demo_server: Server, open_console: Open, call: Call) -> None:
    """The chair's console misses the other chair's move (its live events are held back), presses next, and is
    told what happened instead of moving the agenda a second time."""
    s = demo_server
    first = (await agenda(call, s))["items"][0]
    open_console.expect_refusal(409)
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    held: list[tuple[WebSocketRoute, str | bytes]] = []
    holding = [False]

    def relay(page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()
        page_side.on_message(server_side.send)

        def down(message: str | bytes) -> None:
            # Socket.IO events are "42…" frames; the engine's pings pass, so the connection stays up.
            if holding[0] and isinstance(message, str) and message.startswith("42"):
                held.append((page_side, message))
            else:
                page_side.send(message)

        server_side.on_message(down)

    await chair.route_web_socket(re.compile(r"/socket\.io/"), relay)
    await chair.reload()
    await expect(chair.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)

    holding[0] = True
    moved = await call("POST", s.api("/agenda/next"), s.tokens["chair"], json={"expected_current_id": None})
    assert moved.body["current"]["id"] == first["id"]
    await expect(chair.locator("#live-item")).to_be_hidden()
    await chair.locator("#agenda-next").click()

    await expect(chair.locator("#notice")).to_have_text(VI["chair.agenda_conflict"])
    await expect(chair.locator("#live-item-title")).to_have_text(first["title"])
    assert [i["status"] for i in (await agenda(call, s))["items"][:2]] == ["live", "pending"]
    holding[0] = False
    for page_side, message in held:
        page_side.send(message)


async def test_a_speech_counts_down_on_the_display(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    person, other, last = await present_at_hgi(call, s, 3)
    request = await ask(call, s, person)
    waiting = await ask(call, s, other)
    # Still waiting at the close: the floor never comes to this one.
    unreached = await ask(call, s, last)
    # The longest title on the agenda runs while they speak.
    running = max((await agenda(call, s))["items"], key=lambda item: len(item["title"]))
    await call("POST", s.api(f"/agenda/{running['id']}/start"), s.tokens["chair"])
    await call(
        "PATCH", s.api(f"/speaking-requests/{request['id']}"), s.tokens["chair"], json={"time_limit_seconds": 10}
    )
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    display = await open_console(
        s, s.tokens["display"], clock=True, prepare=lambda page: page.add_init_script(COUNTED_INTERVALS)
    )
    await mark(display)
    # The item's clock and the speech's.
    assert await display.evaluate("window.intervals.size") == 2

    await (
        chair.locator(f'#speaking-queue [data-request-id="{request["id"]}"]')
        .get_by_role("button", name=VI["speaking.start"])
        .click()
    )

    countdown = display.locator("#speech-clock")
    await expect(display.locator("#speaker")).to_have_text(person["full_name"], timeout=LIVE_TIMEOUT_MS)
    await expect(countdown).to_be_visible()
    await expect(countdown.locator('[data-part="remaining-label"]')).to_have_text(VI["clock.remaining"])
    start = seconds(await countdown.locator('[data-part="remaining"]').inner_text())
    assert 7 <= start <= 10
    await display.clock.run_for(4000)
    later = seconds(await countdown.locator('[data-part="remaining"]').inner_text())
    # Not exactly four: the page reads the server's clock from a Date header, to the second.
    assert start - 5 <= later <= start - 2

    await display.clock.run_for(9000)
    await expect(countdown).to_have_attribute("data-state", "overrun")
    await expect(countdown.locator('[data-part="remaining-label"]')).to_have_text(VI["clock.overrun"])
    assert 1 <= seconds(await countdown.locator('[data-part="remaining"]').inner_text()) <= 8

    # The chair gives more time from its console; the display counts down again.
    speaking_row = chair.locator(f'#speaking-queue [data-request-id="{request["id"]}"]')
    await speaking_row.locator(".limit-edit summary").click()
    await speaking_row.locator('input[name="minutes"]').fill("2")
    await speaking_row.get_by_role("button", name=VI["form.save"]).click()
    await expect(countdown).to_have_attribute("data-state", "running", timeout=LIVE_TIMEOUT_MS)
    await expect(countdown.locator('[data-part="remaining"]')).to_have_text(re.compile(r"^01:[0-5]\d$"))
    assert (await call("GET", s.api("/speaking-requests"), s.tokens["chair"])).body["items"][0][
        "time_limit_seconds"
    ] == 120

    # A kiosk: no header, language switch or sign-out; the speech fills the screen, the item's clock gives way.
    await expect(display.locator("body")).to_have_attribute("data-mode", "speech")
    await expect(display.locator("header, .lang-switch, #logout")).to_have_count(0)
    await expect(display.locator("#item-clock")).to_be_hidden()
    await expect(display.locator(".display-panels")).to_be_hidden()
    # One countdown, and the speaker's panel takes most of the screen.
    await expect(display.locator(".clock:visible")).to_have_count(1)
    share = await display.locator(".display-speaker").evaluate("(e) => e.getBoundingClientRect().height / innerHeight")
    assert share > 0.6, share
    await assert_fits_projectors(display)

    # Starting the next speech while one runs asks first, in the row, and says whose speech ends.
    next_row = chair.locator(f'#speaking-queue [data-request-id="{waiting["id"]}"]')
    await next_row.get_by_role("button", name=VI["speaking.start"]).click()
    question = next_row.locator(".confirm-inline")
    said = VI["speaking.confirm_start"].replace("{name}", person["full_name"]).replace("{next}", other["full_name"])
    await expect(question.locator("p")).to_have_text(said)
    await expect(question.get_by_role("button", name=VI["speaking.confirm_start_go"])).to_be_focused()
    await chair.keyboard.press("Escape")
    await expect(question).to_have_count(0)
    await expect(display.locator("#speaker")).to_have_text(person["full_name"])
    await next_row.get_by_role("button", name=VI["speaking.start"]).click()
    await question.get_by_role("button", name=VI["speaking.confirm_start_go"]).click()
    await expect(display.locator("#speaker")).to_have_text(other["full_name"], timeout=LIVE_TIMEOUT_MS)

    # The chair closes ("Bế mạc") and confirms. The close ends the speech and the item: a closing screen, and no
    # clock left; the chair's live controls are gone rather than left to be refused.
    projected = chair.locator("#agenda .status-pending .agenda-projected")
    await expect(projected.first).to_be_visible()
    await chair.locator("#conference-close").click()
    await chair.locator("dialog[open]").get_by_role("button", name=VI["chair.close"]).click()
    await expect(chair.locator("#state-region")).to_contain_text(VI["state.ended_title"], timeout=LIVE_TIMEOUT_MS)
    await expect(display.locator("#display-closed")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    await expect(display.locator("body")).to_have_attribute("data-mode", "closed")
    await expect(display.locator("#closed-at")).to_contain_text(VI["display.closed_at"].split("{time}")[0])
    await expect(display.locator(".clock:visible")).to_have_count(0)
    assert await display.evaluate("window.intervals.size") == 0
    await assert_fits_projectors(display)
    for control in (
        "#agenda-next",
        "#agenda-back",
        "#quota-form",
        "#speaking-queue .actions",
        ".agenda-tools",
        "#conference-close",
    ):
        await expect(chair.locator(control).first).to_be_hidden()
    await expect(item_row(chair, running["id"])).to_have_class(re.compile("status-done"))
    await expect(chair.locator(f'#speaking-queue [data-request-id="{unreached["id"]}"] .tag')).to_have_text(
        VI["speaking_status.not_reached"])
    # Nothing is expected any more: the plan stays, the projection of what never ran goes.
    await expect(chair.locator("#planned-end")).to_be_visible()
    await expect(chair.locator("#projected-end")).to_be_hidden()
    await expect(projected.filter(visible=True)).to_have_count(0)
    # The record gives the item that ran at the close its end: the close.
    record = (await call("GET", s.api("/summary.json"), s.tokens["chair"])).body
    ran = next(item for item in record["agenda"] if item["title"] == running["title"])
    assert ran["status"] == "done" and ran["finished_at"] == record["frozen_at"]
    await assert_not_reloaded(display)


async def test_the_quota_is_set_and_enforced_in_the_chairs_console(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    first, second = [await ask(call, s, person) for person in await present_at_hgi(call, s, 2)]
    open_console.expect_refusal(409)
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    row = chair.locator(f'#speaking-queue [data-request-id="{first["id"]}"]')
    await row.get_by_role("button", name=VI["speaking.start"]).click()
    await expect(row.locator(".speech-clock")).to_be_visible()
    await row.get_by_role("button", name=VI["speaking.finish"]).click()
    used = chair.locator("#quota-used li")
    await expect(used).to_have_count(1)
    await expect(used.locator(".used-time")).to_have_text(re.compile(r"^00:0\d$"))

    await chair.locator('#quota-form input[name="minutes"]').fill("0")
    await chair.locator("#quota-form").get_by_role("button", name=VI["form.save"]).click()
    await expect(chair.locator("#notice")).to_have_text(VI["speaking.quota_saved"])
    assert (await call("GET", s.api(), s.tokens["chair"])).body["speaking_quota_seconds"] == 0
    await expect(used).to_have_class("used-up")
    await expect(used.locator(".used-time")).to_have_text(re.compile(r"^00:0\d / 00:00$"))

    await (
        chair.locator(f'#speaking-queue [data-request-id="{second["id"]}"]')
        .get_by_role("button", name=VI["speaking.start"])
        .click()
    )
    said = re.escape(VI["speaking.quota_exhausted"]).replace(re.escape("{point}"), re.escape(second["point"]))
    said = said.replace(re.escape("{used}"), r"00:0\d").replace(re.escape("{quota}"), "00:00")
    await expect(chair.locator("#notice")).to_have_text(re.compile(f"^{said}$"))
    await expect(chair.locator("#notice")).to_have_attribute("data-kind", "error")
    assert (await call("GET", s.api("/speaking-requests"), s.tokens["chair"])).body["items"][-1]["status"] == "queued"


async def test_delegate_and_operator_see_the_current_item_and_its_time(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    first = (await agenda(call, s))["items"][0]
    delegate = await open_console(s, next(iter(s.tokens["delegates"].values())))
    operator = await open_console(s, s.tokens["operators"]["HGI"], lang="en")
    [asking] = await present_at_hgi(call, s, 1)
    await ask(call, s, asking)
    en = catalog("en")
    request = operator.locator("#point-requests li")
    await expect(request).to_contain_text(en["speaking_status.queued"], timeout=LIVE_TIMEOUT_MS)

    await call("POST", s.api(f"/agenda/{first['id']}/start"), s.tokens["chair"])

    for page, messages in ((delegate, VI), (operator, en)):
        await expect(page.locator("#current-item")).to_have_text(first["title"], timeout=LIVE_TIMEOUT_MS)
        clock = page.locator("#current-clock")
        await expect(clock).to_be_visible()
        await expect(clock.locator('[data-part="elapsed"]')).to_have_text(re.compile(r"^00:0\d$"))
        await expect(clock.locator('[data-part="remaining-label"]')).to_have_text(messages["clock.remaining"])
        await expect(clock.locator('[data-part="remaining"]')).to_have_text(about(first["planned_minutes"]))

    await call("POST", s.api(f"/agenda/{first['id']}/finish"), s.tokens["chair"])
    await expect(delegate.locator("#current-clock")).to_be_hidden(timeout=LIVE_TIMEOUT_MS)

    # Closing collection closes the forms that take new input at once, and a banner in a live region says why;
    # the operator still checks people in.
    await call("POST", s.api("/close-collection"), s.tokens["chair"])
    for page, messages, closed, still_open in (
        (delegate, VI, ("#speak-form", "#remark-form", "#comment-form"), ()),
        (operator, en, ("#speak-form",), ("#scan-form", "#walk-in-form", "#substitute-form", "#absence-form")),
    ):
        region = page.locator('#state-region[role="status"]')
        await expect(region).to_contain_text(messages["state.collection_closed_title"], timeout=LIVE_TIMEOUT_MS)
        for form in closed:
            await expect(page.locator(f"{form} button[type=submit]")).to_be_disabled()
        for form in still_open:
            await expect(page.locator(f"{form} button[type=submit]")).to_be_enabled()
    # The close: the workshop has ended, say both, and nothing is left to fill in.
    await call("POST", s.api("/close"), s.tokens["chair"])
    for page, messages in ((delegate, VI), (operator, en)):
        await expect(page.locator("#state-region")).to_contain_text(
            messages["state.ended_title"], timeout=LIVE_TIMEOUT_MS
        )
    # Nothing the record has frozen can be changed from the point any more.
    for form in ("#scan-form", "#walk-in-form", "#substitute-form", "#absence-form"):
        await expect(operator.locator(f"{form} button[type=submit]")).to_be_disabled()
    await expect(operator.locator("#link-form button").first).to_be_disabled()
    await expect(operator.locator("#roster")).to_have_js_property("inert", True)
    # A request still waiting at the close will not be reached, and says so.
    await expect(request).to_contain_text(en["speaking_status.not_reached"])
    await expect(delegate.locator("#current-item")).to_have_text(VI["state.ended_title"])
    # Nothing is "now" any more, on the point's console either.
    await expect(operator.locator("#current-item")).to_have_text(en["state.ended_title"])
    await expect(operator.locator(".now-playing .label")).to_be_hidden()


async def test_the_admins_edits_reach_the_chair_without_a_reload(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    items = (await agenda(call, s))["items"]
    person = (await call("GET", s.api("/participants"), s.tokens["operators"]["HGI"])).body["items"][0]
    admin = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    await mark(chair)
    titles = chair.locator("#agenda .agenda-title")
    title = "Thảo luận bổ sung về Điều 5"

    form = admin.locator("#item-form")
    await form.locator('input[name="title"]').fill(title)
    await form.locator('select[name="kind"]').select_option("discussion")
    await expect(admin.locator(f'#roster-names option[value="{person["full_name"]}"]')).to_be_attached()
    await form.locator('input[name="presenter"]').fill(person["full_name"])
    await form.locator('select[name="point_id"]').select_option(str(person["point_id"]))
    await form.locator('input[name="planned_minutes"]').fill("20")
    await form.locator('input[name="speech_limit_minutes"]').fill("3")
    await form.get_by_role("button", name=VI["form.add"]).click()

    await expect(titles).to_have_text([*(i["title"] for i in items), title], timeout=LIVE_TIMEOUT_MS)
    added = (await agenda(call, s))["items"][-1]
    assert (
        added["kind"],
        added["presenter"],
        added["point_id"],
        added["planned_minutes"],
        added["speech_limit_seconds"],
    ) == ("discussion", person["full_name"], person["point_id"], 20, 180)
    await expect(item_row(chair, added["id"]).locator(".agenda-time")).to_have_text(hhmm(added["planned_start"]))

    await item_row(admin, added["id"]).locator('[data-move="up"]').click()
    await expect(titles).to_have_text(
        [*(i["title"] for i in items[:-1]), title, items[-1]["title"]], timeout=LIVE_TIMEOUT_MS
    )

    await item_row(admin, added["id"]).get_by_role("button", name=VI["agenda.edit"]).click()
    await item_row(admin, added["id"]).locator('input[name="title"]').fill(f"{title} (sửa)")
    await item_row(admin, added["id"]).get_by_role("button", name=VI["form.save"]).click()
    await expect(item_row(chair, added["id"]).locator(".agenda-title")).to_have_text(
        f"{title} (sửa)", timeout=LIVE_TIMEOUT_MS
    )

    # An item a remark refers to stays; the admin is told why.
    open_console.expect_refusal(409)
    delegate = next(iter(s.tokens["delegates"].values()))
    await call(
        "POST",
        s.api("/remarks"),
        delegate,
        json={"title": "Ý kiến", "body": "Nội dung", "agenda_item_id": items[-1]["id"]},
    )
    # Deleting asks first, in the page's words: focus starts on "no", stays in the dialog, and Escape says no.
    delete = item_row(admin, items[-1]["id"]).get_by_role("button", name=VI["agenda.delete"])
    await delete.click()
    asked = admin.get_by_role("dialog")
    await expect(asked).to_contain_text(VI["agenda.confirm_delete"].format(title=items[-1]["title"]))
    await expect(asked.get_by_role("button", name=VI["dialog.cancel"])).to_be_focused()
    await admin.keyboard.press("Tab")
    await expect(asked.get_by_role("button", name=VI["agenda.delete"])).to_be_focused()
    await admin.keyboard.press("Tab")
    await expect(asked.get_by_role("button", name=VI["dialog.cancel"])).to_be_focused()
    await admin.keyboard.press("Escape")
    await expect(asked).to_have_count(0)
    await expect(delete).to_be_focused()
    await delete.click()
    await asked.get_by_role("button", name=VI["agenda.delete"]).click()
    notice = admin.locator("#notice")
    await expect(notice).to_have_text(VI["error.in_use"])
    # An error toast can be dismissed, by its button or by Escape.
    await notice.get_by_role("button", name=VI["notice.close"]).click()
    await expect(notice).to_be_hidden()
    await delete.click()
    await asked.get_by_role("button", name=VI["agenda.delete"]).click()
    # The hidden toast still holds the same text: wait for this refusal to show it again.
    await expect(notice).to_be_visible()
    await expect(notice).to_have_text(VI["error.in_use"])
    await admin.keyboard.press("Escape")
    await expect(notice).to_be_hidden()
    await item_row(admin, added["id"]).get_by_role("button", name=VI["agenda.delete"]).click()
    await asked.get_by_role("button", name=VI["agenda.delete"]).click()
    await expect(titles).to_have_text([i["title"] for i in items], timeout=LIVE_TIMEOUT_MS)
    await assert_not_reloaded(chair)


async def test_a_bad_agenda_file_gets_a_row_report(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    before = (await agenda(call, s))["total"]
    open_console.expect_refusal(422)
    admin = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")
    form = admin.locator("#agenda-import-form")
    bad = "title,kind,planned_minutes,point_code\nGiải lao,break,15,\nHọp tổ,party,abc,HGI\n"
    # The file field speaks the page's language, not the browser's "Choose file / No file chosen".
    await expect(form.locator(".file-button")).to_have_text(VI["file.choose"])
    await expect(form.locator(".file-name")).to_have_text(VI["file.none"])
    await form.locator('input[type="file"]').set_input_files(
        {"name": "agenda.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    await expect(form.locator(".file-name")).to_have_text("agenda.csv")
    await form.get_by_role("button", name=VI["import.run"]).click()

    report = admin.locator("#agenda-import-report")
    await expect(report.locator(".alert")).to_have_text(VI["agenda.import_invalid"])
    await expect(report.locator("tbody tr")).to_have_count(2)
    await expect(report.locator("tbody tr").nth(0).locator("td")).to_have_text(
        ["3", f"{VI['agenda.kind']} (kind)", re.compile("^" + re.escape(VI["import.reason_one_of"].split("{n}")[0]))])
    await expect(report.locator("tbody tr").nth(1).locator("td")).to_have_text(
        ["3", f"{VI['agenda.planned_minutes']} (planned_minutes)", VI["import.reason_not_number"]])
    assert (await agenda(call, s))["total"] == before

    good = "title,kind,planned_minutes\nGiải lao,break,15\n"
    await form.locator('input[type="file"]').set_input_files(
        {"name": "agenda.csv", "mimeType": "text/csv", "buffer": good.encode()}
    )
    await form.get_by_role("button", name=VI["import.run"]).click()
    await expect(admin.locator("#notice")).to_have_text(VI["agenda.imported"].format(n=1))
    await expect(admin.locator("#agenda .agenda-title").last).to_have_text("Giải lao", timeout=LIVE_TIMEOUT_MS)
