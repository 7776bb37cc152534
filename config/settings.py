"""Typed settings read from ``BRIDGE_*`` environment variables.

Every knob the application reads from its environment is listed once, in
:data:`ENVIRONMENT_VARIABLES`, with its parser and default (the warehouse
``config.py`` pattern).  Nothing below the web and task layers reads
``os.environ``; they receive a :class:`Settings` instance instead.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A setting has a value the application cannot start with."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting the application reads, after parsing and defaults."""

    data_dir: Path
    database_url: str
    queue_url: str
    cache_url: str
    base_url: str
    secret_keys: tuple[str, ...]
    clock_skew_seconds: int
    trust_proxy: bool
    log_level: str
    launch_state_ttl_seconds: int
    login_rate_limit: int
    jwks_cache_seconds: int
    http_connect_timeout: float
    http_read_timeout: float
    http_max_response_bytes: int
    reconcile_minutes: int
    retry_first_seconds: float
    delivery_max_tries: int
    delivery_lease_seconds: int
    metrics_token: str | None
    db_lock_wait_seconds: float

    @property
    def is_https(self) -> bool:
        return self.base_url.startswith("https://")

    def url_for(self, path: str) -> str:
        """Absolute URL of ``path`` on the public base URL."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


Parser = t.Callable[[str, str], t.Any]


def _text(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise SettingsError(f"{name} is set but empty; unset it to use the default")
    return value


def _int_between(low: int, high: int) -> Parser:
    def parse(name: str, value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise SettingsError(f"{name}={value!r} is not a whole number") from None
        if not low <= number <= high:
            raise SettingsError(f"{name}={number} is out of range; use {low} to {high}")
        return number

    return parse


def _seconds(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a number of seconds") from None
    if not 0 < number <= 300:
        raise SettingsError(f"{name}={number} is out of range; use more than 0 and at most 300")
    return number


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name}={value!r} is not a boolean; use true or false")


def _optional_text(name: str, value: str) -> str | None:
    """Empty means unset, so a blank line in an env file cannot become a guessable value."""
    return value.strip() or None


def _path(name: str, value: str) -> Path:
    return Path(_text(name, value)).expanduser().resolve()


def _database_url(name: str, value: str) -> str:
    value = _text(name, value)
    scheme = urlsplit(value).scheme
    if scheme.startswith("postgres"):
        if scheme in {"postgres", "postgresql"}:
            # SQLAlchemy's default PostgreSQL driver is psycopg2; the project ships psycopg 3.
            return "postgresql+psycopg" + value[len(scheme) :]
        return value
    if scheme.startswith("sqlite"):
        return value
    raise SettingsError(f"{name} must be a sqlite:/// or postgresql:// URL, got scheme {scheme!r}")


def _queue_url(name: str, value: str) -> str:
    value = _text(name, value)
    if urlsplit(value).scheme not in {"sqlite", "redis", "rediss", "memory"}:
        raise SettingsError(f"{name} must be sqlite:///PATH, redis://HOST:PORT/DB or memory://")
    return value


def _cache_url(name: str, value: str) -> str:
    value = _text(name, value)
    if urlsplit(value).scheme not in {"filesystem", "redis", "rediss", "memory"}:
        raise SettingsError(f"{name} must be filesystem:///PATH, redis://HOST:PORT/DB or memory://")
    return value


def _base_url(name: str, value: str) -> str:
    value = _text(name, value).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(f"{name} must be an absolute http(s) URL, got {value!r}")
    if parts.query or parts.fragment:
        raise SettingsError(f"{name} must not carry a query or fragment")
    return value


def _secret_keys(name: str, value: str) -> tuple[str, ...]:
    from cryptography.fernet import Fernet

    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    if not keys:
        raise SettingsError(f"{name} is set but holds no key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise SettingsError(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64-encoded bytes);"
                " make one with `assessment-bridge secrets generate`"
            ) from None
    return keys


def _log_level(name: str, value: str) -> str:
    level = value.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"{name}={value!r}; use DEBUG, INFO, WARNING or ERROR")
    return level


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "assessment-bridge")


@dataclasses.dataclass(frozen=True)
class EnvironmentVariable:
    """One row of the settings table."""

    name: str
    field: str
    parse: Parser
    default: t.Callable[[dict[str, t.Any]], str | None]
    help: str


def _fixed(value: str | None) -> t.Callable[[dict[str, t.Any]], str | None]:
    return lambda _resolved: value


ENVIRONMENT_VARIABLES: tuple[EnvironmentVariable, ...] = (
    EnvironmentVariable(
        "BRIDGE_DATA_DIR",
        "data_dir",
        _path,
        lambda _r: _default_data_dir(),
        "Directory for the SQLite database, job queue, cache and generated encryption key.",
    ),
    EnvironmentVariable(
        "BRIDGE_DATABASE_URL",
        "database_url",
        _database_url,
        lambda r: f"sqlite:///{r['data_dir'] / 'bridge.sqlite3'}",
        "SQLAlchemy URL of the store (SQLite file by default, postgresql:// at scale).",
    ),
    EnvironmentVariable(
        "BRIDGE_QUEUE_URL",
        "queue_url",
        _queue_url,
        lambda r: f"sqlite:///{r['data_dir'] / 'queue.sqlite3'}",
        "Job queue: sqlite:///PATH (SqliteHuey) or redis://HOST:PORT/DB (RedisHuey).",
    ),
    EnvironmentVariable(
        "BRIDGE_CACHE_URL",
        "cache_url",
        _cache_url,
        lambda r: f"filesystem://{r['data_dir'] / 'cache'}",
        "Launch state and caches: filesystem:///PATH or redis://HOST:PORT/DB.",
    ),
    EnvironmentVariable(
        "BRIDGE_BASE_URL",
        "base_url",
        _base_url,
        _fixed("http://127.0.0.1:8000"),
        "Public URL of the tool as the LMS and vendors reach it.",
    ),
    EnvironmentVariable(
        "BRIDGE_SECRET_KEYS",
        "secret_keys",
        _secret_keys,
        _fixed(None),
        "Comma-separated Fernet keys, newest first; generated into the data dir when unset.",
    ),
    EnvironmentVariable(
        "BRIDGE_CLOCK_SKEW_SECONDS",
        "clock_skew_seconds",
        _int_between(0, 300),
        _fixed("30"),
        "Leeway allowed on exp/iat/nbf of tokens from platforms.",
    ),
    EnvironmentVariable(
        "BRIDGE_TRUST_PROXY",
        "trust_proxy",
        _flag,
        _fixed("false"),
        "Honour X-Forwarded-Proto/Host from one reverse proxy in front of the tool.",
    ),
    EnvironmentVariable(
        "BRIDGE_LOG_LEVEL",
        "log_level",
        _log_level,
        _fixed("INFO"),
        "Log level.",
    ),
    EnvironmentVariable(
        "BRIDGE_LAUNCH_STATE_TTL_SECONDS",
        "launch_state_ttl_seconds",
        _int_between(30, 3600),
        _fixed("600"),
        "How long an OIDC login may take before its state expires.",
    ),
    EnvironmentVariable(
        "BRIDGE_LOGIN_RATE_LIMIT",
        "login_rate_limit",
        _int_between(0, 100000),
        _fixed("30"),
        "OIDC logins allowed per client address per minute (0: no limit); more get 429.",
    ),
    EnvironmentVariable(
        "BRIDGE_JWKS_CACHE_SECONDS",
        "jwks_cache_seconds",
        _int_between(0, 86400),
        _fixed("3600"),
        "How long a platform's JWKS is cached (refetched once on an unknown kid).",
    ),
    EnvironmentVariable(
        "BRIDGE_HTTP_CONNECT_TIMEOUT",
        "http_connect_timeout",
        _seconds,
        _fixed("5"),
        "Connect timeout for every outgoing HTTP request, in seconds.",
    ),
    EnvironmentVariable(
        "BRIDGE_HTTP_READ_TIMEOUT",
        "http_read_timeout",
        _seconds,
        _fixed("20"),
        "Read timeout for every outgoing HTTP request, in seconds.",
    ),
    EnvironmentVariable(
        "BRIDGE_HTTP_MAX_RESPONSE_BYTES",
        "http_max_response_bytes",
        _int_between(64 * 1024, 1024 * 1024 * 1024),
        _fixed(str(8 * 1024 * 1024)),
        "Longest answer read from a vendor or an ATS, in bytes; a longer one is refused "
        "unread (platforms' answers are bounded at 1 MiB).",
    ),
    EnvironmentVariable(
        "BRIDGE_RECONCILE_MINUTES",
        "reconcile_minutes",
        _int_between(1, 1440),
        _fixed("10"),
        "How often every vendor is asked for attempts changed since its stored cursor.",
    ),
    EnvironmentVariable(
        "BRIDGE_RETRY_FIRST_SECONDS",
        "retry_first_seconds",
        _seconds,
        _fixed("30"),
        "Wait before the first retry of a failed delivery; doubles per try (with jitter), "
        "at most an hour.",
    ),
    EnvironmentVariable(
        "BRIDGE_DELIVERY_MAX_TRIES",
        "delivery_max_tries",
        _int_between(1, 100),
        _fixed("15"),
        "Tries before a delivery that keeps failing is marked dead for a person to look at.",
    ),
    EnvironmentVariable(
        "BRIDGE_DELIVERY_LEASE_SECONDS",
        "delivery_lease_seconds",
        _int_between(2, 3600),
        _fixed("300"),
        "How long a worker holds a delivery it is sending; if it dies, the sweep hands the "
        "delivery to another worker after this.",
    ),
    EnvironmentVariable(
        "BRIDGE_METRICS_TOKEN",
        "metrics_token",
        _optional_text,
        _fixed(None),
        "Bearer token /metrics requires when set; /metrics is open to anyone when unset.",
    ),
    EnvironmentVariable(
        "BRIDGE_DB_LOCK_WAIT_SECONDS",
        "db_lock_wait_seconds",
        _seconds,
        _fixed("2"),
        "How long a web request waits for a database lock another process holds before it "
        "is answered 503 with Retry-After (the job consumer and commands wait 30 s).",
    ),
)


def load_settings(environ: t.Mapping[str, str] | None = None) -> Settings:
    """Parse settings from ``environ`` (``os.environ`` when omitted).

    :raises SettingsError: naming the variable and what to do about it.
    """
    source = os.environ if environ is None else environ
    resolved: dict[str, t.Any] = {}
    for variable in ENVIRONMENT_VARIABLES:
        raw = source.get(variable.name)
        if raw is None:
            raw = variable.default(resolved)
        resolved[variable.field] = None if raw is None else variable.parse(variable.name, raw)
    if resolved["secret_keys"] is None:
        resolved["secret_keys"] = ()
    return Settings(**resolved)
