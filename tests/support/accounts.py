"""Staff accounts in tests: the demo's passwords, signing in, the CLI that makes users, a secretary."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from server.auth.tokens import token_hash
from server.simulate.loopback import ROOT, Server
from tests.support.http import Call


def demo_password(server: Server, username: str) -> str:
    """The demo account's password, as the start that made it wrote it to the tokens file."""
    return str(server.tokens["passwords"][username])


def login_url(server: Server) -> str:
    return f"{server.base_url}/api/v1/auth/login"


async def log_in(call: Call, server: Server, username: str, password: str) -> Any:
    return await call("POST", login_url(server), json={"username": username, "password": password})


def query(server: Server, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.database, timeout=15) as db:
        return db.execute(sql, args).fetchall()


def csrf_of(server: Server, token: str) -> str:
    return str(query(server, "SELECT csrf_token FROM auth_session WHERE token_hash = ?", token_hash(token))[0][0])


def create_user_cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DIEMCAU_SECRET_KEY": "test-secret-cli"}
    command_line = [
        sys.executable,
        "-m",
        "server",
        "create-user",
        "--database-url",
        f"sqlite+aiosqlite:///{database}",
        *args,
    ]
    return subprocess.run(command_line, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


SECRETARY_PASSWORD = "mot-thu-ky-cham-chi-7"


async def secretary(call: Call, s: Server, username: str) -> tuple[str, int]:
    """A secretary account made with `create-user --role secretary`, signed in: its token and id."""
    made = create_user_cli(s.database, "--role", "secretary", "--username", username, "--password", SECRETARY_PASSWORD,
                           "--full-name", f"Thư ký {username}")
    assert made.returncode == 0 and f"created secretary {username}" in made.stdout, made.stderr
    reply = await log_in(call, s, username, SECRETARY_PASSWORD)
    assert reply.status == 200 and reply.body["role"] == "secretary", reply.body
    staff = (await call("GET", s.api("/staff"), s.tokens["chair"])).body["items"]
    return reply.body["token"], next(u["id"] for u in staff if u["username"] == username)
