"""HTTP calls as the tests make them: a bearer token, and the answer's status and body decoded when it is JSON."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class Reply:
    """A response's status and decoded body."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Call = Callable[..., Awaitable[Reply]]


def caller(http: aiohttp.ClientSession) -> Call:
    """The `call` fixture's function over a session of one's own, for a module-scoped fixture."""

    async def _call(method: str, url: str, token: str | None = None, **kwargs: Any) -> Reply:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with http.request(method, url, headers=headers, **kwargs) as response:
            raw = await response.read()
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            return Reply(response.status, body, dict(response.headers))

    return _call
