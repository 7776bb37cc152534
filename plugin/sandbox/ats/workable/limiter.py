"""Workable's rate limit: intervals per token, described by three headers.

An interval starts with a token's first request after the previous one ended and
lasts ``window_seconds``; ``X-Rate-Limit-Reset`` is its end (the next interval's start).
"""

from __future__ import annotations

import math
import threading
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable


class IntervalLimiter:
    """``limit`` requests per interval and per token (thread-safe)."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float]) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("rate_limit must be >= 1 and window_seconds > 0")
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        #: token -> (end of its interval, requests counted in it)
        self._intervals: dict[str, tuple[float, int]] = {}

    def hit(self, token: str) -> bool:
        """Count one request of ``token``; ``False`` when its interval is spent."""
        with self._lock:
            end, used = self._current(token)
            if used >= self.limit:
                return False
            self._intervals[token] = (end, used + 1)
            return True

    def headers(self, token: str) -> dict[str, str]:
        """The three rate-limit headers of ``token``'s interval as it stands."""
        with self._lock:
            end, used = self._current(token)
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.limit - used),
            "X-Rate-Limit-Reset": _timestamp(end, whole=float(self.window).is_integer()),
        }

    def seconds_to_reset(self, token: str) -> float:
        with self._lock:
            return self._current(token)[0] - self._clock()

    def reset(self) -> None:
        with self._lock:
            self._intervals.clear()

    def _current(self, token: str) -> tuple[float, int]:
        now = self._clock()
        end, used = self._intervals.get(token, (now, 0))
        if end <= now:
            end, used = now + self.window, 0
            self._intervals[token] = (end, used)
        return end, used


def _timestamp(moment: float, *, whole: bool) -> str:
    """Unix seconds as Workable sends them, or milliseconds for a sub-second test
    window; rounded up, so that a client waiting until then is never early."""
    if whole:
        return str(math.ceil(moment))
    return f"{math.ceil(moment * 1000) / 1000:.3f}"
