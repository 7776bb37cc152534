"""Verify OAuth 1.0a body-hash signed requests: signature, body hash, timestamp, nonce.

The checks run in an order that keeps an attacker from burning nonces: the nonce
is recorded only once the signature and body hash have been proven, so a forged
request never uses up a legitimate sender's nonce.

Nonces live in the application's shared store (files or Redis, seen by every worker
and host): a store per process would let each worker accept the same request once.
"""

from __future__ import annotations

import dataclasses
import hmac
import math
import time
import typing as t

from plugin.vendors.examspark.signing import SIGNATURE_METHOD
from plugin.vendors.examspark.signing import OAuthError
from plugin.vendors.examspark.signing import body_hash
from plugin.vendors.examspark.signing import hmac_sha1_signature
from plugin.vendors.examspark.signing import oauth_parameters
from plugin.vendors.examspark.signing import parse_authorization_header
from plugin.vendors.examspark.signing import signature_base_string

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

_REQUIRED = (
    "oauth_consumer_key",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_body_hash",
)


class NonceStore(t.Protocol):
    """Put-if-absent with expiry, seen by every process that verifies
    (:class:`plugin.runtime.shared_store.ExpiringStore` is one)."""

    def add(self, key: str, value: t.Any, ttl_seconds: int) -> bool:
        """Store ``value`` unless ``key`` holds a live value; True when this call stored it."""


@dataclasses.dataclass(frozen=True)
class VerifiedRequest:
    """What a verified request proved: who signed it and with which nonce."""

    consumer_key: str
    nonce: str
    timestamp: int


@dataclasses.dataclass(frozen=True)
class OAuthVerifier:
    """Checks body-hash signed requests from one consumer.

    :param window_s: how far ``oauth_timestamp`` may be from now, either way.
    :param nonce_scope: names the connection in the nonce keys, so that connections
        sharing one store (and perhaps one app key) never see each other's nonces.
    """

    consumer_key: str
    consumer_secret: str
    nonces: NonceStore
    window_s: int = 300
    nonce_scope: str = ""
    clock: Callable[[], float] = time.time

    def verify(
        self,
        *,
        method: str,
        url: str,
        query: Sequence[tuple[str, str]],
        authorization: str | None,
        body: bytes,
    ) -> VerifiedRequest:
        """Verify one request as received.

        :param url: the URL the sender signed (scheme, host, port and path are used).
        :param query: the decoded query parameters of the request.
        :raises OAuthError: naming the first check that failed.
        """
        if not authorization:
            raise OAuthError("the request carries no OAuth Authorization header")
        header_pairs = parse_authorization_header(authorization)
        oauth = oauth_parameters([*header_pairs, *query])
        self._check_fields(oauth)
        timestamp = self._check_timestamp(oauth["oauth_timestamp"])
        signed = [pair for pair in [*query, *header_pairs] if pair[0] != "oauth_signature"]
        expected = hmac_sha1_signature(
            signature_base_string(method, url, signed), self.consumer_secret
        )
        if not _same(expected, oauth["oauth_signature"]):
            raise OAuthError("the OAuth signature does not match (check the app secret)")
        if not _same(body_hash(body), oauth["oauth_body_hash"]):
            raise OAuthError("oauth_body_hash does not match the body")
        nonce = oauth["oauth_nonce"]
        if not self.nonces.add(self._nonce_key(timestamp, nonce), True, self._ttl(timestamp)):
            raise OAuthError("the OAuth nonce was already used")
        return VerifiedRequest(consumer_key=self.consumer_key, nonce=nonce, timestamp=timestamp)

    def _nonce_key(self, timestamp: int, nonce: str) -> str:
        """RFC 5849 section 3.3: a nonce is unique per timestamp and client credentials."""
        return f"oauth-nonce:{self.nonce_scope}:{self.consumer_key}:{timestamp}:{nonce}"

    def _ttl(self, timestamp: int) -> int:
        """Seconds until ``timestamp`` leaves the window (then it is refused as stale, so
        its nonces need not be kept), plus one for rounding: at most ``2 * window_s + 1``,
        for a sender whose clock runs ahead of ours."""
        return max(1, math.ceil(timestamp + self.window_s - self.clock()) + 1)

    def _check_fields(self, oauth: dict[str, str]) -> None:
        missing = [name for name in _REQUIRED if not oauth.get(name)]
        if missing:
            raise OAuthError(f"missing OAuth parameters: {', '.join(missing)}")
        if oauth["oauth_signature_method"] != SIGNATURE_METHOD:
            raise OAuthError(f"unsupported oauth_signature_method, expected {SIGNATURE_METHOD}")
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise OAuthError("unsupported oauth_version, expected 1.0")
        if not _same(oauth["oauth_consumer_key"], self.consumer_key):
            raise OAuthError("unknown oauth_consumer_key (check the app key)")

    def _check_timestamp(self, raw: str) -> int:
        if not raw.isdigit():
            raise OAuthError("oauth_timestamp is not a number of seconds")
        timestamp = int(raw)
        if abs(self.clock() - timestamp) > self.window_s:
            raise OAuthError(
                f"oauth_timestamp is more than {self.window_s} s away from now (check clocks)"
            )
        return timestamp


def _same(left: str, right: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII input."""
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))
