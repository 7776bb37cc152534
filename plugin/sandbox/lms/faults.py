"""Seeded latency and failure injection for every non-control endpoint.

One ``random.Random`` drawn under a lock decides each request's fate, so a given seed and request
order always yields the same sequence of failures.
"""

from __future__ import annotations

import dataclasses
import random
import threading

from plugin.sandbox.lms.errors import ApiError

_ERROR_STATUSES = (500, 503)


@dataclasses.dataclass(frozen=True)
class FaultSettings:
    """What to inject.

    :ivar latency_ms: delay added before answering each request.
    :ivar error_rate: fraction of requests answered 500 or 503.
    :ivar rate_limit_rate: fraction of requests answered 429.
    :ivar retry_after: seconds advertised in ``Retry-After`` on 429 (and 503) answers.
    :ivar seed: random seed; ``None`` picks a fresh one.
    """

    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    seed: int | None = None

    @classmethod
    def from_json(cls, body: dict[str, object]) -> FaultSettings:
        """Build settings from a control-API body, rejecting nonsense.

        :raises ApiError: 400 on unknown keys or out-of-range values.
        """
        unknown = set(body) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ApiError(400, "invalid_request", f"unknown fault settings: {sorted(unknown)}")
        settings = cls(
            latency_ms=_int(body, "latency_ms", 0),
            error_rate=_float(body, "error_rate", 0.0),
            rate_limit_rate=_float(body, "rate_limit_rate", 0.0),
            retry_after=_int(body, "retry_after", 1),
            seed=None if body.get("seed") is None else _int(body, "seed", 0),
        )
        settings._check()
        return settings

    def _check(self) -> None:
        rates_ok = 0.0 <= self.error_rate <= 1.0 and 0.0 <= self.rate_limit_rate <= 1.0
        if not rates_ok or self.error_rate + self.rate_limit_rate > 1.0:
            raise ApiError(400, "invalid_request", "rates must be in [0, 1] and sum to <= 1")
        if self.latency_ms < 0 or self.retry_after < 0:
            raise ApiError(400, "invalid_request", "latency_ms and retry_after must be >= 0")


def _float(body: dict[str, object], key: str, default: float) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(400, "invalid_request", f"{key} must be a number")
    return float(value)


def _int(body: dict[str, object], key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "invalid_request", f"{key} must be an integer")
    return value


@dataclasses.dataclass(frozen=True)
class Fault:
    """An injected failure: status and headers to answer with."""

    status: int
    headers: dict[str, str]


class FaultInjector:
    """Decides, per request, the added latency and whether to fail."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._rng = random.Random()

    @property
    def settings(self) -> FaultSettings:
        """The settings in force."""
        with self._lock:
            return self._settings

    def configure(self, settings: FaultSettings) -> None:
        """Replace the settings and restart the random sequence from the seed."""
        with self._lock:
            self._settings = settings
            self._rng = random.Random(settings.seed)

    def draw(self) -> Fault | None:
        """Return the failure to inject for one request, or ``None``."""
        with self._lock:
            settings = self._settings
            if settings.error_rate == 0.0 and settings.rate_limit_rate == 0.0:
                return None
            roll = self._rng.random()
            if roll < settings.error_rate:
                status = self._rng.choice(_ERROR_STATUSES)
                return Fault(status, _retry_after(settings) if status == 503 else {})
            if roll < settings.error_rate + settings.rate_limit_rate:
                return Fault(429, _retry_after(settings))
            return None


def _retry_after(settings: FaultSettings) -> dict[str, str]:
    return {"Retry-After": str(settings.retry_after)}
