"""Worker processes driven over pipes: each command goes to every worker, and each one answers."""
from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections.abc import Awaitable, Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

Handlers = Mapping[str, Callable[..., Awaitable[Any]]]


async def serve(conn: Connection, handlers: Handlers, last: str) -> None:
    """Answer the parent's commands with `handlers` until it sends `last`; an error is handed back, not raised."""
    loop = asyncio.get_running_loop()
    while True:
        command, *args = await loop.run_in_executor(None, conn.recv)
        try:
            if command not in handlers:
                raise ValueError(f"unknown command {command!r}")
            answer = await handlers[command](*args)
        except Exception as error:  # noqa: BLE001 - handed to the parent, which reports it and stops
            conn.send(("error", f"{type(error).__name__}: {error}"))
            continue
        conn.send(("ok", answer))
        if command == last:
            return


class Workers:
    """`count` processes running `target(conn)`, which serves the commands sent to it."""

    def __init__(self, count: int, target: Callable[[Connection], None]) -> None:
        # spawn, not fork: the parent runs an event loop and open sockets a forked child must not inherit.
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        for _ in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=target, args=(child,), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def _each(self, commands: list[tuple[Any, ...]], timeout: float) -> list[Any]:
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError(f"a worker process did not answer {commands[0][0]!r} within {timeout:.0f} s")
            status, answer = pipe.recv()
            if status != "ok":
                raise RuntimeError(f"a worker process failed on {commands[0][0]!r}: {answer}")
            answers.append(answer)
        return answers

    async def each(self, commands: list[tuple[Any, ...]], timeout: float) -> list[Any]:
        """Send each worker its own command; the answers in worker order."""
        return await asyncio.to_thread(self._each, commands, timeout)

    async def all(self, *command: Any, timeout: float = 120.0) -> list[Any]:
        """Send every worker the same command."""
        return await self.each([command] * len(self.pipes), timeout)

    def _stop(self, last: str, timeout: float) -> None:
        for pipe in self.pipes:
            # A worker that is gone already cannot be told.
            with contextlib.suppress(OSError):
                pipe.send((last,))
        for process in self.processes:
            process.join(timeout=timeout)
            if process.is_alive():
                process.kill()

    async def stop(self, last: str, timeout: float = 60.0) -> None:
        """Send `last`, which ends each worker's `serve`, and wait for the processes to exit (or kill them)."""
        await asyncio.to_thread(self._stop, last, timeout)
