"""Behind a reverse proxy with TLS: allowed origins, and a proxy's forwarded address and scheme believed from it alone.

The test client on 127.0.0.1 plays the proxy (DIEMCAU_TRUSTED_PROXIES=127.0.0.1); one bound to 127.0.0.2 or
127.0.0.3 plays a client reaching the server directly, whose X-Forwarded-* headers are forgeries.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio

from server.http.cookies import SESSION_COOKIE
from server.simulate.loopback import Server
from tests.support.accounts import csrf_of, demo_password
from tests.support.servers import start_server, stop_server

PUBLIC = "https://hoithao.example.vn:8443"
OTHER = "https://other.example.vn"
FOREIGN = "https://evil.example.vn"
ADDRESS_ATTEMPTS = 20


@pytest.fixture(scope="module")
async def proxied(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """Behind a proxy at 127.0.0.1, reached by browsers at PUBLIC."""
    env = {"DIEMCAU_TRUSTED_PROXIES": "127.0.0.1", "DIEMCAU_PUBLIC_URL": PUBLIC, "DIEMCAU_ALLOWED_ORIGINS": OTHER}
    server = await start_server(tmp_path_factory.mktemp("proxied"), env)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
async def unnamed(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """Behind a proxy at 127.0.0.1 without DIEMCAU_PUBLIC_URL: its own origin is the scheme and host browsers used."""
    server = await start_server(tmp_path_factory.mktemp("unnamed"), {"DIEMCAU_TRUSTED_PROXIES": "127.0.0.1"})
    yield server
    stop_server(server)


def from_address(local: str = "127.0.0.1") -> aiohttp.ClientSession:
    """A client whose connections come from `local`, keeping no cookies: each request says what it sends."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(local, 0)), cookie_jar=aiohttp.DummyCookieJar()
    )


async def socket_accepted(server: Server, origin: str, local: str = "127.0.0.1", **headers: str) -> bool:
    async with from_address(local) as http:
        client = socketio.AsyncClient(reconnection=False, http_session=http)
        try:
            await client.connect(
                server.base_url, auth={"token": server.tokens["display"]}, headers={"Origin": origin, **headers},
                transports=["websocket"], wait_timeout=5,
            )
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True


async def form_login(
    http: aiohttp.ClientSession, server: Server, origin: str, **headers: str
) -> aiohttp.ClientResponse:
    form = {"username": "chair", "password": demo_password(server, "chair"), "next": "/chair"}
    async with http.post(
        f"{server.base_url}/login", data=form, headers={"Origin": origin, **headers}, allow_redirects=False
    ) as response:
        await response.read()
        return response


async def api_login(
    http: aiohttp.ClientSession, server: Server, username: str, password: str, **headers: str
) -> tuple[int, Any]:
    async with http.post(
        f"{server.base_url}/api/v1/auth/login", json={"username": username, "password": password}, headers=headers
    ) as response:
        return response.status, await response.json()


async def audit_addresses(server: Server, action: str) -> list[str | None]:
    async with aiohttp.ClientSession() as http:
        url = f"{server.base_url}/api/v1/audit?action={action}"
        async with http.get(url, headers={"Authorization": f"Bearer {server.tokens['admin']}"}) as response:
            assert response.status == 200
            return [entry["address"] for entry in (await response.json())["items"]]


async def fail_until_blocked(http: aiohttp.ClientSession, server: Server, forwarded: str) -> None:
    """As many failures under unknown names as block an address, all at once: each waits on a slow hash."""
    async def fail(n: int) -> int:
        status, _ = await api_login(
            http, server, f"ghost-{forwarded}-{n}", "wrong password!", **{"X-Forwarded-For": forwarded}
        )
        return status

    assert set(await asyncio.gather(*(fail(n) for n in range(ADDRESS_ATTEMPTS)))) == {401}


async def lift(server: Server, address: str) -> bool:
    """Whether the login throttle held failures for the address (and forget them)."""
    async with aiohttp.ClientSession() as http:
        url, bearer = f"{server.base_url}/api/v1/lockouts/lift", {"Authorization": f"Bearer {server.tokens['admin']}"}
        async with http.post(url, json={"address": address}, headers=bearer) as response:
            assert response.status == 200
            return bool((await response.json())["lifted"])


async def test_sockets_take_the_public_origin_and_the_allowed_ones_only(proxied: Server) -> None:
    assert await socket_accepted(proxied, PUBLIC)
    # A default port spelled out is the same origin.
    assert await socket_accepted(proxied, "https://hoithao.example.vn:8443/")
    assert await socket_accepted(proxied, OTHER)
    assert not await socket_accepted(proxied, FOREIGN)
    # The Host the proxy sent does not make an origin: only DIEMCAU_PUBLIC_URL names it.
    assert not await socket_accepted(proxied, proxied.base_url)
    assert not await socket_accepted(proxied, "http://hoithao.example.vn:8443", **{"X-Forwarded-Proto": "http"})
    # The log says what the server takes for its own origin, which is what a misconfigured proxy gets wrong.
    assert (
        f"refused Origin '{FOREIGN}': the server's own origin is '{PUBLIC}', others allowed: ('{OTHER}',)"
        in proxied.log.read_text()
    )


async def test_the_login_form_and_cookie_writes_take_the_public_origin(proxied: Server) -> None:
    async with from_address() as http:
        for origin in (FOREIGN, proxied.base_url, "null"):
            refused = await form_login(http, proxied, origin)
            assert refused.status == 403 and SESSION_COOKIE not in refused.cookies
        signed_in = await form_login(http, proxied, PUBLIC)
        assert signed_in.status == 302 and signed_in.headers["Location"] == "/chair"
        cookie = signed_in.cookies[SESSION_COOKIE]
        assert cookie["secure"] and cookie["httponly"]

        token = cookie.value
        headers = {"Cookie": f"{SESSION_COOKIE}={token}", "X-CSRF-Token": csrf_of(proxied, token)}
        logout = f"{proxied.base_url}/api/v1/auth/logout"
        async with http.post(logout, headers={**headers, "Origin": FOREIGN}) as foreign:
            assert foreign.status == 403 and (await foreign.json())["error"]["code"] == "bad_origin"
        async with http.post(
            logout, headers={**headers, "Origin": OTHER, "X-Forwarded-For": "198.51.100.20"}
        ) as accepted:
            assert accepted.status == 200
    assert "198.51.100.20" in await audit_addresses(proxied, "session.logout")


async def test_the_forwarded_address_is_audited_and_throttled_on_its_own(proxied: Server) -> None:
    async with from_address() as http:
        # Left of the proxy's own entry is whatever the client claimed: the proxy's entry is believed.
        forwarded = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
        status, _ = await api_login(http, proxied, "admin", demo_password(proxied, "admin"), **forwarded)
        assert status == 200
        point = {"code": "PRX", "name": "Điểm cầu Sau proxy", "region": "Hà Nội"}
        bearer = {"Authorization": f"Bearer {proxied.tokens['admin']}", "X-Forwarded-For": "198.51.100.8"}
        async with http.post(proxied.api("/points"), json=point, headers=bearer) as created:
            assert created.status == 201

        await fail_until_blocked(http, proxied, "198.51.100.66")
        status, body = await api_login(
            http, proxied, "chair", demo_password(proxied, "chair"), **{"X-Forwarded-For": "198.51.100.66"}
        )
        assert status == 429 and body["error"]["code"] == "rate_limited"
        # Another browser behind the same proxy signs in all the same: the proxy's own address counted nothing.
        status, _ = await api_login(
            http, proxied, "chair", demo_password(proxied, "chair"), **{"X-Forwarded-For": "198.51.100.67"}
        )
        assert status == 200
    assert not await lift(proxied, "127.0.0.1")
    assert {"198.51.100.7", "198.51.100.67"} <= set(await audit_addresses(proxied, "session.login"))
    assert "198.51.100.8" in await audit_addresses(proxied, "point.write")


async def test_without_a_public_url_the_proxy_scheme_and_host_make_the_origin(unnamed: Server) -> None:
    https_origin = unnamed.base_url.replace("http://", "https://")
    through_tls = {"X-Forwarded-Proto": "https"}
    assert await socket_accepted(unnamed, https_origin, **through_tls)
    assert not await socket_accepted(unnamed, unnamed.base_url, **through_tls)
    assert not await socket_accepted(unnamed, FOREIGN, **through_tls)
    async with from_address() as http:
        signed_in = await form_login(http, unnamed, https_origin, **through_tls)
        assert signed_in.status == 302 and signed_in.cookies[SESSION_COOKIE]["secure"]
        plain = await form_login(http, unnamed, unnamed.base_url)
        assert plain.status == 302 and not plain.cookies[SESSION_COOKIE]["secure"]

    # From a direct client the same header is a forgery: the connection was plain http.
    assert not await socket_accepted(unnamed, https_origin, "127.0.0.2", **through_tls)
    assert await socket_accepted(unnamed, unnamed.base_url, "127.0.0.2", **through_tls)
    async with from_address("127.0.0.2") as http:
        assert (await form_login(http, unnamed, https_origin, **through_tls)).status == 403
        direct = await form_login(http, unnamed, unnamed.base_url, **through_tls)
        assert direct.status == 302 and not direct.cookies[SESSION_COOKIE]["secure"]


async def test_forged_forwarded_headers_from_an_untrusted_peer_change_nothing(unnamed: Server) -> None:
    async with from_address("127.0.0.3") as http:
        forged = {"X-Forwarded-For": "198.51.100.30"}
        status, _ = await api_login(http, unnamed, "admin", demo_password(unnamed, "admin"), **forged)
        assert status == 200
        status, _ = await api_login(http, unnamed, "ghost", "wrong password!", **{"X-Forwarded-For": "198.51.100.40"})
        assert status == 401
    # The failure counted against the real peer, not the address it claimed.
    assert not await lift(unnamed, "198.51.100.40")
    assert await lift(unnamed, "127.0.0.3")
    addresses = await audit_addresses(unnamed, "session.login")
    assert "127.0.0.3" in addresses and "198.51.100.30" not in addresses
