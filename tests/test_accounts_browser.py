"""The admin's list of staff accounts in a real Chromium: a locked account is shown and unlocked with one click."""
from __future__ import annotations

from playwright.async_api import expect

from server.simulate.loopback import Server
from tests.support.accounts import demo_password
from tests.support.browser import Open, catalog
from tests.support.http import Call

# Fixtures of the browser tests, used here by name.


async def test_the_admin_unlocks_a_locked_account_from_the_list(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s, vi = demo_server, catalog("vi")
    login = f"{s.base_url}/api/v1/auth/login"
    for _ in range(5):
        assert (await call("POST", login, json={"username": "chair", "password": "wrong password!"})).status == 401
    admin = await open_console(s, s.tokens["admin"], "/admin")

    rows = admin.locator("#staff-rows tr")
    await expect(rows).to_have_count(2)
    chair = rows.filter(has=admin.get_by_role("rowheader", name="chair", exact=True))
    await expect(chair).to_have_attribute("data-locked", "true")
    await expect(
        rows.filter(has=admin.get_by_role("rowheader", name="admin", exact=True)).locator("button")
    ).to_have_count(0)

    await chair.get_by_role("button", name=vi["admin.unlock"]).click()

    await expect(admin.locator("#notice")).to_have_text(vi["admin.unlocked"].format(name="chair"))
    await expect(chair).to_have_attribute("data-locked", "false")
    await expect(chair.locator("button")).to_have_count(0)
    assert (await call("POST", login, json={"username": "chair", "password": demo_password(s, "chair")})).status == 200

    await admin.locator("#address-lift input[name=address]").fill("127.0.0.1")
    await admin.locator("#address-lift button").click()
    await expect(admin.locator("#notice")).to_have_text(vi["admin.address_lifted"].format(address="127.0.0.1"))
