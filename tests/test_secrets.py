"""Secrets stay secret: no invitation token in a log, staff passwords shown once, /metrics behind a token or an
address of its own, and a changed signing key noticed with the links it can no longer show marked."""
from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from alembic import command

from server.logs import redact, redact_record
from server.migrate import alembic_config
from server.simulate.loopback import Server, free_port
from tests.support.api import assert_error
from tests.support.http import Call
from tests.support.servers import METRICS_TOKEN, start_server, stop_server

KEY_CHANGED = "The signing key differs"


async def test_invitation_tokens_never_reach_the_log(shared_server: Server, call: Call) -> None:
    s = shared_server
    token = s.tokens["operators"]["HGI"]
    async with aiohttp.ClientSession() as browser:
        for path in (
            f"/join/{token}",
            f"/join/{token}/",
            f"/JOIN/{token}",
            f"/join/{token}?token={token}",
            "/join/not-a-real-token",
        ):
            async with browser.get(s.base_url + path, allow_redirects=False) as response:
                assert response.status in (302, 401, 404), path
    # The access log writes each request when its answer is sent, so the last one is in the file by now.
    assert (await call("GET", s.base_url + "/healthz")).status == 200
    # `serve --demo` prints its links at start, on purpose, indented under its heading; every other line is a log line.
    logged = "\n".join(line for line in s.log.read_text(encoding="utf-8").splitlines() if not line.startswith("  "))
    assert "GET /join/<redacted> 302" in logged and "/join/<redacted> 401" in logged
    assert token not in logged and "not-a-real-token" not in logged


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ("/join/Hr6-EG_tEj", "/join/<redacted>"),
        ("/JOIN/Hr6-EG_tEj/", "/JOIN/<redacted>/"),
        ('GET "/join/Hr6-EG_tEj?token=x" 401', 'GET "/join/<redacted>?token=<redacted>" 401'),
        (
            "/socket.io/?EIO=4&transport=polling&access_token=abc&t=1",
            "/socket.io/?EIO=4&transport=polling&access_token=<redacted>&t=1",
        ),
        ("/join/", "/join/"),
        ("/api/v1/me", "/api/v1/me"),
        ("/joined/Hr6-EG_tEj", "/joined/Hr6-EG_tEj"),
    ],
)
def test_what_the_redaction_keeps(line: str, logged: str) -> None:
    assert redact(line) == logged


def test_any_logger_writing_a_join_link_has_its_token_redacted() -> None:
    """aiohttp's and socket.io's own lines go through the same handler as ours."""
    record = logging.LogRecord(
        "aiohttp.server", logging.ERROR, __file__, 1, "Bad request %r", ("GET /join/Hr6-EG_tEj HTTP/1.1",), None
    )
    assert redact_record(record) is True and record.getMessage() == "Bad request 'GET /join/<redacted> HTTP/1.1'"
    plain = logging.LogRecord("server", logging.INFO, __file__, 1, "stopped %d", (3,), None)
    assert redact_record(plain) and plain.getMessage() == "stopped 3"


async def test_metrics_answer_only_the_right_token(shared_server: Server, call: Call) -> None:
    url = shared_server.base_url + "/metrics"
    assert_error(await call("GET", url), 401, "metrics_token")
    assert_error(await call("GET", url, METRICS_TOKEN[:-1] + "x"), 401, "metrics_token")
    assert_error(await call("GET", url, METRICS_TOKEN + "0"), 401, "metrics_token")
    assert_error(await call("GET", url, headers={"Authorization": f"Basic {METRICS_TOKEN}"}), 401, "metrics_token")
    # A user's or an invitation's token opens the API, not the figures.
    assert_error(await call("GET", url, shared_server.tokens["admin"]), 401, "metrics_token")
    reply = await call("GET", url, METRICS_TOKEN)
    assert reply.status == 200 and "diemcau_connected_consoles" in reply.body


@dataclass
class Restarts:
    """A demo served on one data directory under one signing key, then again under another."""

    first: Server
    first_log: str
    first_tokens_file: dict[str, Any]
    again: Server
    again_tokens_file: dict[str, Any]
    directory: Path
    # What the first start's two addresses answered: (status, body) by name.
    probes: dict[str, tuple[int, str]]


@pytest.fixture(scope="module")
async def restarts(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Restarts]:
    directory = tmp_path_factory.mktemp("rekeyed")
    metrics_port = free_port()
    # The first start also has /metrics on an address of its own and no token on the main one.
    first = await start_server(
        directory,
        {
            "DIEMCAU_SECRET_KEY": "test-secret-key-one",
            "DIEMCAU_METRICS_TOKEN": "",
            "DIEMCAU_METRICS_LISTEN": f"127.0.0.1:{metrics_port}",
        },
    )
    first_tokens_file = json.loads((directory / "tokens.json").read_text())
    probes = {}
    own = f"http://127.0.0.1:{metrics_port}"
    async with aiohttp.ClientSession() as http:
        for name, url in (
            ("own", own + "/metrics"),
            ("own_healthz", own + "/healthz"),
            ("main", first.base_url + "/metrics"),
        ):
            async with http.get(url) as response:
                probes[name] = (response.status, await response.text())
    stop_server(first)
    first_log = first.log.read_text(encoding="utf-8")
    again = await start_server(directory, {"DIEMCAU_SECRET_KEY": "test-secret-key-two"})
    yield Restarts(
        first,
        first_log,
        first_tokens_file,
        again,
        json.loads((directory / "tokens.json").read_text()),
        directory,
        probes,
    )
    stop_server(again)


async def test_metrics_on_their_own_address_need_no_token_and_the_main_one_refuses(restarts: Restarts) -> None:
    probes = restarts.probes
    assert probes["own"][0] == 200 and "diemcau_connected_consoles" in probes["own"][1]
    # Nothing but /metrics is served there.
    assert probes["own_healthz"][0] == 404
    status, body = probes["main"]
    error = json.loads(body)["error"]
    assert status == 404 and error["code"] == "metrics_off" and "DIEMCAU_METRICS_TOKEN" in error["message"]


async def test_staff_passwords_are_shown_by_the_start_that_made_them_only(restarts: Restarts) -> None:
    passwords = restarts.first_tokens_file["passwords"]
    assert set(passwords) == {"admin", "chair"}
    for role, password in passwords.items():
        assert f"(login {role} / {password})" in restarts.first_log
    again = restarts.again.log.read_text(encoding="utf-8")
    assert "passwords" not in restarts.again_tokens_file
    assert not any(password in again for password in passwords.values())
    assert "The staff passwords were shown once" in again and "diemcau create-user" in again
    assert "were shown once" not in restarts.first_log


async def test_a_changed_signing_key_is_logged_once_and_the_links_it_hides_marked(
    restarts: Restarts, call: Call
) -> None:
    s, admin = restarts.again, restarts.again.tokens["admin"]
    assert KEY_CHANGED not in restarts.first_log
    warnings = [line for line in s.log.read_text(encoding="utf-8").splitlines() if KEY_CHANGED in line]
    assert len(warnings) == 1 and " WARNING " in warnings[0]
    listed = (await call("GET", s.api("/invitations"), admin)).body["items"]
    assert listed and f"the links of {len(listed)} invitations made before cannot be shown" in warnings[0]
    # The demo prints none of the links it cannot derive, and says how many.
    assert not s.tokens["operators"] and not s.tokens["delegates"] and s.tokens["display"] is None
    assert s.tokens["hidden_links"] == len(
        listed
    ) and f"{len(listed)} more links were made under an earlier" in s.log.read_text(encoding="utf-8")
    assert all(i["url_works"] is False and i["key_changed_at"] for i in listed)
    stale = next(i for i in listed if i["role"] == "operator" and i["point_id"] is not None)
    async with aiohttp.ClientSession() as browser:
        # What the new key derives opens nothing; the link handed out under the old key still does.
        async with browser.get(stale["url"], allow_redirects=False) as response:
            assert response.status == 401
        async with browser.get(
            f"{s.base_url}/join/{restarts.first.tokens['operators']['HGI']}", allow_redirects=False
        ) as response:
            assert response.status == 302
        qr = f"{s.base_url}/admin/{s.conference_id}/invitations/{stale['id']}/qr.svg"
        async with browser.get(qr, headers={"Authorization": f"Bearer {admin}"}) as response:
            assert response.status == 409

    fresh = await call("POST", s.api(f"/invitations/{stale['id']}/reissue"), admin, json={})
    assert fresh.status == 201, fresh.body
    assert fresh.body["url_works"] is True and fresh.body["key_changed_at"] is None
    marks = {i["id"]: i["url_works"] for i in (await call("GET", s.api("/invitations"), admin)).body["items"]}
    assert marks[fresh.body["id"]] is True and marks[stale["id"]] is False

    stop_server(s)
    third = await start_server(restarts.directory, {"DIEMCAU_SECRET_KEY": "test-secret-key-two"})
    try:
        assert KEY_CHANGED not in third.log.read_text(encoding="utf-8")
        again = {
            i["id"]: i for i in (await call("GET", third.api("/invitations"), third.tokens["admin"])).body["items"]
        }
        assert again[stale["id"]]["key_changed_at"] == stale["key_changed_at"]
        assert again[fresh.body["id"]]["url_works"] is True
    finally:
        stop_server(third)


def test_the_signing_key_migration_goes_down_and_up(tmp_path: Path) -> None:
    config = alembic_config(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    command.upgrade(config, "head")
    command.downgrade(config, "0011")
    with closing(sqlite3.connect(tmp_path / "m.db")) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'signing_key'").fetchall() == []
    command.upgrade(config, "head")
    with closing(sqlite3.connect(tmp_path / "m.db")) as db:
        assert {row[1] for row in db.execute("PRAGMA table_info(signing_key)")} == {"id", "fingerprint", "changed_at"}
