"""Server settings, loaded once from the environment and the command line."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path("var")


@dataclass(frozen=True)
class Settings:
    """Everything the app factory needs; tests build one with their own paths."""

    database_url: str
    data_dir: Path
    secret_key: bytes
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    redis_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    # A join further behind than this many events is answered with a snapshot rather than a replay.
    replay_limit: int = 5000
    # Each conference keeps its newest `event_retention` events for replay; 0 keeps every event.
    event_retention: int = 0
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    # Seconds a connection may sit without a whole request (headers sent slowly, or idle between requests) before
    # it is closed: a client holding thousands of half-sent requests open ties up no more than this.
    idle_timeout: int = 30
    session_hours: int = 12
    # Set the session cookie's Secure flag even when the request came in over plain http (TLS ends at a proxy).
    secure_cookies: bool = False
    # An account is locked for `lockout_minutes` after `login_attempts` failures within the window.
    login_attempts: int = 5
    login_window_seconds: int = 300
    lockout_minutes: int = 15
    # Higher than an account's limit: a venue's staff often share one public address.
    login_address_attempts: int = 20
    # Remarks, comments and speaking requests one caller may create per window (DIEMCAU_SUBMIT_RATE="30/60").
    submit_rate: tuple[int, int] = (30, 60)
    # Debian's browser itself, not its /usr/bin/chromium launcher: the launcher is for desktop sessions (it loads
    # extensions, enables GPU rasterisation) and its /dev/shm probe breaks where /dev/shm is mounted twice.
    chromium: str = "/usr/lib/chromium/chromium"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


def _secret(data_dir: Path) -> bytes:
    """The signing key lives in the data directory, not the database, so a leaked database reveals no token."""
    env = os.environ.get("DIEMCAU_SECRET_KEY")
    if env:
        return env.encode()
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


class SettingError(ValueError):
    """A DIEMCAU_* variable the server cannot run with."""


def _rate(value: str | None, default: tuple[int, int]) -> tuple[int, int]:
    """Read "N/S" as (N, S): at most N in any S seconds."""
    if not value:
        return default
    count, _, seconds = value.partition("/")
    try:
        rate = (int(count), int(seconds))
    except ValueError:
        raise SettingError(f"DIEMCAU_SUBMIT_RATE is COUNT/SECONDS, like 30/60, not {value!r}") from None
    if rate[0] < 1 or rate[1] < 1:
        raise SettingError(f"DIEMCAU_SUBMIT_RATE needs a count and seconds of at least 1, not {value!r}")
    return rate


def _count(name: str, default: int, minimum: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        count = int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {value!r}") from None
    if count < minimum:
        raise SettingError(f"{name} must be at least {minimum}, not {value!r}")
    return count


def _data_dir_for(database_url: str) -> Path:
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix):
        return Path(database_url[len(prefix):]).resolve().parent
    return DEFAULT_DATA_DIR.resolve()


def load(
    database_url: str | None = None,
    host: str | None = None,
    port: int | None = None,
    data_dir: Path | None = None,
) -> Settings:
    """Build settings: explicit arguments win over DIEMCAU_* variables, which win over defaults."""
    env = os.environ
    url = database_url or env.get("DIEMCAU_DATABASE_URL") or f"sqlite+aiosqlite:///{(DEFAULT_DATA_DIR / 'diemcau.db').resolve()}"
    directory = data_dir or Path(env.get("DIEMCAU_DATA_DIR") or _data_dir_for(url))
    origins = tuple(o.strip() for o in env.get("DIEMCAU_ALLOWED_ORIGINS", "").split(",") if o.strip())
    public_url = env.get("DIEMCAU_PUBLIC_URL") or None
    return Settings(
        database_url=url,
        data_dir=directory,
        secret_key=_secret(directory),
        host=host or env.get("DIEMCAU_HOST", "127.0.0.1"),
        port=port or int(env.get("DIEMCAU_PORT", "8080")),
        public_url=public_url,
        redis_url=env.get("DIEMCAU_REDIS_URL") or None,
        allowed_origins=origins,
        max_upload_bytes=int(env.get("DIEMCAU_MAX_UPLOAD_BYTES") or Settings.max_upload_bytes),
        chromium=env.get("DIEMCAU_CHROMIUM") or Settings.chromium,
        secure_cookies=env.get("DIEMCAU_SECURE_COOKIES") == "1" or (public_url or "").startswith("https://"),
        session_hours=int(env.get("DIEMCAU_SESSION_HOURS") or Settings.session_hours),
        submit_rate=_rate(env.get("DIEMCAU_SUBMIT_RATE"), Settings.submit_rate),
        replay_limit=_count("DIEMCAU_REPLAY_LIMIT", Settings.replay_limit, minimum=1),
        event_retention=_count("DIEMCAU_EVENT_RETENTION", Settings.event_retention, minimum=0),
        idle_timeout=_count("DIEMCAU_IDLE_TIMEOUT", Settings.idle_timeout, minimum=1),
    )
