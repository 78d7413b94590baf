"""Counting what the actors did: latencies and errors per action, and the agenda's fan-out to the consoles."""
from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from server.simulate.api import Answer


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary_ms(samples: list[float]) -> dict[str, float | int | None]:
    """n, p50, p99 and max of samples in seconds, in milliseconds."""
    if not samples:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(samples)
    return {"n": len(ordered), "p50_ms": round(percentile(ordered, 0.5) * 1000, 1),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


@dataclass
class Action:
    """One kind of action: the latencies of those acknowledged, the refusals by status and code."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def report(self) -> dict[str, Any]:
        ok = len(self.latencies)
        return {
            "count": ok + sum(self.errors.values()),
            "ok": ok,
            "per_second": round(ok / self.seconds, 2) if self.seconds else None,
            **{k: v for k, v in summary_ms(self.latencies).items() if k != "n"},
            "errors": dict(self.errors),
        }


class Recorder:
    """Every action's figures, by name, in the order they first happened."""

    def __init__(self, names: tuple[str, ...] = ()) -> None:
        self.actions: dict[str, Action] = {name: Action() for name in names}

    def action(self, name: str) -> Action:
        return self.actions.setdefault(name, Action())

    def ok(self, name: str, seconds: float) -> None:
        self.action(name).latencies.append(seconds)

    def error(self, name: str, key: str) -> None:
        self.action(name).errors[key] += 1

    def span(self, names: tuple[str, ...], seconds: float) -> None:
        """The phase these actions ran in, for their rate."""
        for name in names:
            if name in self.actions:
                self.actions[name].seconds = seconds

    async def timed(self, name: str, request: Awaitable[Answer], ok: tuple[int, ...] = (200, 201)) -> Answer | None:
        """Await one API call; an acknowledged one counts its latency, anything else counts as `status code`."""
        began = time.perf_counter()
        try:
            answer = await request
        except (aiohttp.ClientError, TimeoutError) as error:
            self.error(name, type(error).__name__)
            return None
        if answer.status in ok:
            self.ok(name, time.perf_counter() - began)
            return answer
        self.error(name, f"{answer.status} {answer.code}")
        return answer

    def report(self) -> dict[str, dict[str, Any]]:
        return {name: action.report() for name, action in self.actions.items()}


@dataclass(frozen=True)
class Move:
    """One agenda move of the chair: when its request left, and the item it started."""

    sent_at: float
    item_id: int


def fanout(moves: list[Move], consoles: list[dict[str, Any]]) -> dict[str, Any]:
    """Per (console, move): arrival of `agenda.item_started` minus the request's departure; per move that reached every
    console: the last arrival.

    Every console opened is expected to receive every move: one the server let go comes back and has what it missed
    replayed at its join, so one that never received a move missed it, whatever became of it. The latencies are
    over the deliveries made only, and a move that reached no console adds none.
    """
    per_console: list[float] = []
    everyone: list[float] = []
    reached = 0
    for move in moves:
        key = str(move.item_id)
        arrivals = [console["started"][key] - move.sent_at for console in consoles if key in console["started"]]
        per_console.extend(arrivals)
        reached += len(arrivals)
        if arrivals and len(arrivals) == len(consoles):
            everyone.append(max(arrivals))
    expected = len(moves) * len(consoles)
    return {
        "moves": len(moves),
        "expected": expected,
        "reached": reached,
        "missed": expected - reached,
        "moves_reaching_all": len(everyone),
        "per_console": summary_ms(per_console),
        "every_console": summary_ms(everyone),
    }
