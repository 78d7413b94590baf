"""One rehearsal from start to end: reach the servers, set up, connect consoles, run the actors, gather the figures."""

from __future__ import annotations

import asyncio
import random
import time
from contextlib import suppress
from typing import Any

import aiohttp

from server.simulate import actors, probes
from server.simulate.api import Api, ApiError
from server.simulate.consoles import console_worker, plan
from server.simulate.options import Options
from server.simulate.stats import Move, Recorder, fanout
from server.simulate.workers import Workers
from server.simulate.workshop import Rehearsal, set_up, sign_in

RUN_ACTIONS = ("check_in", "check_out", "agenda_next", "comment")
# Always in the report, even at zero: what a rehearsal is expected to exercise.
REPORTED = ("connect", "join", "check_in", "agenda_next", "comment")
BURST_ACTIONS = ("burst_check_in", "burst_check_out")
# Time given to the last agenda move to reach every console after the actors stop.
FANOUT_GRACE = 10.0
# Memory is read a moment after the last join, once the server has answered and freed what the joins needed.
SETTLE = 1.0


async def _connect(workers: Workers, options: Options, rehearsal: Rehearsal, recorder: Recorder) -> float:
    """Open every console through the workers, in waves; the seconds it took."""
    specs = plan(
        options.urls, rehearsal.operator_tokens, rehearsal.delegate_tokens, rehearsal.display_token, options.consoles
    )
    parts = options.processes
    per_worker = max(1, options.connect_concurrency // parts)
    began = time.perf_counter()
    results = await workers.each(
        [("open", specs[w::parts], rehearsal.conference_id, rehearsal.seq, per_worker) for w in range(parts)],
        timeout=600 + options.consoles,
    )
    seconds = time.perf_counter() - began
    for result in results:
        for step in ("connect", "join"):
            for latency in result[step]:
                recorder.ok(step, latency)
        for key, count in result["errors"].items():
            step, why = key.split(": ", 1)
            recorder.action(step).errors[why] += count
    recorder.span(("connect", "join"), seconds)
    return seconds


async def _act(chair: Api, options: Options, rehearsal: Rehearsal, recorder: Recorder,
               rng: random.Random, desks: list[actors.Desk], moves: list[Move]) -> None:
    """The run: every point's operator, the chair and the delegates, for the duration; then the write burst."""
    loop = asyncio.get_running_loop()
    http, urls, c = chair.http, options.urls, rehearsal.conference_id
    tag = f"sim{options.seed}-{c}"
    clock = actors.Clock(loop.time() + options.duration)
    tasks = [
        actors.operator(Api(http, urls[i % len(urls)], token), c, desks[i], options.checkin_rate, clock, recorder,
                        random.Random(rng.random()), f"{tag}-p{i}")
        for i, token in enumerate(rehearsal.operator_tokens)
    ]
    tasks += [
        actors.delegate(
            Api(http, urls[i % len(urls)], token),
            c,
            rehearsal.anchors,
            options.comment_rate,
            clock,
            recorder,
            random.Random(rng.random()),
            f"{tag}-d{i}",
        )
        for i, token in enumerate(rehearsal.delegate_tokens)
    ]
    tasks.append(actors.chair(chair, c, options.agenda_interval, clock, recorder, moves))
    began = loop.time()
    await asyncio.gather(*tasks)
    recorder.span(RUN_ACTIONS, loop.time() - began)
    if options.write_burst <= 0:
        return
    burst = actors.Clock(loop.time() + options.write_burst)
    began = loop.time()
    await asyncio.gather(*(
        actors.operator(Api(http, urls[i % len(urls)], token), c, desks[i], 0, burst, recorder,
                        random.Random(rng.random()), f"{tag}-b{i}", "burst_check_in")
        for i, token in enumerate(rehearsal.operator_tokens)
    ))
    recorder.span(BURST_ACTIONS, loop.time() - began)



async def _consoles_and_actors(
    chair: Api, options: Options, rehearsal: Rehearsal, rng: random.Random
) -> dict[str, Any]:
    recorder = Recorder(REPORTED if options.consoles else REPORTED[2:])
    http = chair.http
    desks = []
    for point_id in rehearsal.point_ids:
        absent = list(rehearsal.people_by_point[point_id])
        rng.shuffle(absent)
        desks.append(actors.Desk(absent))
    rss_before = probes.rss_kib(options.server_pids) if options.server_pids else None
    workers = Workers(options.processes, console_worker) if options.consoles else None
    moves: list[Move] = []
    consoles: list[dict[str, Any]] = []
    connect_seconds = 0.0
    try:
        if workers is not None:
            connect_seconds = await _connect(workers, options, rehearsal, recorder)
        await asyncio.sleep(SETTLE)
        rss_after = probes.rss_kib(options.server_pids) if options.server_pids else None
        held = await probes.metrics(http, options.urls)
        await _act(chair, options, rehearsal, recorder, rng, desks, moves)
        if workers is not None:
            if moves:
                await workers.all("wait", moves[-1].item_id, FANOUT_GRACE, timeout=FANOUT_GRACE + 60)
            consoles = [c for part in await workers.all("collect") for c in part]
        after = await probes.metrics(http, options.urls)
    finally:
        if workers is not None:
            await workers.stop("close")
    connected = len(consoles)
    return {
        "actions": recorder.report(),
        "fanout": fanout(moves, consoles),
        "consoles": {
            "asked": options.consoles,
            "connected": connected,
            "still_connected": sum(1 for c in consoles if c["connected"]),
            "disconnects": sum(1 for c in consoles if not c["connected"]),
            "disconnect_reasons": _count(c["close_reason"] for c in consoles if not c["connected"]),
            "reconnects": sum(c["reconnects"] for c in consoles),
            "by_kind": _count(c["kind"] for c in consoles),
            "events_received": sum(c["events"] for c in consoles),
            "connect_seconds": round(connect_seconds, 2),
        },
        "server": {
            "metrics_held": held,
            "metrics_after": after,
            "rss_before_kib": rss_before,
            "rss_after_kib": rss_after,
            "rss_per_console_kib": round((rss_after - rss_before) / connected, 1)
            if rss_before is not None and rss_after is not None and connected else None,
        },
    }


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def clean(result: dict[str, Any]) -> bool:
    """Every action acknowledged, every console held to the end, every agenda move delivered."""
    consoles = result["consoles"]
    return (
        all(not a["errors"] for a in result["actions"].values())
        and consoles["connected"] == consoles["asked"] == consoles["still_connected"]
        and result["fanout"]["missed"] == 0
    )


async def rehearse(options: Options) -> dict[str, Any]:
    """The whole rehearsal; a SystemExit with the reason when a server cannot be reached or refuses the set-up."""
    rng = random.Random(options.seed)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        for url in options.urls:
            why = await probes.reachable(http, url)
            if why is not None:
                raise SystemExit(f"diemcau simulate: cannot reach {url} ({why})")
        first = Api(http, options.urls[0])
        admin = first.as_(await sign_in(first, options.admin))
        chair = first.as_(await sign_in(first, options.chair))
        try:
            try:
                rehearsal = await set_up(admin, options, rng)
            except ApiError as error:
                raise SystemExit(f"diemcau simulate: setting up the rehearsal failed when {error}") from None
            result = await _consoles_and_actors(chair, options, rehearsal, rng)
        finally:
            # Sessions this run opened are closed; tokens it was given are left as they were. A server that is
            # away must not hide why the run ended.
            for api, who in ((admin, options.admin), (chair, options.chair)):
                if who.token is None:
                    with suppress(aiohttp.ClientError, TimeoutError):
                        await api.call("POST", "/auth/logout")
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "urls": list(options.urls),
        "options": {k: v for k, v in vars(options).items() if k not in ("admin", "chair", "urls")}
        | {"admin_user": options.admin.user, "chair_user": options.chair.user},
        "conference": {"id": rehearsal.conference_id, "title": rehearsal.title, "points": len(rehearsal.point_ids),
                       "participants": options.participants, "delegates": len(rehearsal.delegate_tokens),
                       "agenda_items": rehearsal.agenda_items, **rehearsal.timings},
        **result,
    }
    result["clean"] = clean(result)
    return result
