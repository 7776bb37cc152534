"""Request counters shown by the control API."""

from __future__ import annotations

import collections
import threading


class RequestStats:
    """Counts requests per endpoint, injected faults and token requests per client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: collections.Counter[str] = collections.Counter()
        self._faults: collections.Counter[str] = collections.Counter()
        self._token_requests: collections.Counter[str] = collections.Counter()
        self._tokens_issued: collections.Counter[str] = collections.Counter()

    def count_request(self, endpoint: str) -> None:
        """Count one request to ``endpoint`` (``"METHOD /rule"``)."""
        with self._lock:
            self._endpoints[endpoint] += 1

    def count_fault(self, status: int) -> None:
        """Count one injected failure answered with ``status``."""
        with self._lock:
            self._faults[str(status)] += 1

    def count_token_request(self, client_id: str, *, issued: bool) -> None:
        """Count one token request that named ``client_id`` and whether a token was issued."""
        with self._lock:
            self._token_requests[client_id] += 1
            if issued:
                self._tokens_issued[client_id] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        """Return all counters as plain dicts."""
        with self._lock:
            return {
                "requests": dict(self._endpoints),
                "faults": dict(self._faults),
                "token_requests": dict(self._token_requests),
                "tokens_issued": dict(self._tokens_issued),
            }

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            for counter in (
                self._endpoints,
                self._faults,
                self._token_requests,
                self._tokens_issued,
            ):
                counter.clear()
