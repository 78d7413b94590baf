"""A console's place in a conference's event log: what to apply, what is a repeat, and when one was missed.

The rule the browser consoles follow (web/static/js/cursor.js), in Python for the tests that play a console. Each
event names its stream and the seq of the previous event of that stream (`prev`); a join's answer gives the newest
seq of every stream the caller sees, or `{"*": seq}` for staff, who see every event and so expect each seq to follow
the one before. An event whose predecessor has not been applied is held: with several server processes, events can
arrive slightly out of order. Still held after a moment, it means one was lost, and the console joins again from
`resume_from()`; so does a console whose join showed a stream further on than it got.
"""
from __future__ import annotations

from typing import Any

from server.events import EVERYTHING

Envelope = dict[str, Any]


class Cursor:
    """The last seq applied in each stream, the events held until their predecessor arrives, and the
    streams a join showed to be behind."""

    def __init__(self, seq: int = 0) -> None:
        # The highest seq applied: where a join after a plain reconnect resumes.
        self.seq = seq
        self._heads: dict[str, int] = {}
        self._held: dict[int, Envelope] = {}
        self._missing: dict[str, int] = {}

    @property
    def behind(self) -> bool:
        """True while the console knows it lacks an event: one is held, or a join showed a stream ahead."""
        return bool(self._held) or self.lost

    @property
    def lost(self) -> bool:
        """True when a join showed that an event is gone from the push stream for good: join again at once."""
        return bool(self._missing)

    def resume_from(self) -> int:
        """The after_seq for the next join: early enough to bring back whatever the console knows it lacks."""
        held = (self._head(event) for event in self._held.values())
        return min([self.seq, *held, *self._missing.values()])

    def joined(self, ack: dict[str, Any]) -> list[Envelope]:
        """Take a join's answer and return the replayed events to apply, in order (none for a snapshot,
        after which the console reloads its state as of `ack["seq"]`)."""
        if ack.get("snapshot"):
            self._heads, self.seq, self._missing = dict(ack["streams"]), ack["seq"], {}
            return self._release()
        self.seq = max(self.seq, ack["seq"])
        if not self._heads:
            # The first join: the console loaded its state after the page's seq, the replay brings the rest.
            self._heads = dict(ack["streams"])
            return list(ack["events"])
        for event in ack["events"]:
            if not self._seen(event):
                self._held[event["seq"]] = event
        replayed = self._release()
        # A stream still short of its newest event lost one from before this join's after_seq (say, the
        # last of that stream before a reconnect): the replay cannot bring it, a join from our head can.
        self._missing = {s: self._heads.get(s, 0) for s, head in ack["streams"].items() if self._heads.get(s, 0) < head}
        return replayed

    def push(self, event: Envelope) -> list[Envelope]:
        """Take a pushed event; return those that can be applied now, in order."""
        if self._seen(event):
            return []
        self._held[event["seq"]] = event
        return self._release()

    def _key(self, event: Envelope) -> str:
        return EVERYTHING if EVERYTHING in self._heads else str(event["stream"])

    def _head(self, event: Envelope) -> int:
        return self._heads.get(self._key(event), 0)

    def _seen(self, event: Envelope) -> bool:
        return int(event["seq"]) <= self._head(event)

    def _follows(self, event: Envelope) -> bool:
        # Staff see every event, so each seq follows the one before; otherwise `prev` is within the stream.
        # Lower than the head only when the stream's older events were pruned.
        prev = event["seq"] - 1 if EVERYTHING in self._heads else event["prev"]
        return int(prev) <= self._head(event)

    def _release(self) -> list[Envelope]:
        ready: list[Envelope] = []
        progress = True
        while progress:
            progress = False
            for seq in sorted(self._held):
                event = self._held[seq]
                if self._seen(event):
                    del self._held[seq]
                elif self._follows(event):
                    del self._held[seq]
                    self._heads[self._key(event)] = seq
                    self.seq = max(self.seq, seq)
                    ready.append(event)
                    progress = True
        return ready
