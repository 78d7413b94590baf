"""Server settings, loaded once from the environment and the command line, each checked before anything starts."""
from __future__ import annotations

import ipaddress
import math
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import pkcs12

DEFAULT_DATA_DIR = Path("var")
DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
REDIS_SCHEMES = ("redis", "rediss", "unix")
LOG_FORMATS = ("text", "json")
METRICS_TOKEN_MIN = 16

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
T = TypeVar("T")
N = TypeVar("N", int, float)


class SettingError(ValueError):
    """A DIEMCAU_* variable the server cannot run with: the message names it and says what it accepts."""


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
    # Origins allowed besides the server's own (the origin of public_url, or the request's host without one).
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    # Only requests arriving from these addresses have their X-Forwarded-For and X-Forwarded-Proto believed.
    trusted_proxies: tuple[Network, ...] = field(default_factory=tuple)
    # Seconds a connection may sit without a whole request (headers sent slowly, or idle between requests) before
    # it is closed: a client holding thousands of half-sent requests open ties up no more than this.
    idle_timeout: int = 30
    # Seconds a stopping server answers /healthz and new writes with 503 before it lets its consoles go, so that
    # a load balancer has moved new requests elsewhere by then.
    drain_seconds: float = 5.0
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
    # /metrics answers only a request carrying this bearer token; without one it is served on metrics_listen only.
    metrics_token: str | None = None
    # A second address ("127.0.0.1:9180") that serves /metrics alone, for a scraper that stays off the public side.
    metrics_listen: tuple[str, int] | None = None
    # How often the link to Redis is pinged, and how long an answer may take before the link counts as lost.
    redis_ping_seconds: float = 2.0
    log_format: str = "text"
    # The PKCS#12 file whose certificate signs every frozen summary PDF (PAdES), and the password that opens it.
    signing_p12: Path | None = None
    signing_password: str | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def own_origin(self) -> str | None:
        """The origin browsers use to reach the server, when the administrator has said it (DIEMCAU_PUBLIC_URL)."""
        return origin_of(self.public_url) if self.public_url else None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _secret(data_dir: Path, env: Mapping[str, str]) -> bytes:
    """The signing key lives in the data directory, not the database, so a leaked database reveals no token."""
    value = env.get("DIEMCAU_SECRET_KEY")
    if value:
        return value.encode()
    path = data_dir / "secret.key"
    try:
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()
    except OSError as error:
        raise SettingError(
            f"DIEMCAU_DATA_DIR must be a directory the server can write, not {str(data_dir)!r} ({error.strerror})"
        ) from None


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T, accepts: str) -> T:
    """The variable parsed, its default when unset or empty, or a SettingError saying what it accepts."""
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return parse(value)
    except (ValueError, TypeError):
        raise SettingError(f"{name} must be {accepts}, not {value!r}") from None


def _bounded(kind: Callable[[str], N], low: float, high: float | None = None) -> Callable[[str], N]:
    def parse(value: str) -> N:
        number = kind(value)
        if not math.isfinite(number) or number < low or (high is not None and number > high):
            raise ValueError(value)
        return number
    return parse


def _origin(value: str) -> str:
    parts = urlsplit(value)
    # Reading .port raises ValueError for a port that is not a number.
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.port == 0
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(value)
    return origin_of(value)


def _public_url(value: str) -> str:
    _origin(value)
    return value.rstrip("/")


def _origins(value: str) -> tuple[str, ...]:
    return tuple(_origin(item.strip()) for item in value.split(",") if item.strip())


def _networks(value: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip())


def _scheme(schemes: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if urlsplit(value).scheme not in schemes:
            raise ValueError(value)
        return value
    return parse


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value.lower() not in choices:
            raise ValueError(value)
        return value.lower()
    return parse


def _flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError(value)
    return value == "1"


def _rate(value: str) -> tuple[int, int]:
    """Read "N/S" as (N, S): at most N in any S seconds."""
    count, _, seconds = value.partition("/")
    rate = (int(count), int(seconds))
    if rate[0] < 1 or rate[1] < 1:
        raise ValueError(value)
    return rate


def _token(value: str) -> str:
    if len(value) < METRICS_TOKEN_MIN:
        raise ValueError(value)
    return value


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    number = int(port)
    if not host or not 1 <= number <= 65535:
        raise ValueError(value)
    return host.strip("[]"), number


def _signing(env: Mapping[str, str]) -> tuple[Path | None, str | None]:
    """The signing certificate's file and password, opened once here so that a wrong one stops the start, not a
    close."""
    value = env.get("DIEMCAU_SIGNING_P12", "").strip()
    password = env.get("DIEMCAU_SIGNING_PASSWORD") or None
    if not value:
        if password is not None:
            raise SettingError("DIEMCAU_SIGNING_PASSWORD is set but DIEMCAU_SIGNING_P12, the file it opens, is not")
        return None, None
    path = Path(value)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SettingError(
            f"DIEMCAU_SIGNING_P12 must be a PKCS#12 file the server can read, not {value!r} ({error.strerror})"
        ) from None
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError:
        raise SettingError(
            f"DIEMCAU_SIGNING_PASSWORD does not open DIEMCAU_SIGNING_P12 {value!r}: a wrong password, or not a "
            "PKCS#12 file"
        ) from None
    if key is None or certificate is None:
        raise SettingError(f"DIEMCAU_SIGNING_P12 must hold a private key and its certificate, and {value!r} lacks one")
    return path.resolve(), password


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
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings: explicit arguments win over DIEMCAU_* variables, which win over defaults."""
    env = os.environ if env is None else env
    whole = "a whole number"
    url = database_url or _read(
        env,
        "DIEMCAU_DATABASE_URL",
        _scheme(DATABASE_SCHEMES),
        f"sqlite+aiosqlite:///{(DEFAULT_DATA_DIR / 'diemcau.db').resolve()}",
        "a sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DATABASE URL",
    )
    directory = data_dir or Path(env.get("DIEMCAU_DATA_DIR") or _data_dir_for(url))
    public_url = _read(
        env,
        "DIEMCAU_PUBLIC_URL",
        _public_url,
        None,
        "an http:// or https:// address without a path, like https://hoithao.example.vn",
    )
    secure_cookies = _read(env, "DIEMCAU_SECURE_COOKIES", _flag, False, "0 or 1")
    signing_p12, signing_password = _signing(env)
    return Settings(
        database_url=url,
        data_dir=directory,
        secret_key=_secret(directory, env),
        host=host or env.get("DIEMCAU_HOST", "").strip() or Settings.host,
        port=port
        or _read(env, "DIEMCAU_PORT", _bounded(int, 1, 65535), Settings.port, "a port number from 1 to 65535"),
        public_url=public_url,
        redis_url=_read(env, "DIEMCAU_REDIS_URL", _scheme(REDIS_SCHEMES), None, "a redis://, rediss:// or unix:// URL"),
        allowed_origins=_read(
            env,
            "DIEMCAU_ALLOWED_ORIGINS",
            _origins,
            (),
            "comma-separated origins like https://a.example.vn,https://b.example.vn",
        ),
        trusted_proxies=_read(
            env,
            "DIEMCAU_TRUSTED_PROXIES",
            _networks,
            (),
            "comma-separated addresses or networks like 127.0.0.1,10.0.0.0/8",
        ),
        max_upload_bytes=_read(
            env,
            "DIEMCAU_MAX_UPLOAD_BYTES",
            _bounded(int, 1024),
            Settings.max_upload_bytes,
            f"{whole} of bytes, at least 1024",
        ),
        secure_cookies=secure_cookies or (public_url or "").startswith("https://"),
        session_hours=_read(
            env,
            "DIEMCAU_SESSION_HOURS",
            _bounded(int, 1, 24 * 31),
            Settings.session_hours,
            f"{whole} of hours from 1 to 744",
        ),
        submit_rate=_read(
            env, "DIEMCAU_SUBMIT_RATE", _rate, Settings.submit_rate, "COUNT/SECONDS with both at least 1, like 30/60"
        ),
        replay_limit=_read(
            env, "DIEMCAU_REPLAY_LIMIT", _bounded(int, 1), Settings.replay_limit, f"{whole} of at least 1"
        ),
        event_retention=_read(
            env,
            "DIEMCAU_EVENT_RETENTION",
            _bounded(int, 0),
            Settings.event_retention,
            f"{whole} of at least 0 (0 keeps every event)",
        ),
        idle_timeout=_read(
            env,
            "DIEMCAU_IDLE_TIMEOUT",
            _bounded(int, 1, 3600),
            Settings.idle_timeout,
            f"{whole} of seconds from 1 to 3600",
        ),
        drain_seconds=_read(
            env, "DIEMCAU_DRAIN_SECONDS", _bounded(float, 0, 300), Settings.drain_seconds, "seconds from 0 to 300"
        ),
        metrics_token=_read(
            env, "DIEMCAU_METRICS_TOKEN", _token, None, f"a token of at least {METRICS_TOKEN_MIN} characters"
        ),
        metrics_listen=_read(env, "DIEMCAU_METRICS_LISTEN", _address, None, "HOST:PORT, like 127.0.0.1:9180"),
        redis_ping_seconds=_read(
            env,
            "DIEMCAU_REDIS_PING_SECONDS",
            _bounded(float, 0.1, 60),
            Settings.redis_ping_seconds,
            "seconds from 0.1 to 60",
        ),
        log_format=_read(env, "DIEMCAU_LOG_FORMAT", _choice(LOG_FORMATS), Settings.log_format, "text or json"),
        signing_p12=signing_p12,
        signing_password=signing_password,
    )
