"""Reads asked for together, answered together: a question asked while a read is under way waits for the next.

Each answer then comes from a read that began after it was asked, as if the caller had read alone, and a
crowd asking at once (a thousand consoles reconnecting, five hundred delegates sending their first comment)
costs a few reads instead of one each.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Gathered(Generic[K, V]):
    """Answers questions in rounds: those asked while a round runs go together into the next one."""

    def __init__(self, fetch: Callable[[dict[K, Any]], Awaitable[dict[K, V]]]) -> None:
        self._fetch = fetch
        self._asked: dict[K, tuple[Any, list[asyncio.Future[V]]]] = {}
        self._rounds: asyncio.Task[None] | None = None

    async def ask(self, key: K, context: Any = None) -> V:
        """The answer for `key`; `context` is what the fetch needs to find it (the first asker's is used)."""
        answer: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._asked.setdefault(key, (context, []))[1].append(answer)
        if self._rounds is None:
            self._rounds = asyncio.create_task(self._run())
        return await answer

    async def _run(self) -> None:
        try:
            while self._asked:
                asked, self._asked = self._asked, {}
                try:
                    found = await self._fetch({key: context for key, (context, _) in asked.items()})
                except Exception as error:
                    for _, waiting in asked.values():
                        for answer in waiting:
                            if not answer.done():
                                answer.set_exception(error)
                    continue
                for key, (_, waiting) in asked.items():
                    for answer in waiting:
                        if not answer.done():
                            answer.set_result(found[key])
        finally:
            self._rounds = None
