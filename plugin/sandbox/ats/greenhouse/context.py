"""The simulator's per-app object: settings, state, and the bearer check of API routes."""

from __future__ import annotations

import dataclasses
import hmac
import typing as t

from flask import current_app
from flask import g
from flask import request

from plugin.sandbox.ats.greenhouse.errors import ApiError

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Response

    from plugin.sandbox.ats.greenhouse.ratelimit import RateLimiter
    from plugin.sandbox.ats.greenhouse.state import GreenhouseState

EXTENSION_KEY = "sandbox.greenhouse"
_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="harvest"'}


@dataclasses.dataclass
class GreenhouseSimulator:
    client_id: str
    client_secret: str = dataclasses.field(repr=False)
    users: frozenset[int]
    token_lifetime: int
    page_size: int
    state: GreenhouseState
    limiter: RateLimiter
    clock: Callable[[], float]

    def client_matches(self, client_id: str, client_secret: str) -> bool:
        """Compare both values in constant time (no early exit on a wrong id)."""
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        return id_ok and secret_ok

    def authorize(self) -> None:
        """Check the bearer token, then count the request against its window.

        :raises ApiError: 401 for a missing, unknown or expired token; 429 over the limit.
        """
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Missing Bearer token", headers=_BEARER_CHALLENGE)
        with self.state.lock:
            expires_at = self.state.tokens.get(token.strip())
        if expires_at is None or self.clock() >= expires_at:
            raise ApiError(401, "Invalid or expired Bearer token", headers=_BEARER_CHALLENGE)
        g.greenhouse_rate_headers = self.limiter.take(token.strip())


def current() -> GreenhouseSimulator:
    simulator: GreenhouseSimulator = current_app.extensions[EXTENSION_KEY]
    return simulator


def finish_response(response: Response) -> Response:
    """Add the rate-limit headers of an authorized request and count the answer."""
    response.headers.update(g.get("greenhouse_rate_headers", {}))
    if request.path.startswith("/sandbox/"):
        return response
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    state = current().state
    with state.lock:
        stats = state.stats
        stats.requests[f"{request.method} {rule}"] += 1
        stats.rate_limited += response.status_code == 429
    return response
