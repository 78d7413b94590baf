"""Settings: every DIEMCAU_* form docs/configuration.md promises is read as it says, and a malformed one stops the
server with one line naming the variable and what it accepts."""
from __future__ import annotations

import ipaddress
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import server.__main__ as command
from server.settings import DEFAULT_DATA_DIR, SettingError, Settings, load

ROOT = Path(__file__).resolve().parents[1]
KEY = {"DIEMCAU_SECRET_KEY": "k" * 32}


def loaded(**env: str) -> Settings:
    return load(env={**KEY, **env})


def test_defaults_without_any_variable() -> None:
    s = loaded()
    assert (s.host, s.port, s.base_url) == ("127.0.0.1", 8080, "http://127.0.0.1:8080")
    assert s.database_url == f"sqlite+aiosqlite:///{(DEFAULT_DATA_DIR / 'diemcau.db').resolve()}"
    assert s.data_dir == DEFAULT_DATA_DIR.resolve()
    assert (s.public_url, s.own_origin, s.allowed_origins, s.trusted_proxies) == (None, None, (), ())
    assert (s.session_hours, s.submit_rate, s.max_upload_bytes, s.idle_timeout) == (12, (30, 60), 10 * 1024 * 1024, 30)
    assert (s.replay_limit, s.event_retention, s.drain_seconds) == (5000, 0, 5.0)
    assert (s.redis_url, s.redis_ping_seconds, s.metrics_token, s.metrics_listen) == (None, 2.0, None, None)
    assert (s.secure_cookies, s.log_format) == (False, "text")


@pytest.mark.parametrize(
    "env,attribute,expected",
    [
        ({"DIEMCAU_PORT": "8081"}, "port", 8081),
        ({"DIEMCAU_PORT": " 65535 "}, "port", 65535),
        ({"DIEMCAU_PORT": ""}, "port", 8080),
        ({"DIEMCAU_HOST": "0.0.0.0"}, "host", "0.0.0.0"),
        (
            {"DIEMCAU_DATABASE_URL": "postgresql+asyncpg://diemcau:pw@db.example.vn:5432/diemcau"},
            "data_dir",
            DEFAULT_DATA_DIR.resolve(),
        ),
        (
            {"DIEMCAU_DATABASE_URL": "sqlite+aiosqlite:////srv/diemcau/data/diemcau.db"},
            "data_dir",
            Path("/srv/diemcau/data"),
        ),
        ({"DIEMCAU_DATA_DIR": "/srv/diemcau/files"}, "data_dir", Path("/srv/diemcau/files")),
        ({"DIEMCAU_SECRET_KEY": "another key"}, "secret_key", b"another key"),
        ({"DIEMCAU_PUBLIC_URL": "https://hoithao.example.vn/"}, "public_url", "https://hoithao.example.vn"),
        ({"DIEMCAU_PUBLIC_URL": "https://hoithao.example.vn"}, "secure_cookies", True),
        ({"DIEMCAU_PUBLIC_URL": "http://Hoithao.Example.vn:8443"}, "own_origin", "http://hoithao.example.vn:8443"),
        ({"DIEMCAU_PUBLIC_URL": "http://hoithao.example.vn"}, "secure_cookies", False),
        ({"DIEMCAU_PUBLIC_URL": "https://hoithao.example.vn"}, "base_url", "https://hoithao.example.vn"),
        ({"DIEMCAU_SECURE_COOKIES": "1"}, "secure_cookies", True),
        ({"DIEMCAU_SECURE_COOKIES": "0"}, "secure_cookies", False),
        (
            {"DIEMCAU_ALLOWED_ORIGINS": "https://a.example.vn, https://B.example.vn:8443,"},
            "allowed_origins",
            ("https://a.example.vn", "https://b.example.vn:8443"),
        ),
        (
            {"DIEMCAU_TRUSTED_PROXIES": "127.0.0.1, ::1,10.0.0.0/8"},
            "trusted_proxies",
            (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"), ipaddress.ip_network("10.0.0.0/8")),
        ),
        ({"DIEMCAU_TRUSTED_PROXIES": "10.1.2.3/8"}, "trusted_proxies", (ipaddress.ip_network("10.0.0.0/8"),)),
        ({"DIEMCAU_IDLE_TIMEOUT": "3600"}, "idle_timeout", 3600),
        ({"DIEMCAU_SESSION_HOURS": "744"}, "session_hours", 744),
        ({"DIEMCAU_SESSION_HOURS": "1"}, "session_hours", 1),
        ({"DIEMCAU_SUBMIT_RATE": "60/30"}, "submit_rate", (60, 30)),
        ({"DIEMCAU_MAX_UPLOAD_BYTES": "1024"}, "max_upload_bytes", 1024),
        ({"DIEMCAU_REPLAY_LIMIT": "1"}, "replay_limit", 1),
        ({"DIEMCAU_EVENT_RETENTION": "100000"}, "event_retention", 100000),
        ({"DIEMCAU_DRAIN_SECONDS": "0"}, "drain_seconds", 0.0),
        ({"DIEMCAU_DRAIN_SECONDS": "2.5"}, "drain_seconds", 2.5),
        ({"DIEMCAU_DRAIN_SECONDS": "300"}, "drain_seconds", 300.0),
        ({"DIEMCAU_REDIS_URL": "redis://127.0.0.1:6379/0"}, "redis_url", "redis://127.0.0.1:6379/0"),
        ({"DIEMCAU_REDIS_URL": "rediss://redis.example.vn:6380/0"}, "redis_url", "rediss://redis.example.vn:6380/0"),
        ({"DIEMCAU_REDIS_URL": "unix:///run/redis/redis.sock"}, "redis_url", "unix:///run/redis/redis.sock"),
        ({"DIEMCAU_REDIS_PING_SECONDS": "0.1"}, "redis_ping_seconds", 0.1),
        ({"DIEMCAU_REDIS_PING_SECONDS": "60"}, "redis_ping_seconds", 60.0),
        ({"DIEMCAU_METRICS_TOKEN": "0123456789abcdef"}, "metrics_token", "0123456789abcdef"),
        ({"DIEMCAU_METRICS_LISTEN": "127.0.0.1:9180"}, "metrics_listen", ("127.0.0.1", 9180)),
        ({"DIEMCAU_METRICS_LISTEN": "[::1]:9180"}, "metrics_listen", ("::1", 9180)),
        ({"DIEMCAU_LOG_FORMAT": "JSON"}, "log_format", "json"),
    ],
)
def test_a_valid_value_is_read_as_documented(env: dict[str, str], attribute: str, expected: Any) -> None:
    assert getattr(loaded(**env), attribute) == expected


def test_arguments_win_over_variables() -> None:
    env = {**KEY, "DIEMCAU_PORT": "8081", "DIEMCAU_HOST": "0.0.0.0", "DIEMCAU_DATABASE_URL": "sqlite+aiosqlite:////a/b.db"}
    s = load(database_url="sqlite+aiosqlite:////c/d.db", host="127.0.0.2", port=9000, data_dir=Path("/e"), env=env)
    assert (s.database_url, s.host, s.port, s.data_dir) == (
        "sqlite+aiosqlite:////c/d.db",
        "127.0.0.2",
        9000,
        Path("/e"),
    )


def test_the_signing_key_is_made_once_in_the_data_directory_for_the_server_alone(tmp_path: Path) -> None:
    first = load(data_dir=tmp_path / "data", env={})
    again = load(data_dir=tmp_path / "data", env={})
    key = tmp_path / "data" / "secret.key"
    assert first.secret_key == again.secret_key == key.read_text().encode()
    assert len(first.secret_key) == 64 and int(first.secret_key, 16) >= 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_data_directory_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a directory")
    with pytest.raises(SettingError, match=r"^DIEMCAU_DATA_DIR must be a directory the server can write"):
        load(data_dir=taken, env={})


@pytest.mark.parametrize(
    "name,value",
    [
        ("DIEMCAU_DATABASE_URL", "mysql://db/diemcau"),
        ("DIEMCAU_DATABASE_URL", "var/diemcau.db"),
        ("DIEMCAU_PORT", "0"),
        ("DIEMCAU_PORT", "65536"),
        ("DIEMCAU_PORT", "http"),
        ("DIEMCAU_PUBLIC_URL", "hoithao.vn"),
        ("DIEMCAU_PUBLIC_URL", "ftp://hoithao.vn"),
        ("DIEMCAU_PUBLIC_URL", "https://hoithao.vn/hoi-thao"),
        ("DIEMCAU_PUBLIC_URL", "https://hoithao.vn/?a=1"),
        ("DIEMCAU_PUBLIC_URL", "https://hoithao.vn:0"),
        ("DIEMCAU_PUBLIC_URL", "https://hoithao.vn:https"),
        ("DIEMCAU_ALLOWED_ORIGINS", "https://a.vn,b.vn"),
        ("DIEMCAU_TRUSTED_PROXIES", "nope"),
        ("DIEMCAU_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("DIEMCAU_SECURE_COOKIES", "yes"),
        ("DIEMCAU_IDLE_TIMEOUT", "0"),
        ("DIEMCAU_IDLE_TIMEOUT", "3601"),
        ("DIEMCAU_SESSION_HOURS", "0"),
        ("DIEMCAU_SESSION_HOURS", "745"),
        ("DIEMCAU_SESSION_HOURS", "1.5"),
        ("DIEMCAU_SUBMIT_RATE", "30"),
        ("DIEMCAU_SUBMIT_RATE", "0/60"),
        ("DIEMCAU_SUBMIT_RATE", "30/0"),
        ("DIEMCAU_SUBMIT_RATE", "x/60"),
        ("DIEMCAU_SUBMIT_RATE", "30/60/1"),
        ("DIEMCAU_MAX_UPLOAD_BYTES", "10MB"),
        ("DIEMCAU_MAX_UPLOAD_BYTES", "1023"),
        ("DIEMCAU_REPLAY_LIMIT", "0"),
        ("DIEMCAU_EVENT_RETENTION", "-1"),
        ("DIEMCAU_EVENT_RETENTION", "all"),
        ("DIEMCAU_DRAIN_SECONDS", "-1"),
        ("DIEMCAU_DRAIN_SECONDS", "301"),
        ("DIEMCAU_DRAIN_SECONDS", "nan"),
        ("DIEMCAU_DRAIN_SECONDS", "inf"),
        ("DIEMCAU_REDIS_URL", "http://redis:6379"),
        ("DIEMCAU_REDIS_PING_SECONDS", "0"),
        ("DIEMCAU_REDIS_PING_SECONDS", "61"),
        ("DIEMCAU_METRICS_TOKEN", "short"),
        ("DIEMCAU_METRICS_LISTEN", "9180"),
        ("DIEMCAU_METRICS_LISTEN", ":9180"),
        ("DIEMCAU_METRICS_LISTEN", "127.0.0.1:0"),
        ("DIEMCAU_METRICS_LISTEN", "127.0.0.1:http"),
        ("DIEMCAU_LOG_FORMAT", "xml"),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingError) as refused:
        loaded(**{name: value})
    message = str(refused.value)
    assert message.startswith(f"{name} must be ") and message.endswith(f", not {value!r}") and "\n" not in message


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Only the variables a test sets: none of the outer environment's DIEMCAU_* reach the server it starts."""
    for name in [n for n in os.environ if n.startswith("DIEMCAU_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DIEMCAU_SECRET_KEY", KEY["DIEMCAU_SECRET_KEY"])
    return monkeypatch


@pytest.mark.parametrize(
    "name,value",
    [
        ("DIEMCAU_SESSION_HOURS", "0"),
        ("DIEMCAU_SESSION_HOURS", "abc"),
        ("DIEMCAU_MAX_UPLOAD_BYTES", "10MB"),
        ("DIEMCAU_PUBLIC_URL", "hoithao.vn"),
        ("DIEMCAU_TRUSTED_PROXIES", "nope"),
        ("DIEMCAU_EVENT_RETENTION", "-1"),
        ("DIEMCAU_EVENT_RETENTION", "all"),
        ("DIEMCAU_REPLAY_LIMIT", "0"),
    ],
)
def test_serve_stops_with_status_2_and_one_line_naming_the_variable(
    bare_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, value: str
) -> None:
    bare_environment.setenv(name, value)

    def went_on(url: str) -> None:
        raise AssertionError(f"{name}={value!r} was let through to the migration")

    # A value let through by mistake fails the test here instead of starting a server in the test process.
    bare_environment.setattr(command, "upgrade", went_on)
    with pytest.raises(SystemExit) as stopped:
        command.main(["serve", "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"])
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"diemcau: {name} must be ") and lines[0].endswith(f"not {value!r}")
    assert not (tmp_path / "d.db").exists(), "nothing is created before the settings are checked"


def test_the_process_itself_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    # One real process, for what only a process shows (the exit status, nothing else printed); the values are above.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIEMCAU_")} | KEY | {"DIEMCAU_SESSION_HOURS": "abc"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "serve",
            "--port",
            "1",
            "--database-url",
            f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "diemcau: DIEMCAU_SESSION_HOURS must be a whole number of hours from 1 to 744, not 'abc'\n"
    assert done.stdout == ""
