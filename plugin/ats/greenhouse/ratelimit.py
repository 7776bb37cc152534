"""Greenhouse's rate-limit window as the response headers describe it
(``docs/ats/greenhouse.md#rate-limits``).

Every answer carries ``X-RateLimit-Limit`` (requests per window) and
``X-RateLimit-Remaining``; a 429 adds ``Retry-After`` (seconds) and
``X-RateLimit-Reset`` (Unix time the window resets). Nothing here assumes a window
length: a request waits only for a reset time Greenhouse gave.
"""

from __future__ import annotations

import threading
import time
import typing as t

from plugin.ats.base import AtsError
from plugin.http.sessions import retry_after_seconds

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests


class RateLimitWindow:
    """The window of one credential, shared by every request of a sink.

    :param max_wait_seconds: longest pause before a request; a reset further away
        raises a retryable :class:`AtsError` with ``retry_after``.
    :param clock: Unix time source (reset headers are Unix times).
    :param sleep: pauses the calling thread.
    """

    def __init__(
        self,
        max_wait_seconds: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._max_wait = max_wait_seconds
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._blocked_until = 0.0
        #: the last ``X-RateLimit-Limit`` seen (requests per window).
        self.limit: int | None = None

    def before_request(self) -> None:
        """Wait for the reset of an exhausted window, or refuse when it is too far.

        :raises AtsError: retryable, with ``retry_after``, when the wait would exceed
            ``max_wait_seconds``.
        """
        with self._lock:
            wait = self._blocked_until - self._clock()
        if wait <= 0:
            return
        if wait > self._max_wait:
            raise AtsError(
                f"Greenhouse rate limit reached; the window resets in {wait:.1f} s",
                status=429,
                retryable=True,
                retry_after=wait,
            )
        self._sleep(wait)

    def observe(self, response: requests.Response) -> float | None:
        """Record the window an answer reports.

        :return: for a 429, the seconds Greenhouse asked to wait (``None`` when it did
            not say); otherwise ``None``.
        """
        headers = response.headers
        now = self._clock()
        limit = _integer(headers.get("X-RateLimit-Limit"))
        remaining = _integer(headers.get("X-RateLimit-Remaining"))
        reset = _number(headers.get("X-RateLimit-Reset"))
        delay: float | None = None
        if response.status_code == 429:
            delay = retry_after_seconds(headers.get("Retry-After"), now=now)
            if delay is None and reset is not None:
                delay = max(0.0, reset - now)
        elif remaining == 0 and reset is not None:
            delay = max(0.0, reset - now)
        with self._lock:
            self.limit = limit if limit is not None else self.limit
            if delay is not None:
                self._blocked_until = max(self._blocked_until, now + delay)
        return delay if response.status_code == 429 else None


def _integer(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
