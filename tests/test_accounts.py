"""Staff accounts: password rules, lockout and its lifting, session renewal and expiry, cookie flags, logout."""
from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from http.cookies import Morsel
from pathlib import Path

import aiohttp
import pytest
from alembic import command

from server.auth.passwords import password_problem
from server.auth.tokens import token_hash
from server.demo.seed import new_staff_password
from server.http.cookies import SESSION_COOKIE
from server.migrate import alembic_config
from server.settings import load
from server.simulate.loopback import Server
from tests.event_schemas import validate_data
from tests.support.accounts import create_user_cli, csrf_of, demo_password, log_in, query
from tests.support.api import assert_error
from tests.support.http import Call
from tests.support.realtime import Watched, refused_at_connect
from tests.support.servers import start_server, stop_server

HALF_DAY = 12 * 3600
LOCKOUT_SECONDS = 15 * 60


# ---- helpers --------------------------------------------------------------------------------------------


def stored(moment: datetime) -> str:
    """A time as SQLAlchemy keeps it in SQLite: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def read_time(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def session_expiry(server: Server, token: str) -> datetime:
    (value,) = query(server, "SELECT expires_at FROM auth_session WHERE token_hash = ?", token_hash(token))[0]
    return read_time(value)


def set_session_expiry(server: Server, token: str, moment: datetime) -> None:
    query(server, "UPDATE auth_session SET expires_at = ? WHERE token_hash = ?", stored(moment), token_hash(token))


def user_row(server: Server, username: str) -> tuple[int, str | None]:
    failed, locked = query(server, "SELECT failed_logins, locked_until FROM user_account WHERE username = ?", username)[
        0
    ]
    return failed, locked


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    """A client that keeps no cookies by itself: each test says which cookie it sends."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


async def form_login(browser: aiohttp.ClientSession, server: Server, username: str) -> Morsel[str]:
    """Sign in through the login form, as a browser does; the session cookie it sets."""
    form = {"username": username, "password": demo_password(server, username), "next": ""}
    async with browser.post(
        f"{server.base_url}/login", data=form, headers={"Origin": server.base_url}, allow_redirects=False
    ) as response:
        assert response.status == 302, await response.text()
        return response.cookies[SESSION_COOKIE]


def with_cookie(token: str, **headers: str) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={token}", **headers}


# ---- password rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "username", "problem"),
    [
        ("short-one!", "ana", "too_short"),
        ("aaaaaaaaaaaaaaaa", "ana", "too_simple"),
        ("abababababababab", "ana", "too_simple"),
        ("738291046573", "ana", "only_digits"),
        ("x" * 1025 + "yz", "ana", "too_long"),
        ("nguyenvana-2024!", "NguyenVanA", "contains_username"),
        ("hoa.binh", "hoa.binh", "too_short"),
        ("hoa.binh.hoa.binh", "hoa.binh", "contains_username"),
        ("Password1234", "ana", "too_common"),
        ("qwerty123456", "ana", "too_common"),
        ("matkhau@123456", "ana", "too_common"),
        ("P@ssw0rd!!2024", "ana", "too_common"),
        ("--Admin--2025--", "ana", "too_common"),
    ],
)
def test_weak_passwords_are_refused(password: str, username: str, problem: str) -> None:
    assert password_problem(password, username) == problem


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("correct horse battery", "ana"),
        ("Đèn-đỏ-ngã-tư-7", "chair"),
        ("9-tram-cau-hai-lam", "admin"),
        # A short username does not forbid its letters inside a good password.
        ("bananas in pyjamas", "an"),
    ],
)
def test_good_passwords_pass(password: str, username: str) -> None:
    assert password_problem(password, username) is None


def test_the_demo_staff_passwords_meet_the_rules_and_differ() -> None:
    for username in ("admin", "chair"):
        made = {new_staff_password(username) for _ in range(20)}
        assert len(made) == 20 and all(password_problem(password, username) is None for password in made)


def test_create_user_cli_refuses_weak_passwords_and_takes_good_ones(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"

    def accounts() -> list[tuple[str, str]]:
        with sqlite3.connect(database) as db:
            return db.execute("SELECT username, role FROM user_account ORDER BY username").fetchall()

    for password, reason in (
        ("short1!", "at least 12 characters"),
        ("thu-ky-hoi-thao-2025", "contain the username"),
        ("password1234", "most common"),
        ("111111111111", "at least 3 different characters"),
    ):
        refused = create_user_cli(database, "--role", "admin", "--username", "thu-ky", "--password", password)
        assert refused.returncode != 0 and reason in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    assert accounts() == []

    made = create_user_cli(
        database,
        "--role",
        "chair",
        "--username",
        "chu-tri",
        "--password",
        "ba-con-meo-trang-9",
        "--full-name",
        "Chủ trì",
    )
    assert made.returncode == 0 and "created chair chu-tri" in made.stdout, made.stderr
    taken = create_user_cli(database, "--role", "admin", "--username", "chu-tri", "--password", "mot-mat-khau-khac-7")
    assert taken.returncode != 0 and "taken" in taken.stderr
    wrong_role = create_user_cli(
        database, "--role", "operator", "--username", "ai-do", "--password", "mot-mat-khau-khac-7"
    )
    assert wrong_role.returncode == 2 and "invalid choice" in wrong_role.stderr
    assert accounts() == [("chu-tri", "chair")]


def test_lockout_migration_goes_down_and_up(tmp_path: Path) -> None:
    config = alembic_config(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    command.upgrade(config, "head")
    command.downgrade(config, "0006")
    with sqlite3.connect(tmp_path / "m.db") as db:
        assert "locked_until" not in {row[1] for row in db.execute("PRAGMA table_info(user_account)")}
    command.upgrade(config, "head")
    with sqlite3.connect(tmp_path / "m.db") as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(user_account)")}
    assert {"failed_logins", "failed_since", "locked_until"} <= columns


def test_secure_cookies_follow_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIEMCAU_SECRET_KEY", "test")
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    for name in ("DIEMCAU_PUBLIC_URL", "DIEMCAU_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    assert load(database_url=url).secure_cookies is False
    monkeypatch.setenv("DIEMCAU_PUBLIC_URL", "http://hoithao.local:8080")
    assert load(database_url=url).secure_cookies is False
    monkeypatch.setenv("DIEMCAU_PUBLIC_URL", "https://hoithao.example.vn")
    assert load(database_url=url).secure_cookies is True
    monkeypatch.delenv("DIEMCAU_PUBLIC_URL")
    monkeypatch.setenv("DIEMCAU_SECURE_COOKIES", "1")
    assert load(database_url=url).secure_cookies is True


# ---- lockout --------------------------------------------------------------------------------------------


async def test_five_failures_lock_the_account_even_for_the_right_password(demo_server: Server, call: Call) -> None:
    s = demo_server
    right = demo_password(s, "chair")
    for _ in range(4):
        assert_error(await log_in(call, s, "chair", "wrong password!"), 401, "bad_credentials")
    users = {
        u["username"]: u for u in (await call("GET", f"{s.base_url}/api/v1/users", s.tokens["admin"])).body["items"]
    }
    assert users["chair"]["failed_logins"] == 4 and users["chair"]["locked_until"] is None
    assert_error(await log_in(call, s, "chair", "wrong password!"), 401, "bad_credentials")

    locked = await log_in(call, s, "chair", right)
    assert_error(locked, 429, "locked")
    assert 0 < locked.body["error"]["details"]["retry_after"] <= LOCKOUT_SECONDS
    # The refusal changed nothing: the count stays at the limit, the lock ends when it did.
    before = user_row(s, "chair")
    assert_error(await log_in(call, s, "chair", right), 429, "locked")
    assert user_row(s, "chair") == before and before[0] == 5 and before[1] is not None

    users = {
        u["username"]: u for u in (await call("GET", f"{s.base_url}/api/v1/users", s.tokens["admin"])).body["items"]
    }
    until = datetime.fromisoformat(users["chair"]["locked_until"])
    assert timedelta(minutes=14) < until - datetime.now(UTC) <= timedelta(minutes=15)
    assert users["admin"]["locked_until"] is None


async def test_a_successful_login_resets_the_count(demo_server: Server, call: Call) -> None:
    s = demo_server
    for _ in range(3):
        assert_error(await log_in(call, s, "chair", "wrong password!"), 401)
    assert (await log_in(call, s, "chair", demo_password(s, "chair"))).status == 200
    assert user_row(s, "chair") == (0, None)
    for _ in range(4):
        assert_error(await log_in(call, s, "chair", "wrong password!"), 401)
    assert (await log_in(call, s, "chair", demo_password(s, "chair"))).status == 200


async def test_the_lock_outlives_a_restart(tmp_path: Path, call: Call) -> None:
    server = await start_server(tmp_path / "server")
    try:
        for _ in range(5):
            assert_error(await log_in(call, server, "chair", "wrong password!"), 401)
    finally:
        stop_server(server)
    again = await start_server(tmp_path / "server")
    try:
        assert_error(await log_in(call, again, "chair", demo_password(again, "chair")), 429, "locked")
    finally:
        stop_server(again)


async def test_only_an_admin_unlocks_and_then_the_login_works(demo_server: Server, call: Call) -> None:
    s = demo_server
    for _ in range(5):
        assert_error(await log_in(call, s, "chair", "wrong password!"), 401)
    chair_id = next(
        u["id"]
        for u in (await call("GET", f"{s.base_url}/api/v1/users", s.tokens["admin"])).body["items"]
        if u["username"] == "chair"
    )
    unlock = f"{s.base_url}/api/v1/users/{chair_id}/unlock"

    assert_error(await call("POST", unlock), 401)
    assert_error(await call("POST", unlock, s.tokens["chair"]), 403, "forbidden")
    assert_error(await call("POST", unlock, s.tokens["operators"]["HGI"]), 403, "forbidden")
    assert_error(await log_in(call, s, "chair", demo_password(s, "chair")), 429, "locked")
    assert_error(await call("POST", f"{s.base_url}/api/v1/users/99999/unlock", s.tokens["admin"]), 404, "not_found")
    assert_error(await call("POST", f"{s.base_url}/api/v1/users/nobody/unlock", s.tokens["admin"]), 404)

    lifted = await call("POST", unlock, s.tokens["admin"])
    assert lifted.status == 200
    assert (
        lifted.body["username"] == "chair" and lifted.body["locked_until"] is None and lifted.body["failed_logins"] == 0
    )
    assert user_row(s, "chair") == (0, None)
    assert (await log_in(call, s, "chair", demo_password(s, "chair"))).status == 200


async def test_the_users_list_is_for_admins(shared_server: Server, call: Call) -> None:
    s = shared_server
    url = f"{s.base_url}/api/v1/users"
    listed = await call("GET", url, s.tokens["admin"])
    assert listed.status == 200 and listed.body["total"] == len(listed.body["items"]) >= 2
    for user in listed.body["items"]:
        assert set(user) == {"id", "username", "role", "full_name", "locked_until", "failed_logins"}
    assert {(u["username"], u["role"]) for u in listed.body["items"]} >= {("admin", "admin"), ("chair", "chair")}
    assert not any("password" in key for u in listed.body["items"] for key in u)
    assert_error(await call("GET", url), 401)
    for role in ("chair", "display"):
        assert_error(await call("GET", url, s.tokens[role]), 403, "forbidden")
    assert_error(await call("GET", url, s.tokens["operators"]["HGI"]), 403, "forbidden")


async def test_an_unknown_name_locks_like_a_real_one_and_an_address_block_is_lifted(
    demo_server: Server, call: Call
) -> None:
    s = demo_server
    for _ in range(5):
        assert_error(await log_in(call, s, "ghost", "wrong password!"), 401, "bad_credentials")
    ghost = await log_in(call, s, "ghost", "wrong password!")
    assert_error(ghost, 429, "locked")
    assert 0 < ghost.body["error"]["details"]["retry_after"] <= LOCKOUT_SECONDS

    # Twenty failures from one address block it, for every name, a right password included.
    for n in range(15):
        assert_error(await log_in(call, s, f"ghost-{n}", "wrong password!"), 401, "bad_credentials")
    blocked = await log_in(call, s, "chair", demo_password(s, "chair"))
    assert_error(blocked, 429, "rate_limited")
    assert 0 < blocked.body["error"]["details"]["retry_after"] <= 300
    assert user_row(s, "chair") == (0, None)

    lift = f"{s.base_url}/api/v1/lockouts/lift"
    assert_error(await call("POST", lift, json={"address": "127.0.0.1"}), 401)
    assert_error(await call("POST", lift, s.tokens["chair"], json={"address": "127.0.0.1"}), 403, "forbidden")
    for bad in ({"address": "not-an-address"}, {"address": 127}, {}):
        assert_error(await call("POST", lift, s.tokens["admin"], json=bad), 422, "invalid")
    assert_error(await log_in(call, s, "chair", demo_password(s, "chair")), 429, "rate_limited")

    lifted = await call("POST", lift, s.tokens["admin"], json={"address": " 127.0.0.1 "})
    assert lifted.status == 200 and lifted.body == {"address": "127.0.0.1", "lifted": True}
    again = await call("POST", lift, s.tokens["admin"], json={"address": "127.0.0.1"})
    assert again.body == {"address": "127.0.0.1", "lifted": False}
    assert (await log_in(call, s, "chair", demo_password(s, "chair"))).status == 200
    # The address is free again, the name that was guessed at is not.
    assert_error(await log_in(call, s, "ghost", "wrong password!"), 429, "locked")


async def test_the_login_form_says_the_account_is_locked(demo_server: Server, browser: aiohttp.ClientSession) -> None:
    s = demo_server
    form = {"username": "chair", "password": "wrong password!", "next": ""}
    for _ in range(5):
        async with browser.post(f"{s.base_url}/login", data=form) as response:
            assert response.status == 401
    async with browser.post(f"{s.base_url}/login", data={**form, "password": demo_password(s, "chair")}) as response:
        assert response.status == 429
        assert "Tài khoản tạm bị khóa" in await response.text()


# ---- sessions -------------------------------------------------------------------------------------------


async def test_session_cookie_flags_without_https(shared_server: Server, browser: aiohttp.ClientSession) -> None:
    cookie = await form_login(browser, shared_server, "chair")
    assert cookie["httponly"] is True and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]
    assert int(cookie["max-age"]) == HALF_DAY


async def test_secure_cookies_when_configured(tmp_path: Path, browser: aiohttp.ClientSession) -> None:
    server = await start_server(tmp_path / "secure", {"DIEMCAU_SECURE_COOKIES": "1"})
    try:
        cookie = await form_login(browser, server, "chair")
        assert cookie["secure"] is True and cookie["httponly"] is True
        async with browser.get(f"{server.base_url}/join/{server.tokens['display']}", allow_redirects=False) as joined:
            assert joined.status == 302 and joined.cookies[SESSION_COOKIE]["secure"] is True
    finally:
        stop_server(server)


async def test_a_session_is_renewed_only_past_half_its_life(
    shared_server: Server, browser: aiohttp.ClientSession
) -> None:
    s = shared_server
    me = f"{s.base_url}/api/v1/me"
    fresh = (await form_login(browser, s, "chair")).value
    expires = session_expiry(s, fresh)
    async with browser.get(me, headers=with_cookie(fresh)) as response:
        assert response.status == 200 and SESSION_COOKIE not in response.cookies
    assert session_expiry(s, fresh) == expires

    # A second session, aged before its first use to 5 of its 12 hours left.
    aged = (await form_login(browser, s, "chair")).value
    set_session_expiry(s, aged, datetime.now(UTC) + timedelta(hours=5))
    before = session_expiry(s, aged)
    # A refused write renews nothing.
    async with browser.post(f"{s.base_url}/api/v1/auth/logout", headers=with_cookie(aged)) as refused:
        assert refused.status == 403 and (await refused.json())["error"]["code"] == "csrf_failed"
        assert SESSION_COOKIE not in refused.cookies
    assert session_expiry(s, aged) == before

    async with browser.get(me, headers=with_cookie(aged)) as response:
        assert response.status == 200
        renewed = response.cookies[SESSION_COOKIE]
    assert renewed.value == aged and renewed["httponly"] is True and renewed["samesite"] == "Strict"
    assert HALF_DAY - 60 <= int(renewed["max-age"]) <= HALF_DAY
    extended = session_expiry(s, aged)
    assert extended - datetime.now(UTC) > timedelta(hours=11, minutes=59)
    # Fresh again: the next request writes nothing and sends no cookie.
    async with browser.get(me, headers=with_cookie(aged)) as response:
        assert response.status == 200 and SESSION_COOKIE not in response.cookies
    assert session_expiry(s, aged) == extended


async def test_a_page_that_redirects_still_carries_the_renewed_cookie(
    shared_server: Server, browser: aiohttp.ClientSession
) -> None:
    s = shared_server
    token = (await form_login(browser, s, "chair")).value
    set_session_expiry(s, token, datetime.now(UTC) + timedelta(hours=1))
    async with browser.get(f"{s.base_url}/", headers=with_cookie(token), allow_redirects=False) as response:
        assert response.status == 302 and response.headers["Location"] == "/chair"
        assert int(response.cookies[SESSION_COOKIE]["max-age"]) > HALF_DAY - 60
    assert session_expiry(s, token) - datetime.now(UTC) > timedelta(hours=11)


async def test_an_expired_session_is_refused(shared_server: Server, browser: aiohttp.ClientSession) -> None:
    s = shared_server
    token = (await form_login(browser, s, "chair")).value
    set_session_expiry(s, token, datetime.now(UTC) - timedelta(seconds=1))
    async with browser.get(f"{s.base_url}/api/v1/me", headers=with_cookie(token)) as response:
        assert response.status == 401 and (await response.json())["error"]["code"] == "unauthorized"
        assert SESSION_COOKIE not in response.cookies
    async with browser.get(f"{s.base_url}/chair", headers=with_cookie(token), allow_redirects=False) as page:
        assert page.status == 302 and page.headers["Location"].startswith("/login")
    assert session_expiry(s, token) < datetime.now(UTC)


async def test_logout_ends_the_cookie_session_on_the_server_at_once(
    shared_server: Server, browser: aiohttp.ClientSession
) -> None:
    s = shared_server
    me = f"{s.base_url}/api/v1/me"
    for logout in ("/logout", "/api/v1/auth/logout"):
        token = (await form_login(browser, s, "chair")).value
        # Used first, so the server remembers who it is: logout must forget that too.
        async with browser.get(me, headers=with_cookie(token)) as response:
            assert response.status == 200
        headers = with_cookie(token, **{"X-CSRF-Token": csrf_of(s, token), "Origin": s.base_url})
        async with browser.post(f"{s.base_url}{logout}", headers=headers, allow_redirects=False) as out:
            assert out.status in (200, 302)
            gone = out.cookies[SESSION_COOKIE]
            assert gone.value == "" and int(gone["max-age"]) == 0
        async with browser.get(me, headers=with_cookie(token)) as response:
            assert response.status == 401
        revoked = query(s, "SELECT revoked_at FROM auth_session WHERE token_hash = ?", token_hash(token))[0][0]
        assert revoked is not None


async def test_logout_ends_a_bearer_session_the_server_remembered(shared_server: Server, call: Call) -> None:
    s = shared_server
    token = (await log_in(call, s, "chair", demo_password(s, "chair"))).body["token"]
    assert (await call("GET", f"{s.base_url}/api/v1/me", token)).status == 200
    assert (await call("POST", f"{s.base_url}/api/v1/auth/logout", token)).status == 200
    assert_error(await call("GET", f"{s.base_url}/api/v1/me", token), 401)
    assert_error(await call("POST", f"{s.base_url}/api/v1/auth/logout", token), 401)


async def test_logout_tells_the_sessions_sockets_and_closes_them(
    shared_server: Server, call: Call, browser: aiohttp.ClientSession
) -> None:
    s = shared_server
    bearer = (await log_in(call, s, "chair", demo_password(s, "chair"))).body["token"]
    cookie = (await form_login(browser, s, "chair")).value
    # The same person's other login is another session: it keeps its socket.
    other = (await log_in(call, s, "chair", demo_password(s, "chair"))).body["token"]
    sockets = [await joined_socket(s, token=bearer), await joined_socket(s, cookie=f"{SESSION_COOKIE}={cookie}")]
    kept = await joined_socket(s, token=other)
    try:
        assert (await call("POST", f"{s.base_url}/api/v1/auth/logout", bearer)).status == 200
        headers = with_cookie(cookie, **{"X-CSRF-Token": csrf_of(s, cookie), "Origin": s.base_url})
        async with browser.post(f"{s.base_url}/logout", headers=headers, allow_redirects=False) as out:
            assert out.status == 302
        for watched in sockets:
            notice = await watched.ended()
            validate_data("session.revoked", notice)
            assert notice == {"reason": "logged_out"}
        await refused_at_connect(s, token=bearer)
        await refused_at_connect(s, cookie=f"{SESSION_COOKIE}={cookie}")
        assert kept.client.connected and kept.notices.empty()
        assert (await kept.client.call("join", {"conference_id": s.conference_id, "after_seq": 0}))["ok"]
    finally:
        await kept.client.disconnect()


async def joined_socket(server: Server, token: str | None = None, cookie: str | None = None) -> Watched:
    watched = Watched()
    await watched.client.connect(
        server.base_url, auth={"token": token} if token else None, headers={"Cookie": cookie} if cookie else {},
        transports=["websocket"],
    )
    ack = await watched.client.call("join", {"conference_id": server.conference_id, "after_seq": 0})
    assert ack["ok"], ack
    return watched


async def test_the_admin_page_lists_staff_accounts(shared_server: Server, browser: aiohttp.ClientSession) -> None:
    s = shared_server
    async with browser.get(f"{s.base_url}/join/{s.tokens['admin']}", allow_redirects=False) as joined:
        token = joined.cookies[SESSION_COOKIE].value
    async with browser.get(f"{s.base_url}/admin", headers=with_cookie(token)) as page:
        html = await page.text()
        assert page.status == 200 and "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert 'id="staff-rows"' in html and 'id="address-lift"' in html and "Tài khoản cán bộ" in html
    assert "/static/js/admin-index.js" in html and "<style" not in html
