"""OIDC login state, kept server-side and usable once.

pylti1p3 keeps nonces forever and only checks they exist, so a captured
id_token can be replayed.  Here the login writes one record per ``state``
holding the nonce and the login parameters, and the launch *takes* it: the
first launch removes the record atomically, every later use of the same state
finds nothing.  The nonce lives only inside that record, so taking the record
consumes the nonce too.
"""

from __future__ import annotations

import dataclasses
import secrets
import typing as t

if t.TYPE_CHECKING:
    from lti.interfaces import SharedStore

STATE_PREFIX = "lti-state:"


@dataclasses.dataclass(frozen=True)
class LoginState:
    """What the login remembered for the launch that follows it."""

    state: str
    nonce: str
    issuer: str
    client_id: str


class LaunchStateStore:
    """Issues and consumes login states."""

    def __init__(self, store: SharedStore, *, ttl_seconds: int) -> None:
        self._store = store
        self._ttl = ttl_seconds

    def begin(self, *, issuer: str, client_id: str) -> LoginState:
        state = LoginState(
            state="state-" + secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            issuer=issuer,
            client_id=client_id,
        )
        self._store.put(STATE_PREFIX + state.state, dataclasses.asdict(state), self._ttl)
        return state

    def peek(self, state: str) -> LoginState | None:
        """The login state, without consuming it."""
        return _loaded(self._store.get(STATE_PREFIX + state))

    def take(self, state: str) -> LoginState | None:
        """Consume ``state`` (and its nonce): returns it to exactly one caller."""
        return _loaded(self._store.take(STATE_PREFIX + state))


def _loaded(record: dict[str, t.Any] | None) -> LoginState | None:
    """The stored state; keys an older release stored beside these are ignored."""
    if not record:
        return None
    names = {field.name for field in dataclasses.fields(LoginState)}
    return LoginState(**{key: value for key, value in record.items() if key in names})
