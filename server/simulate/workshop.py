"""Set up the rehearsal workshop through the public API only, so it works against any running server."""
from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from server.simulate import people
from server.simulate.api import Answer, Api, ApiError
from server.simulate.options import Credentials, Options

DRAFT = Path(__file__).resolve().parents[1] / "demo" / "draft-vi.md"
# Set-up requests in flight at once: quick on a cluster, gentle on one SQLite writer.
SETUP_CONCURRENCY = 8
PAGE = 1000
T = TypeVar("T")


@dataclass
class Rehearsal:
    """What the actors and consoles need: ids and tokens of the workshop just set up."""

    conference_id: int
    title: str
    point_ids: list[int]
    operator_tokens: list[str]
    people_by_point: dict[int, list[int]]
    delegate_tokens: list[str]
    display_token: str
    anchors: list[str]
    agenda_items: int
    seq: int
    timings: dict[str, float] = field(default_factory=dict)


async def sign_in(api: Api, who: Credentials) -> str:
    """A bearer token for `who`: the one given, or a fresh login; a clear SystemExit when refused or of another role."""
    if who.token:
        me = await api.as_(who.token).call("GET", "/me")
        if me.status != 200:
            raise SystemExit(f"diemcau simulate: the {who.role} token was refused ({me.status} {me.code})")
        role = me.body.get("role")
        token = who.token
    else:
        answer = await api.call("POST", "/auth/login", json_body={"username": who.user, "password": who.password})
        if answer.status != 200:
            raise SystemExit(
                f"diemcau simulate: sign-in as {who.user} refused ({answer.status} {answer.code}: {answer.message})"
            )
        role = answer.body.get("role")
        token = str(answer.body["token"])
    if role != who.role:
        raise SystemExit(f"diemcau simulate: {who.user} is {role}, not {who.role}")
    return token


async def bounded(calls: Iterable[Callable[[], Awaitable[T]]], limit: int = SETUP_CONCURRENCY) -> list[T]:
    """Run the calls with at most `limit` in flight, answers in the calls' order."""
    slots = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with slots:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


def agenda_size(options: Options) -> int:
    """One item per move of the chair, and room for the opening and closing."""
    return math.ceil(options.duration / options.agenda_interval) + 3


async def _roster(
    admin: Api, c: int, rng: random.Random, points: list[dict[str, Any]], count: int
) -> dict[int, list[int]]:
    form = aiohttp.FormData()
    form.add_field(
        "file", people.roster_csv(rng, points, count), filename="danh-sach-dai-bieu.csv", content_type="text/csv"
    )
    report = await admin.expect(
        "importing the roster", "POST", f"/conferences/{c}/participants/import", form=form, timeout=300
    )
    if report.get("created") != count:
        raise ApiError(
            "importing the roster", Answer(422, {"error": {"code": "import_incomplete", "message": str(report)}})
        )
    by_point: dict[int, list[int]] = {p["id"]: [] for p in points}
    offset = 0
    while True:
        page = await admin.expect(
            "reading the roster", "GET", f"/conferences/{c}/participants?limit={PAGE}&offset={offset}"
        )
        for person in page["items"]:
            by_point[person["point_id"]].append(person["id"])
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return by_point


async def set_up(admin: Api, options: Options, rng: random.Random) -> Rehearsal:
    """Conference, points, roster, agenda, draft, invitations, then open it; every step over HTTP."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    stamp = datetime.now(UTC)
    title = f"Diễn tập hội thảo trực tuyến {stamp:%d/%m/%Y %H:%M:%S} (seed {options.seed})"
    conference = await admin.expect(
        "creating the conference",
        "POST",
        "/conferences",
        json_body={
            "title": title,
            "starts_at": stamp.isoformat(),
            "venue": "Hội trường Bộ Công an, Hà Nội",
            "chair_name": people.full_name(rng),
        },
    )
    c = int(conference["id"])
    fields = [people.point_fields(i) for i in range(options.points)]
    points = await bounded(
        partial(admin.expect, f"adding point {f['code']}", "POST", f"/conferences/{c}/points", json_body=f)
        for f in fields
    )
    by_point = await _roster(admin, c, rng, points, options.participants)
    for item in people.agenda_items(rng, agenda_size(options)):
        await admin.expect("adding an agenda item", "POST", f"/conferences/{c}/agenda", json_body=item)
    draft = await admin.expect("publishing the draft", "POST", f"/conferences/{c}/drafts", json_body={
        "format": "markdown", "title": "Dự thảo Quy chế phối hợp", "content": DRAFT.read_text(encoding="utf-8"),
    })
    anchors = [s["anchor"] for s in draft["sections"] if s["kind"] in ("article", "clause", "point")]
    operators = await bounded(
        partial(admin.expect, "inviting an operator", "POST", f"/conferences/{c}/invitations",
                json_body={"role": "operator", "point_id": p["id"]}) for p in points
    )
    everyone = [pid for ids in by_point.values() for pid in ids]
    chosen = rng.sample(everyone, options.delegates)
    delegates = await bounded(
        partial(admin.expect, "inviting a delegate", "POST", f"/conferences/{c}/invitations",
                json_body={"role": "delegate", "participant_id": d}) for d in chosen
    )
    display = await admin.expect(
        "inviting a display", "POST", f"/conferences/{c}/invitations", json_body={"role": "display"}
    )
    opened = await admin.expect("opening the conference", "POST", f"/conferences/{c}/open")
    return Rehearsal(
        conference_id=c,
        title=title,
        point_ids=[p["id"] for p in points],
        operator_tokens=[o["token"] for o in operators],
        people_by_point=by_point,
        delegate_tokens=[d["token"] for d in delegates],
        display_token=display["token"],
        anchors=anchors,
        agenda_items=agenda_size(options),
        seq=int(opened["seq"]),
        timings={"setup_seconds": round(loop.time() - began, 2)},
    )
