"""Access tokens shared by every worker and process, with one token request in flight per key.

A token is cached per (issuer, client id, sorted scopes) in a :class:`lti.interfaces.SharedStore`
until ``refresh_margin_seconds`` before it expires.  When it is missing, :class:`SingleFlight`
lets one caller fetch it: that caller takes a lock key with put-if-absent semantics and a short
TTL, the others poll the store for the value until the holder stores it, the lock lapses (a
holder that died or failed: the next caller takes over) or ``wait_seconds`` pass (then they
fetch on their own rather than fail a delivery).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import typing as t

from lti.service_token import AccessToken

if t.TYPE_CHECKING:
    from lti.interfaces import PlatformRecord
    from lti.interfaces import SharedStore

log = logging.getLogger(__name__)

Json = t.Any
_LOCK_SUFFIX = ":lock"


class SingleFlight:
    """Compute a shared value once across processes while others wait for it.

    :param store: where values and locks live.
    :param lock_ttl_seconds: how long a lock outlives a holder that died.
    :param wait_seconds: how long a waiter polls before computing on its own.
    :param poll_seconds: pause between two polls.
    """

    def __init__(
        self,
        store: SharedStore,
        *,
        lock_ttl_seconds: int = 15,
        wait_seconds: float = 15.0,
        poll_seconds: float = 0.02,
    ) -> None:
        self._store = store
        self._lock_ttl = lock_ttl_seconds
        self._wait = wait_seconds
        self._poll = poll_seconds

    def get_or_compute(self, key: str, compute: t.Callable[[], tuple[Json, int]]) -> Json:
        """Return the value stored at ``key``, computing and storing it when absent.

        :param compute: returns the value and how many seconds to keep it (``<= 0``: not kept).
        :raises: whatever ``compute`` raises, in the caller that ran it.
        """
        deadline = time.monotonic() + self._wait
        while True:
            value = self._store.get(key)
            if value is not None:
                return value
            owner = secrets.token_hex(8)
            if self._store.add(key + _LOCK_SUFFIX, owner, self._lock_ttl):
                try:
                    return self._compute_and_store(key, compute)
                finally:
                    self._release(key + _LOCK_SUFFIX, owner)
            if time.monotonic() >= deadline:
                log.warning("gave up waiting for another worker to fill %s", key)
                return self._compute_and_store(key, compute)
            time.sleep(self._poll)

    def _compute_and_store(self, key: str, compute: t.Callable[[], tuple[Json, int]]) -> Json:
        value = self._store.get(key)  # filled while we took the lock
        if value is not None:
            return value
        value, ttl_seconds = compute()
        if ttl_seconds > 0:
            self._store.put(key, value, ttl_seconds)
        return value

    def _release(self, lock_key: str, owner: str) -> None:
        if self._store.get(lock_key) == owner:
            self._store.take(lock_key)


def token_cache_key(issuer: str, client_id: str, scopes: t.Iterable[str]) -> str:
    """The store key of the token for (issuer, client id, scopes); scope order does not matter."""
    parts = "\0".join([issuer, client_id, *sorted(set(scopes))])
    return "lti:token:" + hashlib.sha256(parts.encode()).hexdigest()


class TokenCache:
    """Access tokens per (issuer, client id, scopes), shared through a store.

    :param store: shared by every worker that talks to the same platforms.
    :param refresh_margin_seconds: a token is not handed out this close to its expiry.
    :param flight: the single-flight policy (default: over ``store`` with default timings).
    """

    def __init__(
        self,
        store: SharedStore,
        *,
        refresh_margin_seconds: int = 60,
        flight: SingleFlight | None = None,
    ) -> None:
        self._store = store
        self._margin = refresh_margin_seconds
        self._flight = flight or SingleFlight(store)

    def token(
        self,
        platform: PlatformRecord,
        scopes: t.Iterable[str],
        fetch: t.Callable[[], AccessToken],
    ) -> AccessToken:
        """Return a cached token or the one ``fetch`` gets (at most one fetch in flight per key).

        :param fetch: asks the platform for a token with ``scopes``.
        :raises lti.service_token.TokenRequestError: when ``fetch`` fails.
        """
        key = token_cache_key(platform.issuer, platform.client_id, scopes)

        def compute() -> tuple[Json, int]:
            fresh = fetch()
            log.info("access token obtained from %s for %s", platform.issuer, platform.client_id)
            keep = int(fresh.expires_at - self._margin - time.time())
            return _dump(fresh), keep

        return _load(self._flight.get_or_compute(key, compute))

    def invalidate(self, platform: PlatformRecord, scopes: t.Iterable[str], token: str) -> None:
        """Forget ``token`` (the platform refused it); a newer token in its place is kept."""
        key = token_cache_key(platform.issuer, platform.client_id, scopes)
        cached = self._store.get(key)
        if cached is not None and cached.get("token") == token:
            self._store.take(key)


def _dump(token: AccessToken) -> Json:
    return {"token": token.token, "scopes": sorted(token.scopes), "expires_at": token.expires_at}


def _load(value: Json) -> AccessToken:
    return AccessToken(
        token=str(value["token"]),
        scopes=frozenset(value["scopes"]),
        expires_at=float(value["expires_at"]),
    )
