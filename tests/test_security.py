"""Logins, browser sessions, CSRF, Origin checks and security headers."""
from __future__ import annotations

import aiohttp
import pytest
import socketio

from server.simulate.loopback import Server
from tests.support.accounts import demo_password
from tests.support.api import assert_error
from tests.support.http import Call


async def test_login_and_logout(shared_server: Server, call: Call) -> None:
    s = shared_server
    login = f"{s.base_url}/api/v1/auth/login"
    assert_error(await call("POST", login, json={"username": "chair"}), 422)
    ok = await call("POST", login, json={"username": "chair", "password": demo_password(s, "chair")})
    assert ok.status == 200 and ok.body["role"] == "chair"
    token = ok.body["token"]
    assert (await call("GET", s.api("/attendance"), token)).status == 200
    assert (await call("POST", f"{s.base_url}/api/v1/auth/logout", token)).status == 200
    assert_error(await call("GET", s.api("/attendance"), token), 401)


async def test_repeated_failed_logins_lock_the_account(shared_server: Server, call: Call) -> None:
    login = f"{shared_server.base_url}/api/v1/auth/login"
    for _ in range(5):
        assert_error(
            await call("POST", login, json={"username": "admin", "password": "wrong password"}), 401, "bad_credentials"
        )
    locked = await call("POST", login, json={"username": "admin", "password": demo_password(shared_server, "admin")})
    assert_error(locked, 429, "locked")
    assert locked.body["error"]["details"]["retry_after"] > 0


async def test_browser_session_needs_csrf_and_same_origin(shared_server: Server) -> None:
    s = shared_server
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(f"{s.base_url}/join/{s.tokens['operators']['HGI']}", allow_redirects=False) as joined:
            assert joined.status == 302 and joined.headers["Location"] == f"/operator/{s.conference_id}"
            cookie = joined.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with browser.get(f"{s.base_url}/operator/{s.conference_id}") as page:
            html = await page.text()
            assert page.status == 200
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
            assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
            assert page.headers["X-Content-Type-Options"] == "nosniff"
        marker = 'name="csrf-token" content="'
        csrf = html[html.index(marker) + len(marker):].split('"', 1)[0]
        async with browser.get(s.api("/participants")) as listed:
            person = (await listed.json())["items"][0]
        status_url = s.api(f"/points/{person['point_id']}/status")
        async with browser.post(status_url, json={"link": "ok"}) as refused:
            assert refused.status == 403 and (await refused.json())["error"]["code"] == "csrf_failed"
        async with browser.post(
            status_url, json={"link": "ok"}, headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
        ) as foreign:
            assert foreign.status == 403 and (await foreign.json())["error"]["code"] == "bad_origin"
        async with browser.post(
            status_url, json={"link": "ok"}, headers={"X-CSRF-Token": csrf, "Origin": s.base_url}
        ) as accepted:
            assert accepted.status == 200


async def test_socket_refuses_a_foreign_origin(shared_server: Server) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            shared_server.base_url,
            auth={"token": shared_server.tokens["display"]},
            headers={"Origin": "https://evil.example"},
            transports=["websocket"],
        )
    await client.connect(
        shared_server.base_url,
        auth={"token": shared_server.tokens["display"]},
        headers={"Origin": shared_server.base_url},
        transports=["websocket"],
    )
    await client.disconnect()


async def test_revoked_invitation_is_refused(shared_server: Server, call: Call) -> None:
    s = shared_server
    made = await call("POST", s.api("/invitations"), s.tokens["admin"], json={"role": "display"})
    assert made.status == 201 and made.body["url"].endswith(made.body["token"])
    assert (await call("GET", s.api("/agenda"), made.body["token"])).status == 200
    assert (await call("DELETE", s.api(f"/invitations/{made.body['id']}"), s.tokens["admin"])).status == 200
    assert_error(await call("GET", s.api("/agenda"), made.body["token"]), 401)


async def test_healthz_and_openapi(shared_server: Server, call: Call) -> None:
    health = await call("GET", f"{shared_server.base_url}/healthz")
    assert health.status == 200 and health.body == {"status": "ok"}
    spec = (await call("GET", f"{shared_server.base_url}/api/v1/openapi.json")).body
    assert spec["openapi"].startswith("3.1")
    base = "/api/v1/conferences/{conference_id}"
    for path in ("/checkins", "/agenda/next", "/close"):
        assert base + path in spec["paths"]
