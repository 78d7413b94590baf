"""Invitation links: random enough, stored hashed, scoped, expiring, revocable and reissuable, and a revoked or
expired link is refused at once, also on a socket that is already connected."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from playwright.async_api import expect

from server.auth.tokens import NONCE_BYTES, invitation_token, new_nonce
from server.simulate.loopback import Server
from tests.event_schemas import validate_data, validate_event
from tests.support.api import assert_error, new_conference
from tests.support.browser import LIVE_TIMEOUT_MS, Open, catalog
from tests.support.http import Call
from tests.support.realtime import Listener, Watched, refused_at_connect

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def now() -> datetime:
    return datetime.now(UTC)


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


Connect = Callable[..., Awaitable[Watched]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """connect(server, token=None, cookie=None) -> a connected socket that has joined the conference."""
    made: list[Watched] = []

    async def _connect(server: Server, token: str | None = None, cookie: str | None = None) -> Watched:
        watched = Watched()
        made.append(watched)
        await watched.client.connect(
            server.base_url,
            auth={"token": token} if token else None,
            headers={"Cookie": cookie} if cookie else {},
            transports=["websocket"],
        )
        ack = await watched.client.call("join", {"conference_id": server.conference_id, "after_seq": 0})
        assert ack["ok"], ack
        return watched

    yield _connect
    for watched in made:
        if watched.client.connected:
            await watched.client.disconnect()


async def browser_session(server: Server, token: str) -> str:
    """Open the invitation link like a browser; the `Cookie` header value of the session it starts."""
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(f"{server.base_url}/join/{token}", allow_redirects=False) as joined,
    ):
        assert joined.status == 302, await joined.text()
        return joined.headers["Set-Cookie"].split(";", 1)[0]


async def cookie_status(server: Server, cookie: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(server.api("/agenda"), headers={"Cookie": cookie}) as response:
        return response.status


async def invitations(call: Call, server: Server) -> dict[int, dict[str, Any]]:
    listed = await call("GET", server.api("/invitations"), server.tokens["admin"])
    assert listed.status == 200
    return {i["id"]: i for i in listed.body["items"]}


async def seq(call: Call, server: Server) -> int:
    return int((await call("GET", server.api(), server.tokens["admin"])).body["seq"])


async def some_participant(call: Call, server: Server, index: int) -> dict[str, Any]:
    people = await call("GET", server.api("/participants?limit=1000"), server.tokens["admin"])
    return people.body["items"][index]


def test_nonce_has_at_least_128_random_bits() -> None:
    assert NONCE_BYTES * 8 >= 128
    nonces = {new_nonce() for _ in range(2000)}
    assert len(nonces) == 2000
    assert all(len(bytes.fromhex(n)) * 8 >= 128 for n in nonces)
    token = invitation_token(b"secret", new_nonce())
    assert TOKEN.match(token)  # 43 base64url characters: all 256 bits of the HMAC


async def test_tokens_are_long_distinct_and_stored_only_as_hashes(shared_server: Server, call: Call) -> None:
    s = shared_server
    made = [await call("POST", s.api("/invitations"), s.tokens["admin"], json={"role": "display"}) for _ in range(5)]
    tokens = [m.body["token"] for m in made]
    assert all(m.status == 201 for m in made) and len(set(tokens)) == 5
    assert all(TOKEN.match(t) for t in tokens)
    with closing(sqlite3.connect(f"file:{s.database}?mode=ro", uri=True)) as db:
        for m in made:
            stored = db.execute("SELECT * FROM invitation WHERE id = ?", (m.body["id"],)).fetchone()
            assert hashlib.sha256(m.body["token"].encode()).hexdigest() in stored
            assert m.body["token"] not in stored
    raw = b"".join(p.read_bytes() for p in s.database.parent.glob(s.database.name + "*"))
    assert not any(t.encode() in raw for t in tokens)


async def test_expiry_defaults_and_validation(shared_server: Server, call: Call) -> None:
    s = shared_server
    admin, url = s.tokens["admin"], s.api("/invitations")
    before, count = await seq(call, s), len(await invitations(call, s))
    for bad in (
        (now() - timedelta(minutes=1)).isoformat(),
        "2030-01-01T08:00:00",
        "next week",
        1893456000,
        now().isoformat(),
    ):
        refused = await call("POST", url, admin, json={"role": "display", "expires_at": bad})
        assert_error(refused, 422)
        assert "expires_at" in refused.body["error"]["details"]
    assert await seq(call, s) == before and len(await invitations(call, s)) == count

    chosen = (now() + timedelta(days=2)).replace(microsecond=0)
    made = await call("POST", url, admin, json={"role": "display", "expires_at": chosen.isoformat()})
    assert made.status == 201 and moment(made.body["expires_at"]) == chosen and made.body["state"] == "active"

    # The demo workshop started in 2021: the default is a week from now, never a date in the past.
    default = await call("POST", url, admin, json={"role": "display"})
    assert default.status == 201
    assert abs(moment(default.body["expires_at"]) - (now() + timedelta(days=7))) < timedelta(minutes=5)

    # A workshop still to come: its links work until a week after it starts.
    future = await call(
        "POST",
        f"{s.base_url}/api/v1/conferences",
        admin,
        json={"title": "Hội thảo 2030", "starts_at": "2030-03-02T08:00:00+07:00"},
    )
    later = await call(
        "POST", f"{s.base_url}/api/v1/conferences/{future.body['id']}/invitations", admin, json={"role": "display"}
    )
    assert later.status == 201 and moment(later.body["expires_at"]) == datetime(2030, 3, 9, 1, 0, tzinfo=UTC)


async def test_an_expired_link_is_refused_and_its_open_sockets_are_closed(
    shared_server: Server, call: Call, connect: Connect
) -> None:
    s = shared_server
    admin = s.tokens["admin"]
    soon = now() + timedelta(seconds=3)
    made = await call("POST", s.api("/invitations"), admin, json={"role": "display", "expires_at": soon.isoformat()})
    assert made.status == 201
    token, invitation_id = made.body["token"], made.body["id"]
    assert (await call("GET", s.api("/agenda"), token)).status == 200
    cookie = await browser_session(s, token)
    assert await cookie_status(s, cookie) == 200
    by_token, by_cookie = await connect(s, token=token), await connect(s, cookie=cookie)

    # No sleeping: the server closes both sockets at the expiry, and they say why.
    for watched in (by_token, by_cookie):
        notice = await watched.ended()
        validate_data("session.revoked", notice)
        assert notice == {"invitation_id": invitation_id, "reason": "expired"}
    assert now() >= soon - timedelta(milliseconds=50)

    assert_error(await call("GET", s.api("/agenda"), token), 401)
    assert await cookie_status(s, cookie) == 401
    await refused_at_connect(s, token=token)
    await refused_at_connect(s, cookie=cookie)
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(f"{s.base_url}/join/{token}", allow_redirects=False) as joined,
    ):
        assert joined.status == 401
    assert (await invitations(call, s))[invitation_id]["state"] == "expired"

    # A lapsed link is reissued with the default rule, not its past deadline.
    renewed = await call("POST", s.api(f"/invitations/{invitation_id}/reissue"), admin)
    assert renewed.status == 201, renewed.body
    assert renewed.body["state"] == "active" and moment(renewed.body["expires_at"]) > now() + timedelta(days=6)
    assert (await call("GET", s.api("/agenda"), renewed.body["token"])).status == 200
    assert_error(await call("GET", s.api("/agenda"), token), 401)


async def test_reissue_refuses_the_old_link_at_once_and_keeps_the_scope(
    shared_server: Server, call: Call, listen: Callable[..., Awaitable[Listener]], connect: Connect
) -> None:
    s = shared_server
    admin = s.tokens["admin"]
    person = await some_participant(call, s, 3)
    deadline = (now() + timedelta(days=3)).replace(microsecond=0)
    made = await call(
        "POST",
        s.api("/invitations"),
        admin,
        json={"role": "delegate", "participant_id": person["id"], "expires_at": deadline.isoformat()},
    )
    assert made.status == 201
    old_token, old_id = made.body["token"], made.body["id"]
    staff = await listen(s, admin)
    delegate = await connect(s, token=old_token)

    # A refused reissue changes nothing: the old link still works, no event was logged.
    before = await seq(call, s)
    assert_error(
        await call(
            "POST", s.api(f"/invitations/{old_id}/reissue"), admin, json={"expires_at": "2020-01-01T00:00:00+00:00"}
        ),
        422,
    )
    assert await seq(call, s) == before
    assert (await call("GET", s.api("/agenda"), old_token)).status == 200

    reissued = await call("POST", s.api(f"/invitations/{old_id}/reissue"), admin)
    assert reissued.status == 201, reissued.body
    new = reissued.body
    assert new["id"] != old_id and new["reissued_from"] == old_id and new["token"] != old_token
    assert TOKEN.match(new["token"]) and new["url"].endswith("/join/" + new["token"])
    assert (new["role"], new["participant_id"], new["point_id"]) == ("delegate", person["id"], person["point_id"])
    assert moment(new["expires_at"]) == deadline and new["state"] == "active"

    assert await delegate.ended() == {"invitation_id": old_id, "reason": "revoked"}
    assert_error(await call("GET", s.api("/agenda"), old_token), 401)
    await refused_at_connect(s, token=old_token)

    me = await call("GET", f"{s.base_url}/api/v1/me", new["token"])
    assert me.status == 200
    assert (me.body["role"], me.body["participant_id"], me.body["point_id"]) == (
        "delegate",
        person["id"],
        person["point_id"],
    )
    renewed = await connect(s, token=new["token"])
    assert renewed.client.connected

    revoked, created = (
        (await staff.wait_for("invitation.revoked"))[-1],
        (await staff.wait_for("invitation.created"))[-1],
    )
    for event in (revoked, created):
        validate_event(event)
    assert revoked["data"]["id"] == old_id and created["data"]["id"] == new["id"] and revoked["seq"] < created["seq"]
    assert "token" not in created["data"]

    listed = await invitations(call, s)
    assert listed[old_id]["state"] == "revoked" and listed[new["id"]]["state"] == "active"
    count = len(listed)
    assert_error(await call("POST", s.api(f"/invitations/{old_id}/reissue"), admin), 409, "invitation_revoked")
    assert len(await invitations(call, s)) == count


async def test_a_reissued_operator_link_acts_only_at_its_point(shared_server: Server, call: Call) -> None:
    s = shared_server
    admin = s.tokens["admin"]
    points = (await call("GET", s.api("/points"), admin)).body["items"]
    mine, other = points[1], points[2]
    made = await call("POST", s.api("/invitations"), admin, json={"role": "operator", "point_id": mine["id"]})
    reissued = await call("POST", s.api(f"/invitations/{made.body['id']}/reissue"), admin, json={})
    assert reissued.status == 201 and reissued.body["point_id"] == mine["id"] and reissued.body["role"] == "operator"
    token = reissued.body["token"]
    assert (await call("POST", s.api(f"/points/{mine['id']}/status"), token, json={"link": "ok"})).status == 200
    assert_error(await call("POST", s.api(f"/points/{other['id']}/status"), token, json={"link": "ok"}), 403)
    assert_error(
        await call("POST", s.api(f"/points/{mine['id']}/status"), made.body["token"], json={"link": "ok"}), 401
    )


async def test_revoking_tells_and_disconnects_every_socket_of_the_invitation(
    shared_server: Server, call: Call, connect: Connect
) -> None:
    s = shared_server
    person = await some_participant(call, s, 5)
    made = await call(
        "POST", s.api("/invitations"), s.tokens["admin"], json={"role": "delegate", "participant_id": person["id"]}
    )
    token, invitation_id = made.body["token"], made.body["id"]
    cookie = await browser_session(s, token)
    by_token, by_cookie = await connect(s, token=token), await connect(s, cookie=cookie)
    bystander = await connect(s, token=s.tokens["display"])

    revoked = await call("DELETE", s.api(f"/invitations/{invitation_id}"), s.tokens["admin"])
    assert revoked.status == 200 and revoked.body["state"] == "revoked" and revoked.body["revoked_at"]
    # The HTTP answer comes after the commit and after the principal cache was cleared.
    assert_error(await call("GET", s.api("/agenda"), token), 401)
    assert await cookie_status(s, cookie) == 401

    for watched in (by_token, by_cookie):
        assert await watched.ended() == {"invitation_id": invitation_id, "reason": "revoked"}
    await refused_at_connect(s, token=token)
    await refused_at_connect(s, cookie=cookie)
    assert bystander.client.connected and bystander.notices.empty()

    # Revoking again is harmless and changes nothing.
    before = await seq(call, s)
    assert (await call("DELETE", s.api(f"/invitations/{invitation_id}"), s.tokens["admin"])).status == 200
    assert await seq(call, s) == before


async def test_a_revocation_from_another_process_is_enforced_at_the_next_join(
    shared_server: Server, call: Call, connect: Connect
) -> None:
    """A revocation this process never heard of (made elsewhere while Redis was lost) is caught when its socket
    (re)joins."""
    s = shared_server
    made = await call("POST", s.api("/invitations"), s.tokens["admin"], json={"role": "display"})
    watched = await connect(s, token=made.body["token"])
    # Another process's commit: this server's writer never sees it, so nothing here closes the socket.
    with closing(sqlite3.connect(s.database, timeout=10)) as db, db:
        db.execute(
            "UPDATE invitation SET revoked_at = ? WHERE id = ?",
            (now().strftime("%Y-%m-%d %H:%M:%S.%f"), made.body["id"]),
        )
    ack = await watched.client.call("join", {"conference_id": s.conference_id, "after_seq": 0})
    assert ack["ok"] is False and ack["error"]["code"] == "session_revoked"
    assert await watched.ended() == {"invitation_id": made.body["id"], "reason": "revoked"}


async def test_only_an_admin_revokes_or_reissues(shared_server: Server, call: Call) -> None:
    s = shared_server
    t = s.tokens
    made = await call("POST", s.api("/invitations"), t["admin"], json={"role": "display"})
    invitation_id = made.body["id"]
    before = await seq(call, s)
    others = [t["chair"], t["display"], next(iter(t["operators"].values())), next(iter(t["delegates"].values()))]
    for token in others:
        # Role before body: an invalid body from someone without the right is still 403.
        assert_error(
            await call("POST", s.api(f"/invitations/{invitation_id}/reissue"), token, json={"expires_at": "bad"}), 403
        )
        assert_error(await call("POST", s.api(f"/invitations/{invitation_id}/reissue"), token), 403)
        assert_error(await call("DELETE", s.api(f"/invitations/{invitation_id}"), token), 403)
        assert_error(await call("GET", s.api("/invitations"), token), 403)
    assert_error(await call("POST", s.api(f"/invitations/{invitation_id}/reissue")), 401)
    assert_error(await call("DELETE", s.api(f"/invitations/{invitation_id}")), 401)
    assert await seq(call, s) == before
    assert (await invitations(call, s))[invitation_id]["state"] == "active"
    assert (await call("GET", s.api("/agenda"), made.body["token"])).status == 200


async def test_unknown_or_foreign_invitations_are_not_found(shared_server: Server, call: Call) -> None:
    s = shared_server
    admin = s.tokens["admin"]
    for path in ("/invitations/999999/reissue", "/invitations/abc/reissue"):
        assert_error(await call("POST", s.api(path), admin), 404)
    assert_error(await call("DELETE", s.api("/invitations/999999"), admin), 404)

    elsewhere = await new_conference(call, s, "Hội thảo khác")
    foreign = (await call("GET", elsewhere.api("/invitations"), admin)).body["items"][0]
    before = await seq(call, s)
    assert_error(await call("POST", s.api(f"/invitations/{foreign['id']}/reissue"), admin), 404, "not_found")
    assert_error(await call("DELETE", s.api(f"/invitations/{foreign['id']}"), admin), 404, "not_found")
    assert await seq(call, s) == before
    still = (await call("GET", elsewhere.api("/invitations"), admin)).body["items"][0]
    assert still["state"] == "active" and still["token"] == foreign["token"]
    # A link is scoped to its own conference.
    assert_error(await call("GET", s.api("/agenda"), elsewhere.delegate), 403)


async def test_the_admin_page_reissues_a_link_and_the_old_console_is_cut_off(
    shared_server: Server, call: Call, open_console: Open
) -> None:
    s = shared_server
    vi, en = catalog("vi"), catalog("en")
    made = await call("POST", s.api("/invitations"), s.tokens["admin"], json={"role": "display"})
    old_id, old_url = made.body["id"], made.body["url"]
    display = await open_console(s, made.body["token"])
    admin = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")

    row = admin.locator(f'#invitation-rows tr[data-invitation-id="{old_id}"]')
    await expect(row.locator(".invitation-state")).to_have_text(vi["invitation.active"])
    await expect(row.locator("td").nth(3)).not_to_have_text("")
    await expect(row.locator(f'button[data-reissue="{old_id}"]')).to_have_text(vi["admin.reissue"])
    await row.locator(f'button[data-reissue="{old_id}"]').click()
    asked = admin.get_by_role("dialog")
    await expect(asked).to_contain_text(vi["admin.confirm_reissue"])
    await asked.get_by_role("button", name=vi["admin.reissue"]).click()

    # The new link is shown to hand out; the old row stays, marked revoked, without buttons.
    await expect(admin.locator("#invitation-new")).to_be_visible()
    new_url = await admin.locator("#invitation-new-url").input_value()
    assert re.search(r"/join/[A-Za-z0-9_-]{43}$", new_url) and new_url != old_url
    await expect(row.locator(".invitation-state")).to_have_text(vi["invitation.revoked"])
    await expect(row.locator("button")).to_have_count(0)
    new_id = next(i["id"] for i in (await invitations(call, s)).values() if i["url"] == new_url)
    new_row = admin.locator(f'#invitation-rows tr[data-invitation-id="{new_id}"]')
    await expect(new_row.locator(".invitation-state")).to_have_text(vi["invitation.active"])
    await expect(new_row.locator(".link-field")).to_have_value(new_url)

    # The projector that used the old link is told at once, without a reload.
    await expect(display.locator("#live-status")).to_have_attribute("data-state", "revoked", timeout=LIVE_TIMEOUT_MS)
    await expect(display.locator("#live-status")).to_have_text(vi["live.revoked"])
    me = await call("GET", f"{s.base_url}/api/v1/me", new_url.rsplit("/", 1)[1])
    assert me.status == 200 and me.body["role"] == "display"

    english = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}", lang="en")
    await expect(english.locator("#invitations h3").last).to_have_text(en["admin.all_links"])
    await expect(english.locator(f'#invitation-rows tr[data-invitation-id="{old_id}"] .invitation-state')).to_have_text(
        en["invitation.revoked"]
    )
    await expect(english.locator("#invitation-rows button[data-reissue]").first).to_have_text(en["admin.reissue"])
