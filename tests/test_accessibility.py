"""Every console in its main states passes axe-core's WCAG 2.2 AA rules with no serious or critical violation,
and the things done most often work from the keyboard alone."""
from __future__ import annotations

import re

from playwright.async_api import Page, expect

from server.simulate.loopback import Server
from tests.support.browser import LIVE_TIMEOUT_MS, Open, catalog, violations
from tests.support.http import Call

PHONE = {"width": 390, "height": 844}
PANES = ("dieu-hanh", "hop-thu", "diem-cau", "ket-luan")
VI = catalog("vi")


async def audit(pages: dict[str, Page], state: str) -> list[str]:
    """Each page as it is; the chair's console pane by pane, since a hidden pane is not checked."""
    found = []
    for name, page in pages.items():
        if name != "chair":
            found += [f"{state}, {name}: {line}" for line in await violations(page)]
            continue
        for pane in PANES:
            await page.locator(f"#tab-{pane}").click()
            await expect(page.locator(f"#pane-{pane}")).to_be_visible()
            found += [f"{state}, chair {pane}: {line}" for line in await violations(page)]
    return found


async def phone(page: Page) -> Page:
    await page.set_viewport_size(PHONE)
    return page


async def test_every_console_passes_axe_before_during_and_after_the_workshop(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s, t = demo_server, demo_server.tokens
    delegate_id, delegate_token = next(iter(t["delegates"].items()))
    pages = {
        "admin": await open_console(s, t["admin"], f"/admin/{s.conference_id}"),
        "chair": await open_console(s, t["chair"], f"/chair/{s.conference_id}"),
        "operator on a phone": await phone(await open_console(s, t["operators"]["HGI"])),
        "delegate on a phone": await phone(await open_console(s, delegate_token)),
        "display": await open_console(s, t["display"]),
    }
    # The display's three looks (the agenda, a speech, the closing screen) are each met below, at 1920×1080.
    await pages["display"].set_viewport_size({"width": 1920, "height": 1080})
    await expect(pages["display"].locator("body")).to_have_attribute("data-mode", "agenda")
    found = await audit(pages, "before opening")
    # The admin's page changes little as the workshop runs; the others are audited live and after close.
    pages.pop("admin")

    # Live: an item running, someone checked in, a delegate given the floor, a comment in the chair's inbox.
    chair = t["chair"]
    await call("POST", s.api("/open"), chair)
    await call("POST", s.api("/agenda/next"), chair, json={"expected_current_id": None})
    me = int(delegate_id)
    points = {p["id"]: p["code"] for p in (await call("GET", s.api("/points"), chair)).body["items"]}
    people = (await call("GET", s.api("/participants?limit=1000"), chair)).body["items"]
    point_code = points[next(p["point_id"] for p in people if p["id"] == me)]
    await call("POST", s.api("/checkins"), t["operators"][point_code], json={"participant_id": me})
    request = (await call("POST", s.api("/speaking-requests"), delegate_token, json={"topic": "Về Điều 8"})).body
    await call("PATCH", s.api(f"/speaking-requests/{request['id']}"), chair, json={"status": "speaking"})
    reply = await call(
        "POST", s.api("/comments"), delegate_token, json={"body": "Đề nghị làm rõ trách nhiệm phối hợp."}
    )
    assert reply.status == 201, reply.body
    await expect(pages["display"].locator("body")).to_have_attribute("data-mode", "speech", timeout=LIVE_TIMEOUT_MS)
    await expect(pages["delegate on a phone"].locator("#turn-banner")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    await expect(pages["chair"].locator("#live-item")).not_to_have_attribute("hidden", "", timeout=LIVE_TIMEOUT_MS)
    await pages["chair"].locator("#tab-ket-luan").click()
    await expect(pages["chair"].locator("#record-sentence")).not_to_be_empty()
    found += await audit(pages, "live")

    await call("POST", s.api("/close"), chair)
    for page in pages.values():
        await expect(page.locator("#state-region, #display-closed").first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    await expect(pages["display"].locator("body")).to_have_attribute("data-mode", "closed")
    found += await audit(pages, "closed")
    assert not found, "\n".join(found)


async def test_the_pages_besides_the_consoles_pass_axe(demo_server: Server, open_console: Open, call: Call) -> None:
    """Every stylesheet's colours: the sign-in and home pages, the record (summary.css), a point's badge sheet
    (badges.css), the printable invitation sheet, a confirmation dialog and an error toast."""
    s = demo_server
    page = await open_console(s, s.tokens["display"])
    found = []
    for path in ("/login", "/"):
        await page.context.clear_cookies()
        await page.goto(s.base_url + path)
        found += await violations(page)

    open_console.expect_refusal(409)
    admin = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")
    hgi = next(p for p in (await call("GET", s.api("/points"), s.tokens["admin"])).body["items"] if p["code"] == "HGI")
    record = await admin.context.new_page()
    for path in (f"/api/v1/conferences/{s.conference_id}/summary.html", f"/admin/{s.conference_id}/badges/{hgi['id']}"):
        await record.goto(s.base_url + path)
        found += await violations(record)

    # An error toast (a point code already taken) and a confirmation dialog over the set-up page.
    form = admin.locator("#point-form")
    await form.locator("[name=code]").fill("HGI")
    await form.locator("[name=name]").fill("Điểm cầu trùng mã")
    await form.locator("button[type=submit]").click()
    await expect(admin.locator("#notice")).to_have_attribute("data-kind", "error")
    found += [f"error toast: {line}" for line in await violations(admin, "#notice")]
    await admin.locator("#agenda [data-action], #agenda button").filter(has_text=VI["agenda.delete"]).first.click()
    await expect(admin.get_by_role("dialog")).to_be_visible()
    found += [f"dialog: {line}" for line in await violations(admin, "dialog")]
    await admin.keyboard.press("Escape")

    await admin.locator("#sheet-open").click()
    await expect(admin.locator("#sheet img.sheet-qr").first).to_be_visible()
    found += [f"invitation sheet: {line}" for line in await violations(admin, "#sheet")]
    assert not found, "\n".join(found)


async def tab_to(page: Page, found: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches the JS predicate `found` (given `el`), as a keyboard user would."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean(el && ({found})); }})()"):
            return
    raise AssertionError(f"{found} is not reachable with Tab within {limit} presses")


async def test_an_operator_checks_someone_in_from_the_keyboard_alone(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    hgi = s.tokens["operators"]["HGI"]
    await call("POST", s.api("/open"), s.tokens["chair"])
    person = (await call("GET", s.api("/participants"), hgi)).body["items"][3]
    page = await open_console(s, hgi)
    await tab_to(page, "el.id === 'roster-search'")
    await page.keyboard.type(person["full_name"])
    await tab_to(page, f"el.dataset.action === 'check-in' && el.closest('[data-id=\"{person['id']}\"]')")
    await page.keyboard.press("Enter")
    row = page.locator(f'#roster [data-id="{person["id"]}"]')
    await expect(row).to_have_class(re.compile("is-present"))
    await expect(row).to_have_attribute("data-sync", "synced", timeout=LIVE_TIMEOUT_MS)
    here = (await call("GET", s.api(f"/participants?q={person['full_name']}"), hgi)).body["items"]
    assert any(p["id"] == person["id"] and p["present"] for p in here)


async def test_the_chair_runs_the_agenda_and_rules_from_the_keyboard_alone(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s, t = demo_server, demo_server.tokens
    chair = t["chair"]
    await call("POST", s.api("/open"), chair)
    delegate = next(iter(t["delegates"].values()))
    comment = (
        await call("POST", s.api("/comments"), delegate, json={"body": "Đề nghị bổ sung thời hạn phối hợp."})
    ).body
    page = await open_console(s, chair, f"/chair/{s.conference_id}")

    # The agenda: Tab to "Tiếp theo", Enter starts the first item.
    await tab_to(page, "el.id === 'agenda-next'")
    await page.keyboard.press("Enter")
    await expect(page.locator("#notice")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    agenda = (await call("GET", s.api("/agenda"), chair)).body["items"]
    assert agenda[0]["status"] == "live"

    # The inbox: Tab to the tabs, arrow to "Hộp thư", then to the comment's first ruling, Space, a response, Enter.
    await tab_to(page, "el.getAttribute('role') === 'tab'")
    await page.keyboard.press("ArrowRight")
    await expect(page.locator("#tab-hop-thu")).to_have_attribute("aria-selected", "true")
    await expect(page.locator("#tab-hop-thu")).to_be_focused()
    await tab_to(page, f"el.type === 'radio' && el.closest('[data-id=\"{comment['id']}\"]')", limit=120)
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Tiếp thu, bổ sung thời hạn.")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator("#notice")).to_contain_text("Đã lưu", timeout=LIVE_TIMEOUT_MS)
    ruled = next(c for c in (await call("GET", s.api("/comments"), chair)).body["items"] if c["id"] == comment["id"])
    assert (ruled["disposition"], ruled["response"]) == ("accepted", "Tiếp thu, bổ sung thời hạn.")
