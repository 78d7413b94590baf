"""Command line: serve, migrate, create-user, demo-summary, simulate, verify."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from pathlib import Path
from typing import Any

from server.app import create_app
from server.auth.operations import create_user
from server.auth.signing_key import hidden_links, note_signing_key
from server.db import open_database
from server.demo.examples import write_demo_summary
from server.demo.seed import delegate_names, seed_demo
from server.errors import DomainError
from server.http.metrics_site import add_metrics_site
from server.logs import setup_logging
from server.migrate import upgrade
from server.points.operations import forget_presence
from server.serving import serve_until_stopped
from server.settings import SettingError, Settings, load
from server.simulate.command import register as register_simulate

log = logging.getLogger("server")


async def _prepare(settings: Settings, demo: bool, tokens_file: Path | None) -> None:
    """Work done once before serving: the signing key checked, stale presence, and the demo workshop if asked."""
    db = open_database(settings)
    try:
        async with db.write() as session, session.begin():
            changed = await note_signing_key(session, settings.secret_key)
            hidden = await hidden_links(session, settings.secret_key) if changed else 0
        if changed:
            log.warning(
                "The signing key differs from the last start's (DIEMCAU_SECRET_KEY, or secret.key in the data "
                "directory):"
                " the links of %d invitations made before cannot be shown or printed again, and the admin page marks"
                " them. Links already handed out still work; reissue those invitations for new links and badges, and"
                " reissue them all if the old key leaked. Or start again with the old key.",
                hidden,
            )
        if settings.redis_url is None:
            async with db.write() as session, session.begin():
                await forget_presence(session)
        if demo:
            tokens = await seed_demo(db, settings)
            _print_links(settings, tokens, await delegate_names(db, tokens), tokens_file)
    finally:
        await db.dispose()


def _print_links(settings: Settings, tokens: dict[str, Any], names: dict[str, str], tokens_file: Path | None) -> None:
    if tokens_file is not None:
        tokens_file.parent.mkdir(parents=True, exist_ok=True)
        tokens_file.write_text(json.dumps(tokens, ensure_ascii=False, indent=2), encoding="utf-8")
    base = settings.base_url
    passwords = tokens.get("passwords", {})
    print(f"Điểm Cầu demo workshop #{tokens['conference_id']} at {base}")
    for role in ("admin", "chair"):
        login = f"   (login {role} / {passwords[role]})" if role in passwords else ""
        print(f"  {role:9} {base}/join/{tokens[role]}{login}")
    if set(passwords) != {"admin", "chair"}:
        print("  The staff passwords were shown once, on the start that made the demo workshop; to sign in by name"
              " instead of the links, make an account: diemcau create-user --role admin --username NAME")
    if tokens["display"]:
        print(f"  display   {base}/join/{tokens['display']}")
    for code, token in tokens["operators"].items():
        print(f"  operator  {code:5} {base}/join/{token}")
    for pid, token in tokens["delegates"].items():
        print(f"  delegate  {names.get(pid, pid)}: {base}/join/{token}")
    if tokens.get("hidden_links"):
        print(f"  {tokens['hidden_links']} more links were made under an earlier signing key and cannot be shown:"
              f" reissue them on {base}/admin/{tokens['conference_id']}")
    sys.stdout.flush()


def serve(args: argparse.Namespace) -> None:
    settings = load(database_url=args.database_url, host=args.host, port=args.port)
    upgrade(settings.database_url)
    setup_logging(settings.log_format)
    asyncio.run(_prepare(settings, args.demo, args.demo_tokens))
    app = create_app(settings)
    add_metrics_site(app, settings)
    asyncio.run(serve_until_stopped(app, settings))


def migrate(args: argparse.Namespace) -> None:
    upgrade(load(database_url=args.database_url).database_url)


async def _create_user(settings: Settings, username: str, password: str, role: str, full_name: str | None) -> None:
    db = open_database(settings)
    try:
        async with db.write() as session, session.begin():
            await create_user(session, username, password, role, full_name)
    finally:
        await db.dispose()


def create_user_command(args: argparse.Namespace) -> None:
    settings = load(database_url=args.database_url)
    upgrade(settings.database_url)
    password = args.password or getpass.getpass("Password: ")
    try:
        asyncio.run(_create_user(settings, args.username, password, args.role, args.full_name))
    except DomainError as error:
        # A refusal (weak password, taken name) is the user's to fix: the reason, a non-zero exit, no traceback.
        raise SystemExit(f"diemcau create-user: {error.message}") from None
    print(f"created {args.role} {args.username}")


def demo_summary(args: argparse.Namespace) -> None:
    for path in write_demo_summary(args.directory):
        print(path)


def verify_command(args: argparse.Namespace) -> None:
    # pyHanko's validation is imported by this command alone, not by every other one.
    from server.summary.verify import NotVerified, report, trust_roots, verify_pdf

    settings = load(database_url=args.database_url)
    # pyHanko logs a traceback for a signer it cannot trust, the usual case without --trust: the answer below says it.
    for library in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(library).setLevel(logging.CRITICAL)
    try:
        data = args.file.read_bytes()
        verified = asyncio.run(verify_pdf(data, settings, trust_roots(args.trust)))
    except OSError as error:
        raise SystemExit(f"KHÔNG HỢP LỆ: {args.file}\n  Kiểm tra tệp: không đọc được tệp ({error.strerror})") from None
    except NotVerified as failed:
        raise SystemExit(f"KHÔNG HỢP LỆ: {args.file}\n  Kiểm tra {failed.check}: {failed.reason}") from None
    print(f"HỢP LỆ: {args.file}")
    for line in report(verified):
        print(f"  {line}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="diemcau", description="Điểm Cầu: hybrid workshop support")
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("serve", help="run the server")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--database-url", help="SQLAlchemy URL; default DIEMCAU_DATABASE_URL or ./var/diemcau.db")
    s.add_argument("--demo", action="store_true", help="seed the demo workshop (once) and print join links")
    s.add_argument("--demo-tokens", type=Path, help="write the demo tokens as JSON to this file")
    s.set_defaults(func=serve)
    m = commands.add_parser("migrate", help="bring the database schema up to date")
    m.add_argument("--database-url")
    m.set_defaults(func=migrate)
    u = commands.add_parser("create-user", help="create a staff account")
    u.add_argument("--database-url")
    u.add_argument("--role", choices=("admin", "chair", "secretary"), required=True)
    u.add_argument("--username", required=True)
    u.add_argument(
        "--password",
        help="read from the terminal when left out; 12 characters or more, not a common one, not containing the "
            "username",
    )
    u.add_argument("--full-name")
    u.set_defaults(func=create_user_command)
    d = commands.add_parser("demo-summary", help="replay the demo workshop to its close and write its summary files")
    d.add_argument("directory", type=Path)
    d.set_defaults(func=demo_summary)
    v = commands.add_parser(
        "verify", help="check a signed summary PDF: its signature, and that it is the frozen record"
    )
    v.add_argument("file", type=Path, metavar="FILE.pdf")
    v.add_argument("--trust", type=Path, action="append", default=[], metavar="CA.pem",
                   help="also require the signer's certificate to be issued by this one (may be given again)")
    v.add_argument("--database-url", help="the database holding the frozen record; default as for serve")
    v.set_defaults(func=verify_command)
    register_simulate(commands)
    args = parser.parse_args(argv)
    if getattr(args, "demo_tokens", None) and not args.demo:
        parser.error("--demo-tokens goes with --demo")
    try:
        args.func(args)
    except SettingError as error:
        parser.exit(2, f"diemcau: {error}\n")


if __name__ == "__main__":
    main()
