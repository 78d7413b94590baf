"""The consoles in a real Chromium against a real server: live updates arrive without a reload, the language
switch works, and no page logs an error (a CSP violation is logged as one)."""
from __future__ import annotations

import re

from playwright.async_api import expect

from server.simulate.loopback import Server
from tests.support.browser import LIVE_TIMEOUT_MS, Open, assert_not_reloaded, catalog, mark
from tests.support.http import Call

FUTURE_SEQ = """
new MutationObserver((_, observer) => {
  if (!document.body) return;
  document.body.dataset.seq = "999999";
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });
"""


async def test_check_in_moves_the_chairs_counter_live(demo_server: Server, open_console: Open) -> None:
    s = demo_server
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    operator = await open_console(s, s.tokens["operators"]["HGI"])
    await expect(chair.locator("#present-total")).to_have_text("0")
    await mark(chair)

    await operator.locator('#roster button[data-action="check-in"]').first.click()

    await expect(chair.locator("#present-total")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
    await expect(operator.locator("#point-present")).to_have_text("1")
    await expect(operator.locator('#roster button[data-action="check-out"]')).to_have_count(1)
    await assert_not_reloaded(chair)


async def test_next_puts_the_first_item_on_the_display(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    first = (await call("GET", s.api("/agenda"), s.tokens["chair"])).body["items"][0]
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    display = await open_console(s, s.tokens["display"])
    await expect(display.locator("#current-item")).to_have_text(catalog("vi")["agenda.nothing_live"])
    await mark(display)

    await chair.locator("#agenda-next").click()

    await expect(display.locator("#current-item")).to_have_text(first["title"], timeout=LIVE_TIMEOUT_MS)
    await expect(chair.locator(".agenda-item.status-live .agenda-title")).to_have_text(first["title"])
    await assert_not_reloaded(display)


async def test_a_console_the_server_cannot_catch_up_reloads_its_state(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    """A page whose seq the server does not know (a restored database, say) is answered with a snapshot:
    it reloads its state from the API, and from then on applies the events that follow."""
    s = demo_server
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")

    # Rewrite the seq the page was rendered with before its scripts read it (they run after parsing).
    await chair.add_init_script(FUTURE_SEQ)
    await chair.reload()
    await expect(chair.locator("body")).to_have_attribute("data-seq", "999999")
    await expect(chair.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)
    people = (await call("GET", s.api("/participants"), s.tokens["operators"]["HGI"])).body["items"]

    await call("POST", s.api("/checkins"), s.tokens["operators"]["HGI"], json={"participant_id": people[0]["id"]})

    await expect(chair.locator("#present-total")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)


async def test_language_switch_changes_the_labels(demo_server: Server, open_console: Open) -> None:
    s = demo_server
    vi, en = catalog("vi"), catalog("en")
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    await expect(chair.locator("#agenda-next")).to_have_text(vi["chair.next"])
    await expect(chair.locator("html")).to_have_attribute("lang", "vi")

    await chair.locator(".lang-switch a[hreflang=en]").click()

    await expect(chair.locator("#agenda-next")).to_have_text(en["chair.next"])
    await expect(chair.locator("html")).to_have_attribute("lang", "en")
    await expect(chair).to_have_url(re.compile(f"/chair/{s.conference_id}$"))
    await expect(chair.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)


async def test_every_console_loads_without_errors(demo_server: Server, open_console: Open) -> None:
    s, c = demo_server, demo_server.conference_id
    delegate = next(iter(s.tokens["delegates"].values()))
    pages = [
        await open_console(s, s.tokens["admin"], "/admin"),
        await open_console(s, s.tokens["admin"], f"/admin/{c}"),
        await open_console(s, s.tokens["chair"], "/chair", lang="en"),
        await open_console(s, s.tokens["operators"]["HGI"], lang="en"),
        await open_console(s, delegate),
        await open_console(s, s.tokens["display"], lang="en"),
    ]
    # The set-up console draws its tables from the API: a row per bridge point means its script ran.
    await expect(pages[1].locator("#point-rows tr")).to_have_count(len(s.tokens["operators"]))
    await expect(pages[4].locator("#section-select option").nth(1)).to_be_attached()
    await expect(pages[5].locator("#expected")).not_to_have_text("0")


async def test_no_console_scrolls_sideways_on_a_phone(demo_server: Server, open_console: Open) -> None:
    s, c = demo_server, demo_server.conference_id
    delegate = next(iter(s.tokens["delegates"].values()))
    chair = f"/chair/{c}"
    consoles = [(s.tokens["admin"], f"/admin/{c}"), (s.tokens["operators"]["HGI"], None), (delegate, None),
                *((s.tokens["chair"], f"{chair}#{pane}") for pane in ("dieu-hanh", "hop-thu", "diem-cau", "ket-luan"))]
    for token, path in consoles:
        page = await open_console(s, token, path)
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.wait_for_load_state("networkidle")
        # A wide table scrolls inside its own box; the page itself never does.
        assert await page.evaluate("document.documentElement.scrollWidth") == 390, path or token


async def test_logout_ends_the_session(demo_server: Server, open_console: Open) -> None:
    s = demo_server
    operator = await open_console(s, s.tokens["operators"]["HGI"])
    await operator.locator("#logout button").click()
    await expect(operator).to_have_url(re.compile("/login$"))
    await operator.goto(f"{s.base_url}/operator/{s.conference_id}")
    await expect(operator).to_have_url(re.compile(r"/login\?next="))


def test_catalogs_have_the_same_keys() -> None:
    vi, en = catalog("vi"), catalog("en")
    assert sorted(vi) == sorted(en)
    assert all(value.strip() for value in [*vi.values(), *en.values()])
