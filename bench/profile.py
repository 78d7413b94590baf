"""py-spy over a benchmark's sustained phase, and the frames that took the server's time.

    .venv/bin/python -m bench.profile FILE [--top 15]

prints the top frames of a raw profile that `recording` (or `py-spy record --format raw
--threads`) wrote: per thread (the event loop's main thread, aiosqlite's worker threads,
any other), the share of all samples, then the frames by self time (the sample's innermost
frame) and by inclusive time (anywhere in the sample), as % of that thread's samples. Only
busy samples are recorded (py-spy leaves out a thread the OS has waiting), so the shares
are of the time the server was working; but the event loop's `EpollSelector.select` counts
as busy around every short wait (a loop that only sleeps 1 ms at a time shows about 90 % of
its busy samples there), so read the main thread's other frames as its work. SQLAlchemy
runs statements in greenlets, whose stacks py-spy sees starting at the greenlet's first
frame (`Session.execute`, say): `outside_root_pct` is their share, which the inclusive
figures of the callers above them (the write queue, the operation) do not count. A frame
that never runs itself and always calls the same one function is left out of the inclusive
list (its callee's figure says the same): so are the entry point's frames down to the event
loop's `_run_once`. Line numbers are dropped, so a function's lines add up.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

LINE_NUMBER = re.compile(r":\d+\)$")
STARTUP_SECONDS = 1.0


def py_spy() -> str:
    return shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))


def record(pid: int, output: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling `pid` without pausing it, each thread under its name, until it gets SIGINT."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [py_spy(), "record", "--pid", str(pid), "--format", "raw", "--nonblocking", "--threads", "-o", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


@contextlib.asynccontextmanager
async def recording(pid: int, output: Path | None) -> AsyncIterator[None]:
    """py-spy record on `pid` while the body runs (nothing when `output` is None); SIGINT makes it write the file."""
    if output is None:
        yield
        return
    process = record(pid, output)
    await asyncio.sleep(STARTUP_SECONDS)  # attaching takes a moment; samples before it would be lost
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            process.kill()


def thread_of(name: str, frames: list[str]) -> str:
    if name == "MainThread":
        return "main"
    if "_connection_worker_thread" in name or any("aiosqlite" in frame for frame in frames):
        return "aiosqlite"
    return f"other: {name}"


def samples_of(path: Path) -> list[str]:
    """The file's lines, each one sample; a frame whose name holds a newline (generated code) is joined up again."""
    lines: list[str] = []
    for line in path.read_text().splitlines():
        if line.startswith("thread (") or not lines:
            lines.append(line)
        else:
            lines[-1] += " " + line.strip()
    return lines


def top_frames(path: Path, top: int = 15) -> dict[str, Any]:
    """Per thread: its share of the samples and its top frames by self and inclusive %."""
    samples: dict[str, Counter[str]] = {}
    leaves: dict[str, Counter[str]] = {}
    callees: dict[str, dict[str, set[str]]] = {}
    roots: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for line in samples_of(path):
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        head, *frames = stack.split(";")
        name = head.split(": ", 1)[1] if head.startswith("thread (") and ": " in head else head
        frames = [LINE_NUMBER.sub(")", frame) for frame in frames]
        if not frames:
            continue
        thread = thread_of(name, frames)
        n = int(count)
        totals[thread] += n
        roots.setdefault(thread, Counter())[frames[0]] += n
        leaves.setdefault(thread, Counter())[frames[-1]] += n
        inclusive = samples.setdefault(thread, Counter())
        for frame in set(frames):
            inclusive[frame] += n
        calls = callees.setdefault(thread, {})
        for caller, callee in itertools.pairwise(frames):
            calls.setdefault(caller, set()).add(callee)
    everything = sum(totals.values())
    threads = {}
    for thread, total in totals.most_common():
        threads[thread] = {
            "samples": total,
            "share_pct": round(100 * total / everything, 1),
            "outside_root_pct": round(100 * (total - roots[thread].most_common(1)[0][1]) / total, 1),
            "self_pct": [[frame, round(100 * n / total, 1)] for frame, n in leaves[thread].most_common(top)],
            "inclusive_pct": [
                [frame, round(100 * n / total, 1)]
                for frame, n in samples[thread].most_common()
                if leaves[thread][frame] or len(callees[thread].get(frame, ())) != 1
            ][:top],
        }
    return {"file": str(path), "samples": everything, "threads": threads}


def render(summary: dict[str, Any]) -> str:
    lines = [f"{summary['file']}: {summary['samples']} busy samples"]
    for thread, figures in summary["threads"].items():
        outside = figures["outside_root_pct"]
        lines.append(f"\n{thread}: {figures['share_pct']} % of the samples ({figures['samples']})"
                     + (f", {outside} % of them outside its usual root (in greenlets)" if outside else ""))
        for kind in ("self_pct", "inclusive_pct"):
            lines.append(f"  {kind.split('_')[0]} %")
            lines.extend(f"  {pct:6.1f}  {frame}" for frame, pct in figures[kind])
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=15)
    arguments = parser.parse_args()
    print(render(top_frames(arguments.file, arguments.top)))
