"""The baseline for bench.broadcast: aiohttp + python-socketio and nothing else.

    .venv/bin/python -m bench.bare_server --port 8765

No database, no authorization, no event log. A client connects with any auth, emits
`join` (anything) and enters one room. `POST /payload` with `{"rounds": [[envelope, ...], ...]}`
sets what `POST /go?round=r` emits, in order, as `event` to that room: the envelopes of
`rounds[r % len(rounds)]`, their seqs renumbered upwards so every emit is a new event.
`/go` answers after the emits.
"""
from __future__ import annotations

import argparse
from typing import Any

import socketio
from aiohttp import web

ROOM = "everyone"


def one_room(app: web.Application) -> socketio.AsyncServer:
    """python-socketio attached to the app: any client connects, and `join` puts it in the one room."""
    sio = socketio.AsyncServer(async_mode="aiohttp")
    sio.attach(app)

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        return None

    @sio.event
    async def join(sid: str, data: Any) -> dict[str, Any]:
        await sio.enter_room(sid, ROOM)
        return {"ok": True}

    return sio


def create_app() -> web.Application:
    app = web.Application()
    sio = one_room(app)
    state: dict[str, Any] = {"rounds": [[]], "seq": 0}

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def payload(request: web.Request) -> web.Response:
        rounds = (await request.json())["rounds"]
        state["rounds"] = rounds
        state["seq"] = max((e.get("seq", 0) for envelopes in rounds for e in envelopes), default=0)
        return web.json_response({"ok": True, "rounds": len(rounds)})

    async def go(request: web.Request) -> web.Response:
        sent = []
        rounds = state["rounds"]
        for envelope in rounds[int(request.query.get("round", "0")) % len(rounds)]:
            state["seq"] += 1
            envelope = {**envelope, "seq": state["seq"]}
            await sio.emit("event", envelope, room=ROOM)
            sent.append(envelope["seq"])
        return web.json_response({"ok": True, "seqs": sent})

    app.router.add_get("/healthz", healthz)
    app.router.add_post("/payload", payload)
    app.router.add_post("/go", go)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(create_app(), host="127.0.0.1", port=args.port, print=None, shutdown_timeout=5)
