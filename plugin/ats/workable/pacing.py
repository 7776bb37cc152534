"""Workable's rate limit as its answers describe it, shared per account token.

Workable limits each token (account tokens: 10 requests per 10 s) and says where an interval
stands on every answer: ``X-Rate-Limit-Limit``, ``X-Rate-Limit-Remaining`` and
``X-Rate-Limit-Reset`` (Unix time of the next interval),
``docs/ats/workable.md#rate-limits``. Nothing here assumes a window length: a request waits
only for a reset time Workable gave. Every sink of one token shares one :class:`TokenPacer`,
so concurrent deliveries of one account draw from one budget.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
import typing as t

from plugin.errors import AppError

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

#: Two reset times closer than this are the same interval (headers may round).
_SAME_INTERVAL_S = 0.001


class WaitTooLongError(AppError):
    """The interval resets further away than the caller may wait."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"the rate-limit interval resets in {wait:.1f} s")
        self.wait = wait


class TokenPacer:
    """The rate-limit interval of one token (thread-safe).

    :param clock: Unix time source (reset headers are Unix times).
    :param sleep: pauses the calling thread.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._remaining: int | None = None
        self._reset_at: float | None = None
        self._blocked_until = 0.0

    def acquire(self, max_wait: float) -> None:
        """Take one request from the interval, first waiting for its reset if it is spent.

        :raises WaitTooLongError: when the reset is more than ``max_wait`` seconds away.
        """
        while True:
            with self._lock:
                now = self._clock()
                if self._reset_at is not None and now >= self._reset_at:
                    self._remaining = self._reset_at = None
                wait = self._blocked_until - now
                if self._remaining is not None and self._remaining <= 0:
                    wait = max(wait, t.cast("float", self._reset_at) - now)
                if wait <= 0:
                    if self._remaining is not None:
                        self._remaining -= 1
                    return
            if wait > max_wait:
                raise WaitTooLongError(wait)
            self._sleep(wait)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Record the interval an answer reports (answers may arrive out of order)."""
        remaining = _integer(headers.get("X-Rate-Limit-Remaining"))
        reset = _number(headers.get("X-Rate-Limit-Reset"))
        if remaining is None or reset is None:
            return
        with self._lock:
            if self._reset_at is None or reset > self._reset_at + _SAME_INTERVAL_S:
                self._reset_at, self._remaining = reset, remaining
            elif reset >= self._reset_at - _SAME_INTERVAL_S:
                current = self._remaining
                self._remaining = remaining if current is None else min(current, remaining)

    def block_for(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a 429 said so)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def until_reset(self) -> float | None:
        """Seconds until the current interval resets, when an answer said."""
        with self._lock:
            if self._reset_at is None:
                return None
            return max(0.0, self._reset_at - self._clock())


_PACERS: dict[str, TokenPacer] = {}
_PACERS_LOCK = threading.Lock()


def pacer_for(base_url: str, token: str) -> TokenPacer:
    """The pacer of ``token`` at ``base_url`` (keyed by a digest: the token is not kept)."""
    key = hashlib.sha256(f"{base_url}\0{token}".encode()).hexdigest()
    with _PACERS_LOCK:
        return _PACERS.setdefault(key, TokenPacer())


def _integer(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None
