"""The rehearsal's results as a table for the secretariat, and as JSON for the benchmarks."""
from __future__ import annotations

from typing import Any

ACTION_ORDER = (
    "connect",
    "join",
    "check_in",
    "check_out",
    "agenda_next",
    "comment",
    "burst_check_in",
    "burst_check_out",
)
WRITES = ("check_in", "check_out", "agenda_next", "comment")
BURST = ("burst_check_in", "burst_check_out")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def writes_per_second(actions: dict[str, dict[str, Any]], names: tuple[str, ...]) -> float | None:
    """Acknowledged writes a second over the phase these actions shared."""
    present = [actions[n] for n in names if n in actions and actions[n]["per_second"] is not None]
    return round(sum(a["per_second"] for a in present), 2) if present else None


def table(result: dict[str, Any]) -> str:
    conference = result["conference"]
    options = result["options"]
    actions = result["actions"]
    lines = [
        f"Rehearsal workshop #{conference['id']} \u201c{conference['title']}\u201d on {', '.join(result['urls'])}",
        f"  {conference['points']} points, {conference['participants']} participants, {conference['delegates']} "
        "delegates, "
        f"{options['consoles']} consoles, {options['duration']:g} s"
        + (f" + {options['write_burst']:g} s write burst" if options["write_burst"] else "")
        + f"; set up in {conference['setup_seconds']:g} s",
        "",
        f"{'action':<16}{'count':>8}{'ok/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}  errors",
    ]
    for name in sorted(actions, key=lambda n: ACTION_ORDER.index(n) if n in ACTION_ORDER else len(ACTION_ORDER)):
        a = actions[name]
        errors = ", ".join(f"{k} ×{v}" for k, v in sorted(a["errors"].items())) or "0"
        rate = "-" if a["per_second"] is None else f"{a['per_second']:,.2f}"
        lines.append(
            f"{name:<16}{a['count']:>8}{rate:>9}{_ms(a['p50_ms']):>10}{_ms(a['p99_ms']):>10}{_ms(a['max_ms']):>10}  "
            f"{errors}"
        )
    run, burst = writes_per_second(actions, WRITES), writes_per_second(actions, BURST)
    lines.append(f"acknowledged writes/s: {run if run is not None else '-'} during the run"
                 + (f", {burst} in the burst" if burst is not None else ""))
    fan = result["fanout"]
    per, every = fan["per_console"], fan["every_console"]
    lines.append("")
    lines.append(
        f"agenda fan-out ({fan['moves']} moves): {fan['reached']} of {fan['expected']} deliveries expected, "
        f"missed {fan['missed']}; per console p50 {_ms(per['p50_ms'])} / p99 {_ms(per['p99_ms'])} / "
        f"max {_ms(per['max_ms'])} ms; {fan['moves_reaching_all']} of {fan['moves']} moves reached every console, "
        f"the last of them p50 {_ms(every['p50_ms'])} / p99 {_ms(every['p99_ms'])} ms"
    )
    consoles = result["consoles"]
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(consoles["by_kind"].items()))
    reasons = ", ".join(f"{k} ×{v}" for k, v in consoles["disconnect_reasons"].items())
    lines.append(
        f"consoles: asked {consoles['asked']}, connected {consoles['connected']} ({kinds or 'none'}) in "
        f"{consoles['connect_seconds']:g} s, still connected at the end {consoles['still_connected']}, "
        f"disconnects {consoles['disconnects']}{' (' + reasons + ')' if reasons else ''}, "
        f"came back after the server let them go {consoles['reconnects']} times; "
        f"{consoles['events_received']} events received"
    )
    server = result["server"]
    held = server["metrics_held"]
    if held is None:
        lines.append("server metrics: /metrics not reachable")
    else:
        roles = ", ".join(
            f"{int(v)} {k.split('.', 1)[1]}" for k, v in sorted(held.items()) if k.startswith("consoles.") and v
        )
        after = server["metrics_after"] or {}
        published = after.get("events_published_total", 0) - held.get("events_published_total", 0)
        committed = after.get("write_seconds_count", 0) - held.get("write_seconds_count", 0)
        lines.append(f"server metrics: consoles connected as the servers count them: {roles or 'none'}; "
                     f"during the run {published:,.0f} events published, {committed:,.0f} writes committed")
    if server["rss_before_kib"] is not None:
        lines.append(f"server memory (RSS): {server['rss_before_kib'] / 1024:,.1f} MiB before connecting, "
                     f"{server['rss_after_kib'] / 1024:,.1f} MiB with the consoles connected; "
                     f"{_ms(server['rss_per_console_kib'])} KiB per console")
    lines.append("result: " + ("clean" if result["clean"] else "ERRORS — see above"))
    return "\n".join(lines)
