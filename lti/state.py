"""OIDC login state and nonces, kept server-side in the cache and usable once.

pylti1p3 keeps nonces forever and only checks they exist, so a captured
id_token can be replayed.  Here the login writes one record per ``state``
(holding the nonce and the login parameters) and the launch *takes* it: the
first launch deletes the record, every later use of the same state or nonce
finds nothing.  Deleting is atomic on both backends (``os.remove`` for the
file cache, ``DEL`` for Redis), so two concurrent replays cannot both win.
"""

from __future__ import annotations

import dataclasses
import secrets
import typing as t

if t.TYPE_CHECKING:
    from lti.interfaces import Cache

STATE_PREFIX = "lti-state:"
NONCE_PREFIX = "lti-nonce:"


@dataclasses.dataclass(frozen=True)
class LoginState:
    """What the login remembered for the launch that follows it."""

    state: str
    nonce: str
    issuer: str
    client_id: str
    login_params: dict[str, str]


class LaunchStateStore:
    """Issues and consumes login states and nonces."""

    def __init__(self, cache: Cache, *, ttl_seconds: int) -> None:
        self._cache = cache
        self._ttl = ttl_seconds

    def begin(self, *, issuer: str, client_id: str, login_params: dict[str, str]) -> LoginState:
        state = LoginState(
            state="state-" + secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            issuer=issuer,
            client_id=client_id,
            login_params=login_params,
        )
        self._cache.set(STATE_PREFIX + state.state, dataclasses.asdict(state), timeout=self._ttl)
        self._cache.set(NONCE_PREFIX + state.nonce, state.state, timeout=self._ttl)
        return state

    def peek(self, state: str) -> LoginState | None:
        """The login state, without consuming it (for the cookies-blocked page)."""
        record = self._cache.get(STATE_PREFIX + state)
        return LoginState(**record) if record else None

    def take(self, state: str) -> LoginState | None:
        """Consume ``state``: returns it to exactly one caller, ``None`` to all others."""
        record = self._cache.get(STATE_PREFIX + state)
        if not record or not self._cache.delete(STATE_PREFIX + state):
            return None
        return LoginState(**record)

    def consume_nonce(self, nonce: str, state: str) -> bool:
        """True once for a nonce issued with ``state``; False for unknown or reused nonces."""
        owner = self._cache.get(NONCE_PREFIX + nonce)
        if owner != state:
            return False
        return bool(self._cache.delete(NONCE_PREFIX + nonce))
