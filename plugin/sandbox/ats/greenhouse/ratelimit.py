"""Per-token rate limiting with Greenhouse's headers (``docs/ats/greenhouse.md#rate-limits``).

Each access token gets ``limit`` requests per fixed window of ``window_seconds``,
starting with its first request. Every answer to an authenticated request carries
``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``; a request over the limit is
answered 429 with ``Retry-After`` (whole seconds) and ``X-RateLimit-Reset`` (Unix time,
whole seconds), both rounded up so a client that waits for them finds a fresh window.
"""

from __future__ import annotations

import math
import threading
import typing as t

from plugin.sandbox.ats.greenhouse.errors import ApiError

if t.TYPE_CHECKING:
    from collections.abc import Callable


class RateLimiter:
    """Windows per token.

    :param limit: requests per window.
    :param window_seconds: window length (fractions allowed, for fast tests).
    :param clock: Unix time source.
    """

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float]) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("rate_limit must be >= 1 and window_seconds > 0")
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # token -> (start, requests)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def take(self, token: str) -> dict[str, str]:
        """Count one request of ``token``; return the headers of its answer.

        :raises ApiError: 429 when the window is used up.
        """
        now = self._clock()
        with self._lock:
            start, used = self._windows.get(token, (now, 0))
            if now >= start + self.window:
                start, used = now, 0
            if used >= self.limit:
                reset_at = start + self.window
                headers = {
                    "X-RateLimit-Limit": str(self.limit),
                    "X-RateLimit-Remaining": "0",
                    "Retry-After": str(max(1, math.ceil(reset_at - now))),
                    "X-RateLimit-Reset": str(math.ceil(reset_at)),
                }
                raise ApiError(429, "Too Many Requests", headers=headers)
            self._windows[token] = (start, used + 1)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.limit - used - 1),
        }
