"""Every console in its main states passes axe-core's WCAG 2.2 AA rules with no serious or critical violation,
and the things done most often work from the keyboard alone."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import Call, Server
from tests.test_browser import LIVE_TIMEOUT_MS, Open, browser, open_console

# Fixtures used by name in the tests below.
__all__ = ["browser", "open_console"]

AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}


async def violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: scripts/install test installs web/ with its development packages")
    # Evaluated, not added as a script tag: the pages' Content-Security-Policy refuses inline scripts.
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", RULES
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at {', '.join(n['target'][0] for n in v['nodes'][:5])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def audit(pages: dict[str, Page], state: str) -> list[str]:
    found = []
    for name, page in pages.items():
        found += [f"{state}, {name}: {line}" for line in await violations(page)]
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
    # The admin's pages change little as the workshop runs; the others are audited live and after close.
    admin = pages.pop("admin")
    found = await audit({"admin": admin}, "before opening")

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
    reply = await call("POST", s.api("/comments"), delegate_token, json={"body": "Đề nghị làm rõ trách nhiệm phối hợp."})
    assert reply.status == 201, reply.body
    await expect(pages["display"].locator("body")).to_have_attribute("data-mode", "speech", timeout=LIVE_TIMEOUT_MS)
    await expect(pages["delegate on a phone"].locator("#turn-banner")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    # The chair's panes are checked each while in view; the last one shown is the record before the close.
    for pane in ("hop-thu", "diem-cau"):
        await pages["chair"].locator(f"#tab-{pane}").click()
        found += [f"live, chair {pane}: {line}" for line in await violations(pages["chair"])]
    await pages["chair"].locator("#tab-ket-luan").click()
    await expect(pages["chair"].locator("#record-sentence")).not_to_be_empty()
    found += await audit(pages, "live")

    await call("POST", s.api("/close"), chair)
    for page in pages.values():
        await expect(page.locator("#state-region, #display-closed").first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    found += await audit(pages, "closed")
    assert not found, "\n".join(found)


async def test_sign_in_and_home_pages_pass_axe(demo_server: Server, open_console: Open) -> None:
    page = await open_console(demo_server, demo_server.tokens["display"])
    found = []
    for path in ("/login", "/"):
        await page.context.clear_cookies()
        await page.goto(demo_server.base_url + path)
        found += await violations(page)
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
    comment = (await call("POST", s.api("/comments"), delegate, json={"body": "Đề nghị bổ sung thời hạn phối hợp."})).body
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
