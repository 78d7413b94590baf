"""Login throttling per account and per address, kept in memory for the window."""
from __future__ import annotations

import time
from collections import defaultdict, deque

from aiohttp import web

from server.errors import RateLimited


class LoginThrottle:
    """Refuses further attempts once an account or an address failed too often within the window."""

    def __init__(self, attempts: int, window_seconds: int) -> None:
        self._attempts = attempts
        self._window = window_seconds
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures[key]
        cutoff = time.monotonic() - self._window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures

    def check(self, username: str, address: str) -> None:
        for key in (f"user:{username}", f"addr:{address}"):
            recent = self._recent(key)
            if len(recent) >= self._attempts:
                retry = int(recent[0] + self._window - time.monotonic()) + 1
                raise RateLimited("Too many failed logins; try again later", {"retry_after": retry})

    def failed(self, username: str, address: str) -> None:
        now = time.monotonic()
        self._failures[f"user:{username}"].append(now)
        self._failures[f"addr:{address}"].append(now)


throttle_key = web.AppKey("login_throttle", LoginThrottle)
