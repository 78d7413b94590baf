"""`diemcau simulate` against a real server: the report, the JSON, what the rehearsal left in the workshop, bad inputs,
and the load generator's own socket.io client."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from server.__main__ import main
from server.simulate.consoles import plan
from server.simulate.loopback import ROOT, Server, free_port
from server.simulate.options import add_arguments, options_from
from server.simulate.sio import SocketClient, SocketError, split_event
from server.simulate.stats import Move, fanout
from tests.support.http import Call
from tests.support.servers import METRICS_TOKEN

ACTIONS = ("connect", "join", "check_in", "agenda_next", "comment")
SMALL = ("--points", "4", "--participants", "40", "--consoles", "20", "--duration", "6",
         "--checkin-rate", "60", "--agenda-interval", "1.5", "--comment-rate", "12")


def passwords(server: Server) -> dict[str, str]:
    """The demo staff passwords, as the start that made them wrote them to the tokens file."""
    return dict(server.tokens["passwords"])


def simulate(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIEMCAU_SIMULATE_")}
    return subprocess.run(
        [sys.executable, "-m", "server", "simulate", *args], cwd=ROOT, env={**clean, **(env or {})},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False,
    )


def staff_env(server: Server) -> dict[str, str]:
    known = passwords(server)
    return {
        "DIEMCAU_SIMULATE_PASSWORD": known["admin"], "DIEMCAU_SIMULATE_CHAIR_PASSWORD": known["chair"],
        "DIEMCAU_METRICS_TOKEN": METRICS_TOKEN,
    }


async def test_a_rehearsal_reports_what_it_left_in_its_workshop(
    shared_server: Server, call: Call, tmp_path: Path
) -> None:
    output = tmp_path / "run.json"
    began = time.monotonic()
    done = await asyncio.to_thread(
        simulate, "--url", shared_server.base_url, *SMALL, "--json", str(output),
        "--server-pid", str(shared_server.process.pid), env=staff_env(shared_server),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.monotonic() - began < 30
    result = json.loads(output.read_text(encoding="utf-8"))
    rows = {
        line.split()[0]: line.split()
        for line in done.stdout.splitlines()
        if line.split() and line.split()[0] in result["actions"]
    }
    for name in ACTIONS:
        action = result["actions"][name]
        assert action["ok"] > 0 and action["count"] == action["ok"] and action["errors"] == {}, (name, action)
        assert rows[name][1] == str(action["count"]) and rows[name][-1] == "0"
    assert result["clean"] is True and "result: clean" in done.stdout
    consoles = result["consoles"]
    assert consoles["asked"] == consoles["connected"] == consoles["still_connected"] == 20
    assert consoles["by_kind"] == {"operator": 16, "display": 2, "delegate": 2}
    fan = result["fanout"]
    assert fan["moves"] == result["actions"]["agenda_next"]["ok"] and fan["missed"] == 0
    assert fan["reached"] == fan["expected"] == 20 * fan["moves"] and fan["moves_reaching_all"] == fan["moves"]
    assert fan["per_console"]["n"] == 20 * fan["moves"] and fan["every_console"]["p99_ms"] is not None
    assert result["server"]["metrics_held"]["consoles.operator"] >= 16
    assert result["server"]["rss_after_kib"] > 0

    # What the report counted is what the workshop holds, read back through the API.
    c, admin = result["conference"]["id"], shared_server.tokens["admin"]
    api = f"{shared_server.base_url}/api/v1/conferences/{c}"
    roster = (await call("GET", api + "/participants?limit=100", admin)).body
    assert roster["total"] == 40
    assert all(
        unicodedata.is_normalized("NFC", p["full_name"]) and len(p["full_name"].split()) >= 3 for p in roster["items"]
    )
    assert any(not p["full_name"].isascii() for p in roster["items"])
    attendance = (await call("GET", api + "/attendance", admin)).body
    checked_out = result["actions"].get("check_out", {"ok": 0})["ok"]
    assert attendance["totals"]["present"] == result["actions"]["check_in"]["ok"] - checked_out
    assert len(attendance["points"]) == 4
    comments = (await call("GET", api + "/comments?limit=500", admin)).body
    assert comments["total"] == result["actions"]["comment"]["ok"]
    agenda = (await call("GET", api + "/agenda", admin)).body["items"]
    moved = [i for i in agenda if i["status"] in ("live", "done")]
    assert len(moved) == result["actions"]["agenda_next"]["ok"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "the following arguments are required: --url"),
        (("--url", "ftp://example.org"), "is not an http(s) URL"),
        (("--url", "http://127.0.0.1:1", "--points", "0"), "--points must be more than zero"),
        (("--url", "http://127.0.0.1:1", "--points", "5", "--participants", "3"), "must be at least --points"),
        (("--url", "http://127.0.0.1:1", "--duration", "-1"), "--duration must be more than zero"),
        (("--url", "http://127.0.0.1:1", "--delegates", "50", "--participants", "40"), "cannot exceed --participants"),
        (("--url", "http://127.0.0.1:1", "--consoles", "ten"), "invalid int value"),
    ],
)
def test_bad_options_are_refused_with_a_reason(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["simulate", *args])
    said = stopped.value.code if isinstance(stopped.value.code, str) else capsys.readouterr().err
    assert stopped.value.code != 0 and message in said, said


def test_a_missing_password_is_asked_for_by_name() -> None:
    done = simulate("--url", "http://127.0.0.1:1")
    assert done.returncode == 1
    assert "give the admin's password with --password or DIEMCAU_SIMULATE_PASSWORD" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreachable_server_is_named() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = simulate("--url", url, "--password", "whatever-it-is", "--chair-password", "whatever-it-is")
    assert done.returncode == 1
    assert f"cannot reach {url}" in done.stderr and "Traceback" not in done.stderr


async def test_a_wrong_password_or_role_is_refused(shared_server: Server) -> None:
    known = passwords(shared_server)
    wrong = await asyncio.to_thread(simulate, "--url", shared_server.base_url, "--password", "not-the-password-at-all",
                                    "--chair-password", known["chair"])
    assert wrong.returncode == 1 and "sign-in as admin refused (401" in wrong.stderr, wrong.stderr
    swapped = await asyncio.to_thread(
        simulate,
        "--url",
        shared_server.base_url,
        "--user",
        "chair",
        "--password",
        known["chair"],
        "--chair-password",
        known["chair"],
    )
    assert swapped.returncode == 1 and "chair is chair, not admin" in swapped.stderr, swapped.stderr
    assert "Traceback" not in wrong.stderr + swapped.stderr


def test_event_frames_split_without_decoding_the_payload() -> None:
    assert split_event('["event",{"seq":3,"type":"x"}]') == ("event", '{"seq":3,"type":"x"}')
    assert split_event('["server.restarting"]') == ("server.restarting", "")


async def test_the_socket_client_is_refused_a_bad_token_and_receives_events_in_order(
    shared_server: Server, call: Call
) -> None:
    received: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as http:
        forged = SocketClient(http, shared_server.base_url, lambda *_: None)
        with pytest.raises(SocketError, match="unauthorized"):
            await forged.connect({"token": "forged"})
        assert not forged.connected

        client = SocketClient(http, shared_server.base_url, lambda name, args, at: received.append(json.loads(args)))
        await client.connect({"token": shared_server.tokens["display"]})
        try:
            seq = (await call("GET", shared_server.api(), shared_server.tokens["display"])).body["seq"]
            ack = await client.call("join", {"conference_id": shared_server.conference_id, "after_seq": seq})
            assert ack["ok"] is True and ack["events"] == [] and ack["seq"] == seq
            refused = await client.call("join", {"conference_id": shared_server.conference_id + 1000, "after_seq": 0})
            assert refused["ok"] is False and refused["error"]["code"] in ("forbidden", "not_found")

            chair = shared_server.tokens["chair"]
            agenda = (await call("GET", shared_server.api("/agenda"), chair)).body["items"]
            live = next((i["id"] for i in agenda if i["status"] == "live"), None)
            for _ in range(2):
                moved = await call("POST", shared_server.api("/agenda/next"), chair, json={"expected_current_id": live})
                assert moved.status == 200, moved.body
                live = moved.body["current"]["id"]
            for _ in range(200):
                if sum(e["type"] == "agenda.item_started" for e in received) >= 2:
                    break
                await asyncio.sleep(0.02)
            seqs = [e["seq"] for e in received]
            assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs[0] > seq
            assert [e["data"]["id"] for e in received if e["type"] == "agenda.item_started"][-1] == live
            assert client.connected
        finally:
            await client.close()
        assert not client.connected and client.close_reason is None


def test_a_move_that_reached_no_console_is_reported_missed_not_instant() -> None:
    consoles = [
        {"started": {"1": 10.2, "2": 12.1}, "connected": True},
        {"started": {"1": 10.4}, "connected": False},
    ]
    fan = fanout([Move(10.0, 1), Move(12.0, 2), Move(14.0, 3)], consoles)
    assert (fan["expected"], fan["reached"], fan["missed"], fan["moves_reaching_all"]) == (6, 3, 3, 1)
    assert fan["per_console"]["n"] == 3 and fan["per_console"]["max_ms"] == 400.0
    # Only the first move reached every console; the third reached none and adds no latency anywhere.
    assert fan["every_console"] == {"n": 1, "p50_ms": 400.0, "p99_ms": 400.0, "max_ms": 400.0}
    assert fanout([Move(1.0, 1)], [])["every_console"]["n"] == 0


def test_every_process_gets_its_share_of_consoles_and_actors() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--url", "http://10.0.0.5:8081,http://10.0.0.5:8082/", "--url", "http://10.0.0.5:8083",
                              "--token", "a", "--chair-token", "c"])
    urls = options_from(args).urls
    assert urls == ("http://10.0.0.5:8081", "http://10.0.0.5:8082", "http://10.0.0.5:8083")
    specs = plan(urls, ["o1", "o2"], ["d1"], "display", 30)
    assert [sum(s.url == url for s in specs) for url in urls] == [10, 10, 10]
    for url in urls:
        kinds = {s.kind for s in specs if s.url == url}
        assert kinds == {"operator", "display", "delegate"}, (url, kinds)
