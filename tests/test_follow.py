"""The console's cursor against a model server: lost, repeated and reordered events, reconnects, snapshots."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.events import EVERYTHING
from tests.support.cursor import Cursor

STREAMS = ["public", "staff", "point:1", "point:2", "participant:5", "participant:6"]
SEES = {
    "staff": None,
    "operator": {"public", "point:1"},
    "delegate": {"public", "participant:5"},
    "display": {"public"},
}


@dataclass
class Log:
    """A conference's event log as the server keeps it, with the join answer of events.replay."""

    events: list[dict[str, Any]] = field(default_factory=list)
    oldest: int = 1

    def append(self, stream: str) -> dict[str, Any]:
        prev = max((e["seq"] for e in self.events if e["stream"] == stream), default=0)
        event = {"seq": len(self.events) + 1, "stream": stream, "prev": prev}
        self.events.append(event)
        return event

    def join(self, sees: set[str] | None, after: int, limit: int = 10_000) -> dict[str, Any]:
        newest = len(self.events)
        visible = [e for e in self.events if sees is None or e["stream"] in sees]
        if sees is None:
            heads = {EVERYTHING: newest}
        else:
            heads = {s: max((e["seq"] for e in visible if e["stream"] == s), default=0) for s in sees}
        if after > newest or after < self.oldest - 1 or newest - after > limit:
            return {"ok": True, "snapshot": True, "seq": newest, "streams": heads}
        return {"ok": True, "events": [e for e in visible if e["seq"] > after], "seq": newest, "streams": heads}


def visible(log: Log, sees: set[str] | None) -> list[int]:
    return [e["seq"] for e in log.events if sees is None or e["stream"] in sees]


def join(cursor: Cursor, log: Log, sees: set[str] | None, applied: list[int]) -> None:
    """Join, and join again for as long as the answer shows a stream the console fell behind in."""
    while True:
        ack = log.join(sees, cursor.resume_from())
        if ack.get("snapshot"):
            # The console reloads its state: everything up to the answer's seq.
            applied[:] = visible(log, sees)
        applied.extend(e["seq"] for e in cursor.joined(ack))
        if not cursor.lost:
            return


@settings(max_examples=300, deadline=None)
@given(
    role=st.sampled_from(sorted(SEES)),
    steps=st.lists(
        st.tuples(
            st.sampled_from(STREAMS),
            st.sampled_from(["deliver", "deliver", "deliver", "drop", "late", "twice", "away"]),
        ),
        max_size=60,
    ),
)
def test_every_visible_event_once_whatever_the_wire_does(role: str, steps: list[tuple[str, str]]) -> None:
    sees = SEES[role]
    log, cursor, applied = Log(), Cursor(0), []
    join(cursor, log, sees, applied)
    late: list[dict[str, Any]] = []
    connected = True
    for stream, fate in steps:
        event = log.append(stream)
        if fate == "away":
            connected = not connected
            if connected:
                join(cursor, log, sees, applied)
            continue
        if not connected or (sees is not None and stream not in sees):
            continue
        if fate == "late":
            late.append(event)
            continue
        if fate != "drop":
            applied.extend(e["seq"] for e in cursor.push(event))
        if fate == "twice":
            applied.extend(e["seq"] for e in cursor.push(event))
        for held in late:
            applied.extend(e["seq"] for e in cursor.push(held))
        late.clear()
        if cursor.behind and fate == "deliver":
            # The moment's grace is over and the predecessor never came: the console joins again.
            join(cursor, log, sees, applied)
    join(cursor, log, sees, applied)
    assert len(applied) == len(set(applied)), "an event was applied twice"
    assert sorted(applied) == visible(log, sees)
    for stream in STREAMS:
        in_stream = [seq for seq in applied if log.events[seq - 1]["stream"] == stream]
        assert in_stream == sorted(in_stream), f"{stream} applied out of order"


def test_a_gap_in_the_own_stream_is_noticed_at_once() -> None:
    log, cursor = Log(), Cursor(0)
    cursor.joined(log.join({"public", "point:1"}, 0))
    first = log.append("point:1")
    log.append("point:2")
    third = log.append("public")
    lost = log.append("point:1")
    after = log.append("point:1")
    assert cursor.push(first) == [first]
    assert cursor.push(third) == [third]
    assert not cursor.behind
    assert cursor.push(after) == []
    assert cursor.behind and cursor.resume_from() == first["seq"]
    replay = log.join({"public", "point:1"}, cursor.resume_from())
    assert cursor.joined(replay) == [lost, after]
    assert not cursor.behind and cursor.seq == after["seq"]


def test_staff_expect_every_seq_in_turn() -> None:
    log, cursor = Log(), Cursor(0)
    cursor.joined(log.join(None, 0))
    one, two, three = log.append("point:7"), log.append("participant:9"), log.append("staff")
    assert cursor.push(one) == [one]
    assert cursor.push(three) == []
    assert cursor.push(two) == [two, three]
    assert cursor.push(two) == []
    assert not cursor.behind


def test_a_join_that_shows_a_stream_ahead_asks_again_from_there() -> None:
    log, cursor = Log(), Cursor(0)
    cursor.joined(log.join({"public", "point:1"}, 0))
    lost = log.append("public")
    got = log.append("point:1")
    assert cursor.push(got) == [got]
    ack = log.join({"public", "point:1"}, cursor.resume_from())
    assert cursor.joined(ack) == [] and cursor.lost
    assert cursor.resume_from() == 0
    assert cursor.joined(log.join({"public", "point:1"}, cursor.resume_from())) == [lost]
    assert not cursor.behind


def test_a_snapshot_starts_over_from_its_seq() -> None:
    log, cursor = Log(), Cursor(0)
    cursor.joined(log.join({"public"}, 0))
    for _ in range(5):
        log.append("public")
    log.oldest = 4
    ack = log.join({"public"}, cursor.resume_from())
    assert ack["snapshot"]
    assert cursor.joined(ack) == []
    assert cursor.seq == 5 and not cursor.behind
    nxt = log.append("public")
    assert cursor.push(nxt) == [nxt]


def test_a_stream_whose_old_events_were_pruned_still_follows() -> None:
    cursor = Cursor(0)
    cursor.joined({"ok": True, "events": [], "seq": 40, "streams": {"public": 40, "participant:5": 12}})
    # The participant's events were all pruned since: the server now numbers its next one from nothing.
    event = {"seq": 41, "stream": "participant:5", "prev": 0}
    assert cursor.push(event) == [event]
