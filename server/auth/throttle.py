"""Login throttling kept in memory: per address, and per username that has no account.

An account's own lockout is in the database (auth.operations.count_failed_login). Names without an
account are counted here the same way, so a guesser cannot tell a real name by its being locked.
"""
from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from aiohttp import web

from server.auth.operations import Lockout
from server.errors import RateLimited

# Beyond this many remembered keys, stale ones are dropped, so spraying names or addresses cannot fill memory.
MAX_KEYS = 100_000


@dataclass
class _NameCount:
    """Failed logins of one unknown name, as the database counts an account's."""

    failures: int
    since: float
    locked_until: float = 0.0


class LoginThrottle:
    """Refuses an address that failed too often within the window, and an unknown name as if it were locked."""

    def __init__(self, lockout: Lockout, address_attempts: int) -> None:
        self._lockout = lockout
        self._window = lockout.window.total_seconds()
        self._address_attempts = address_attempts
        self._addresses: defaultdict[str, deque[float]] = defaultdict(deque)
        self._names: dict[str, _NameCount] = {}

    def _recent(self, address: str) -> deque[float]:
        failures = self._addresses.get(address)
        if failures is None:
            return deque()
        cutoff = time.monotonic() - self._window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures

    def check(self, username: str, address: str) -> None:
        now = time.monotonic()
        count = self._names.get(username)
        if count is not None and count.locked_until > now:
            raise RateLimited(
                "This account is locked after too many failed logins; try again later or ask an admin to unlock it",
                {"retry_after": math.ceil(count.locked_until - now)},
                code="locked",
            )
        recent = self._recent(address)
        if len(recent) >= self._address_attempts:
            retry = math.ceil(recent[0] + self._window - now)
            raise RateLimited(
                "Too many failed logins from this address; try again later", {"retry_after": max(retry, 1)}
            )

    def failed(self, address: str, unknown_name: str | None = None) -> None:
        """Count a failure against the address, and against the name when no account has it."""
        now = time.monotonic()
        if len(self._addresses) + len(self._names) > MAX_KEYS:
            self._prune(now)
        self._addresses[address].append(now)
        if unknown_name is None:
            return
        count = self._names.get(unknown_name)
        if count is None or now - count.since > self._window or count.locked_until:
            count = self._names[unknown_name] = _NameCount(0, now)
        count.failures += 1
        if count.failures >= self._lockout.attempts:
            count.locked_until = now + self._lockout.duration.total_seconds()

    def lift_name(self, username: str) -> bool:
        return self._names.pop(username, None) is not None

    def lift_address(self, address: str) -> bool:
        """Forget an address's failures; True when it had any."""
        return bool(self._addresses.pop(address, None))

    def _prune(self, now: float) -> None:
        for address in [a for a in self._addresses if not self._recent(a)]:
            del self._addresses[address]
        for name in [n for n, c in self._names.items() if c.locked_until < now and now - c.since > self._window]:
            del self._names[name]


throttle_key = web.AppKey("login_throttle", LoginThrottle)
