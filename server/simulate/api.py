"""The public API as the rehearsal calls it: one request, its status, its decoded body, its error code."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

API = "/api/v1"


@dataclass(frozen=True)
class Answer:
    """A response's status and JSON body (None when it had none)."""

    status: int
    body: Any

    @property
    def code(self) -> str:
        """The protocol's error code, or the bare status when the body has none."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("code") or self.status)
        return str(self.status)

    @property
    def message(self) -> str:
        """The error's message, with the start of its details: which fields or rows were refused."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            error = self.body["error"]
            details = json.dumps(error.get("details"), ensure_ascii=False)[:300] if error.get("details") else ""
            return str(error.get("message") or "") + (f" {details}" if details else "")
        return str(self.body or "")[:200]


class ApiError(Exception):
    """A set-up step the server refused; the message says which step and why."""

    def __init__(self, step: str, answer: Answer) -> None:
        super().__init__(f"{step}: HTTP {answer.status} {answer.code}: {answer.message}")
        self.answer = answer


class Api:
    """Calls to one server as one caller (a bearer token); no CSRF, which only cookie sessions need."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str | None = None) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.token = token

    def as_(self, token: str) -> Api:
        return Api(self.http, self.base_url, token)

    async def call(self, method: str, path: str, *, json_body: Any = None, form: aiohttp.FormData | None = None,
                   key: str | None = None, timeout: float = 60.0) -> Answer:
        """`path` is under /api/v1 unless it starts with `//` (then it is taken from the server root)."""
        url = self.base_url + (path[1:] if path.startswith("//") else API + path)
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        async with self.http.request(method, url, json=json_body, data=form, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            raw = await response.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        return Answer(response.status, body)

    async def expect(self, step: str, method: str, path: str, ok: tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
        """The body of a call that must succeed; ApiError naming `step` otherwise."""
        answer = await self.call(method, path, **kwargs)
        if answer.status not in ok:
            raise ApiError(step, answer)
        return answer.body
