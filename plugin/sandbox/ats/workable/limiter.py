"""Workable's rate limit: fixed intervals per token, described by three headers."""

from __future__ import annotations

import math
import threading
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable


class IntervalLimiter:
    """``limit`` requests per ``window_seconds`` interval and per token (thread-safe).

    Intervals are aligned on Unix time, so ``X-Rate-Limit-Reset`` is the same for
    every request of an interval.
    """

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float]) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("rate_limit must be >= 1 and window_seconds > 0")
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._used: dict[str, tuple[int, int]] = {}

    def hit(self, token: str) -> bool:
        """Count one request of ``token``; ``False`` when its interval is spent."""
        with self._lock:
            index = self._index()
            seen, used = self._used.get(token, (index, 0))
            used = used if seen == index else 0
            if used >= self.limit:
                return False
            self._used[token] = (index, used + 1)
            return True

    def headers(self, token: str) -> dict[str, str]:
        """The three rate-limit headers of ``token``'s interval as it stands."""
        with self._lock:
            index = self._index()
            seen, used = self._used.get(token, (index, 0))
            remaining = self.limit - (used if seen == index else 0)
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": _timestamp((index + 1) * self.window),
        }

    def seconds_to_reset(self) -> float:
        with self._lock:
            return (self._index() + 1) * self.window - self._clock()

    def reset(self) -> None:
        with self._lock:
            self._used.clear()

    def _index(self) -> int:
        return math.floor(self._clock() / self.window)


def _timestamp(moment: float) -> str:
    """Whole seconds as Workable sends them; a sub-second test window keeps
    milliseconds, rounded up so that a client waiting until then is never early."""
    if float(moment).is_integer():
        return str(int(moment))
    return f"{math.ceil(moment * 1000) / 1000:.3f}"
