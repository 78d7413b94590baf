"""The options of `diemcau simulate`, their defaults and their checks."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

PASSWORD_ENV = "DIEMCAU_SIMULATE_PASSWORD"
TOKEN_ENV = "DIEMCAU_SIMULATE_TOKEN"
CHAIR_PASSWORD_ENV = "DIEMCAU_SIMULATE_CHAIR_PASSWORD"
CHAIR_TOKEN_ENV = "DIEMCAU_SIMULATE_CHAIR_TOKEN"


@dataclass(frozen=True)
class Credentials:
    """How one staff role signs in: a bearer token, or a username and password for POST /api/v1/auth/login."""

    role: str
    user: str
    password: str | None
    token: str | None


@dataclass(frozen=True)
class Options:
    """A checked rehearsal: where, how big, how long, how busy, and what to report."""

    urls: tuple[str, ...]
    points: int
    participants: int
    consoles: int
    duration: float
    admin: Credentials
    chair: Credentials
    delegates: int
    checkin_rate: float
    agenda_interval: float
    comment_rate: float
    write_burst: float
    processes: int
    connect_concurrency: int
    server_pids: tuple[int, ...]
    json_file: str | None
    seed: int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", action="append", required=True, metavar="URL",
                        help="server base URL; repeat it or separate with commas for several server processes "
                             "(consoles and actors are spread over them round-robin)")
    parser.add_argument("--points", type=int, default=8, help="bridge points, the host point included (default 8)")
    parser.add_argument(
        "--participants", type=int, default=200, help="roster size, spread over the points (default 200)"
    )
    parser.add_argument(
        "--consoles",
        type=int,
        default=100,
        help="socket consoles held open for the whole run: mostly operators, some displays and delegates (default 100)",
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds the actors run (default 60)")
    parser.add_argument("--user", default="admin", help="admin account that sets the workshop up (default admin)")
    parser.add_argument("--password", help=f"its password; better given in {PASSWORD_ENV}, or typed when asked")
    parser.add_argument("--token", help=f"an admin bearer token instead of signing in (or {TOKEN_ENV})")
    parser.add_argument("--chair-user", default="chair", help="chair account that moves the agenda (default chair)")
    parser.add_argument(
        "--chair-password", help=f"its password; better given in {CHAIR_PASSWORD_ENV}, or typed when asked"
    )
    parser.add_argument("--chair-token", help=f"a chair bearer token instead of signing in (or {CHAIR_TOKEN_ENV})")
    parser.add_argument("--delegates", type=int, help="delegates who comment (default: participants, at most 20)")
    parser.add_argument(
        "--checkin-rate",
        type=float,
        default=6.0,
        help="check-ins (or check-outs once all are in) per point per minute; 0: as fast as acknowledged (default 6)",
    )
    parser.add_argument(
        "--agenda-interval", type=float, default=20.0, help="seconds between the chair's agenda moves (default 20)"
    )
    parser.add_argument(
        "--comment-rate",
        type=float,
        default=2.0,
        help="comments per delegate per minute; the server allows DIEMCAU_SUBMIT_RATE, 30 a minute by default "
            "(default 2)",
    )
    parser.add_argument("--write-burst", type=float, default=0.0,
                        help="after the run, seconds of every point's operator checking in as fast as acknowledged, "
                             "one request in flight per point (default 0: none)")
    parser.add_argument("--processes", type=int, default=1, help="worker processes holding the consoles (default 1)")
    parser.add_argument(
        "--connect-concurrency", type=int, default=32, help="consoles connecting at once, over all workers (default 32)"
    )
    parser.add_argument("--server-pid", type=int, action="append", default=[], metavar="PID",
                        help="a server process on this machine whose memory to measure (repeatable)")
    parser.add_argument("--json", dest="json_file", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed: the same seed makes the same workshop and actions (default 1)"
    )


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SystemExit(f"diemcau simulate: --url {raw!r} is not an http(s) URL such as http://127.0.0.1:8080")
    return raw.rstrip("/")


def _positive(name: str, value: float, allow_zero: bool = False) -> None:
    if value < 0 or (value == 0 and not allow_zero):
        raise SystemExit(
            f"diemcau simulate: {name} must be {'zero or more' if allow_zero else 'more than zero'} (got {value:g})"
        )


def credentials(
    role: str, user: str, password: str | None, token: str | None, password_env: str, token_env: str
) -> Credentials:
    """A token (given or from the environment) wins; else the password, given, from the environment, or typed."""
    token = token or os.environ.get(token_env)
    if token:
        return Credentials(role, user, None, token)
    password = password or os.environ.get(password_env)
    if not password and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {user} ({role}): ")
    if not password:
        flag = "--password" if role == "admin" else "--chair-password"
        raise SystemExit(f"diemcau simulate: give the {role}'s password with {flag} or {password_env}, or a token")
    return Credentials(role, user, password, None)


def options_from(args: argparse.Namespace) -> Options:
    """Check the parsed arguments; a bad one is a SystemExit naming it."""
    urls = tuple(_url(u.strip()) for raw in args.url for u in raw.split(",") if u.strip())
    if not urls:
        raise SystemExit("diemcau simulate: --url is empty")
    for name in ("points", "participants", "processes", "connect_concurrency"):
        _positive("--" + name.replace("_", "-"), getattr(args, name))
    for name in ("consoles", "checkin_rate", "comment_rate", "write_burst"):
        _positive("--" + name.replace("_", "-"), getattr(args, name), allow_zero=True)
    _positive("--duration", args.duration)
    _positive("--agenda-interval", args.agenda_interval)
    if args.participants < args.points:
        raise SystemExit(
            f"diemcau simulate: --participants ({args.participants}) must be at least --points ({args.points})"
        )
    delegates = min(args.participants, 20) if args.delegates is None else args.delegates
    _positive("--delegates", delegates, allow_zero=True)
    if delegates > args.participants:
        raise SystemExit(
            f"diemcau simulate: --delegates ({delegates}) cannot exceed --participants ({args.participants})"
        )
    return Options(
        urls=urls,
        points=args.points,
        participants=args.participants,
        consoles=args.consoles,
        duration=args.duration,
        admin=credentials("admin", args.user, args.password, args.token, PASSWORD_ENV, TOKEN_ENV),
        chair=credentials(
            "chair", args.chair_user, args.chair_password, args.chair_token, CHAIR_PASSWORD_ENV, CHAIR_TOKEN_ENV
        ),
        delegates=delegates,
        checkin_rate=args.checkin_rate,
        agenda_interval=args.agenda_interval,
        comment_rate=args.comment_rate,
        write_burst=args.write_burst,
        processes=args.processes,
        connect_concurrency=args.connect_concurrency,
        server_pids=tuple(args.server_pid),
        json_file=args.json_file,
        seed=args.seed,
    )
