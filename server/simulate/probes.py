"""What the servers say about themselves: /healthz, the /metrics figures, and their memory when they run here."""
from __future__ import annotations

import os
import re
from pathlib import Path

import aiohttp

_SAMPLE = re.compile(r'^(diemcau_[a-z_]+)(?:\{role="([a-z]+)"\})? ([0-9.eE+-]+)$')


async def reachable(http: aiohttp.ClientSession, url: str) -> str | None:
    """None when the server answers /healthz with 200, else why not."""
    try:
        async with http.get(url + "/healthz", timeout=aiohttp.ClientTimeout(total=10)) as response:
            return None if response.status == 200 else f"/healthz answered {response.status}"
    except (aiohttp.ClientError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def parse_metrics(text: str) -> dict[str, float]:
    """The samples we report: consoles by role (`consoles.<role>`), events published, writes committed and failed."""
    figures: dict[str, float] = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match is None:
            continue
        name, role, value = match.groups()
        if name == "diemcau_connected_consoles" and role:
            figures[f"consoles.{role}"] = float(value)
        elif name in ("diemcau_events_published_total", "diemcau_write_seconds_count", "diemcau_write_errors_total"):
            figures[name.removeprefix("diemcau_")] = float(value)
    return figures


async def metrics(http: aiohttp.ClientSession, urls: tuple[str, ...]) -> dict[str, float] | None:
    """The figures summed over the servers; None when any of them has no /metrics to give."""
    # The servers' own DIEMCAU_METRICS_TOKEN, as their scraper would send it.
    token = os.environ.get("DIEMCAU_METRICS_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    total: dict[str, float] = {}
    for url in urls:
        try:
            async with http.get(url + "/metrics", headers=headers, timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status != 200:
                    return None
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError):
            return None
        for key, value in parse_metrics(text).items():
            total[key] = total.get(key, 0.0) + value
    return total


def rss_kib(pids: tuple[int, ...]) -> int:
    """Resident memory of the processes together, in KiB, from /proc."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total
