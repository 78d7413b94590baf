"""A sliding window of recent moments per key, kept in memory: the shape of every rate limit here."""
from __future__ import annotations

import time
from collections import deque

# Past this many keys, keys whose moments all left the window are swept, so unique keys cannot fill the memory.
SWEEP_AT = 50_000


class SlidingWindow:
    """At most `limit` moments per key within the last `seconds`; a key at the limit waits for its oldest to leave."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._moments: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float] | None:
        moments = self._moments.get(key)
        if moments is None:
            return None
        cutoff = now - self.seconds
        while moments and moments[0] <= cutoff:
            moments.popleft()
        if not moments:
            del self._moments[key]
            return None
        return moments

    def retry_after(self, key: str) -> int | None:
        """Whole seconds until `key` may act again, or None while it is under the limit."""
        now = time.monotonic()
        moments = self._recent(key, now)
        if moments is None or len(moments) < self.limit:
            return None
        return int(moments[0] + self.seconds - now) + 1

    def add(self, key: str) -> None:
        if len(self._moments) >= SWEEP_AT:
            now = time.monotonic()
            for stale in list(self._moments):
                self._recent(stale, now)
        # Only the last `limit` moments decide, so no key keeps more than that.
        self._moments.setdefault(key, deque(maxlen=self.limit)).append(time.monotonic())

    def take(self, key: str) -> int | None:
        """Record one moment for `key` if it is under the limit (None); otherwise the seconds to wait, recording
        nothing."""
        retry = self.retry_after(key)
        if retry is None:
            self.add(key)
        return retry
