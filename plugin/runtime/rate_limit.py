"""A per-client rate limit counted in the shared store, so every worker and process of the
tool counts against the same limit (Redis when ``BRIDGE_CACHE_URL`` names one, else the
files of the data directory).

A client's window opens with its first hit and lasts ``window_seconds``: at most ``limit``
hits fit in it, the next ones are refused until it closes, and the refusal says when that
is (``Retry-After``).
"""

from __future__ import annotations

import dataclasses
import math

from plugin.runtime.shared_store import Counters


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Whether a hit is allowed; when it is not, the seconds until the next one is."""

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """At most ``limit`` hits per client in ``window_seconds``; ``limit`` 0 lets every hit
    through.

    :param name: what is limited, part of the counters' keys.
    """

    def __init__(self, counters: Counters, *, name: str, limit: int, window_seconds: int) -> None:
        self._counters = counters
        self._name = name
        self._limit = limit
        self._window = window_seconds

    def hit(self, client: str) -> Verdict:
        """Count one hit of ``client`` (an address) and say whether it is allowed."""
        if self._limit == 0:
            return Verdict(allowed=True)
        count = self._counters.incr(f"rate:{self._name}:{client}", self._window)
        if count.value <= self._limit:
            return Verdict(allowed=True)
        return Verdict(allowed=False, retry_after=max(1, math.ceil(count.expires_in)))
