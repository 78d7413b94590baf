"""Process-wide operational counters, rendered for /metrics in the Prometheus text format 0.0.4."""
from __future__ import annotations

import time
from collections import Counter

# Written by hand rather than with prometheus_client: five series do not justify a dependency.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The counters; only aggregate numbers, never a name or token, since /metrics is public."""

    def __init__(self) -> None:
        self.sockets: dict[str, str] = {}
        self.events_published = 0
        self.write_errors = 0
        self.fanout_errors = 0
        self.inflight = 0
        self.write_buckets = [0] * len(BUCKETS)
        self.write_count = 0
        self.write_sum = 0.0

    def render(self) -> str:
        roles = Counter(self.sockets.values())
        lines = [
            "# HELP diemcau_connected_consoles Connected socket.io clients by role.",
            "# TYPE diemcau_connected_consoles gauge",
        ]
        for role in sorted(set(roles) | {"admin", "chair", "secretary", "operator", "delegate", "display"}):
            lines.append(f'diemcau_connected_consoles{{role="{role}"}} {roles.get(role, 0)}')
        lines += [
            "# HELP diemcau_events_published_total Events sent to socket.io rooms after commit.",
            "# TYPE diemcau_events_published_total counter",
            f"diemcau_events_published_total {self.events_published}",
            "# HELP diemcau_write_seconds Time from a write entering its queue to its commit.",
            "# TYPE diemcau_write_seconds histogram",
        ]
        for bound, count in zip(BUCKETS, self.write_buckets, strict=True):
            lines.append(f'diemcau_write_seconds_bucket{{le="{bound}"}} {count}')
        lines += [
            f'diemcau_write_seconds_bucket{{le="+Inf"}} {self.write_count}',
            f"diemcau_write_seconds_sum {self.write_sum}",
            f"diemcau_write_seconds_count {self.write_count}",
            "# HELP diemcau_write_errors_total Write transactions that failed to commit.",
            "# TYPE diemcau_write_errors_total counter",
            f"diemcau_write_errors_total {self.write_errors}",
            "# HELP diemcau_inflight_writes Writes queued or committing, not yet answered.",
            "# TYPE diemcau_inflight_writes gauge",
            f"diemcau_inflight_writes {self.inflight}",
            "# HELP diemcau_fanout_errors_total Messages to the other server processes that Redis did not take.",
            "# TYPE diemcau_fanout_errors_total counter",
            f"diemcau_fanout_errors_total {self.fanout_errors}",
        ]
        return "\n".join(lines) + "\n"


METRICS = Metrics()


def socket_connected(sid: str, role: str) -> None:
    METRICS.sockets[sid] = role


def socket_disconnected(sid: str) -> None:
    METRICS.sockets.pop(sid, None)


def published(count: int) -> None:
    METRICS.events_published += count


def write_committed(entered: float) -> None:
    """Observe one write's queue-to-commit time; `entered` is a time.monotonic() reading."""
    seconds = time.monotonic() - entered
    for i, bound in enumerate(BUCKETS):
        if seconds <= bound:
            METRICS.write_buckets[i] += 1
    METRICS.write_count += 1
    METRICS.write_sum += seconds


def write_failed(count: int) -> None:
    METRICS.write_errors += count


def fanout_failed() -> None:
    METRICS.fanout_errors += 1


def inflight(delta: int) -> None:
    METRICS.inflight += delta
