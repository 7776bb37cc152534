"""Launch state sealed at rest: a :class:`~lti.interfaces.SharedStore` that encrypts every
value before it reaches the store underneath.

Login state holds the nonce, and launch data the platform's whole set of claims (the
learner's name and e-mail among them); in the file store under the data directory or in
Redis they would be readable by whoever can read those.  Keys are left as they are: the
file store names its files by the key's SHA-256, and a key names a state or a launch id,
never a person.

A value no configured key opens (sealed with a key dropped since) reads as absent, as if it
had expired: the login starts again instead of failing.
"""

from __future__ import annotations

import json
import logging
import typing as t

from lti.interfaces import SharedStore

log = logging.getLogger(__name__)

_SEALED = "sealed"


class Sealer(t.Protocol):
    """Authenticated encryption of small values (the application's secret box)."""

    def encrypt(self, plaintext: bytes) -> bytes: ...

    def decrypt(self, token: bytes) -> bytes: ...


class PrunableStore(SharedStore, t.Protocol):
    """A shared store the job consumer prunes of expired values."""

    def prune(self) -> int: ...


class SealedStore:
    """``store`` with every value sealed by ``sealer``.

    :param unreadable: what ``sealer.decrypt`` raises for a value no key opens.
    """

    def __init__(
        self, store: PrunableStore, sealer: Sealer, *, unreadable: type[Exception]
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._unreadable = unreadable

    def put(self, key: str, value: t.Any, ttl_seconds: int) -> None:
        self._store.put(key, self._seal(value), ttl_seconds)

    def get(self, key: str) -> t.Any:
        return self._open(self._store.get(key))

    def take(self, key: str) -> t.Any:
        return self._open(self._store.take(key))

    def add(self, key: str, value: t.Any, ttl_seconds: int) -> bool:
        return self._store.add(key, self._seal(value), ttl_seconds)

    def prune(self) -> int:
        return self._store.prune()

    def _seal(self, value: t.Any) -> dict[str, str]:
        return {_SEALED: self._sealer.encrypt(json.dumps(value).encode()).decode("ascii")}

    def _open(self, stored: t.Any) -> t.Any:
        """The value inside ``stored``; None for nothing, or for a value that was not
        sealed (written by a release before this one) or that no key opens."""
        if not isinstance(stored, dict) or not isinstance(stored.get(_SEALED), str):
            return None
        try:
            plaintext = self._sealer.decrypt(stored[_SEALED].encode("ascii"))
        except self._unreadable:
            log.warning("a sealed launch state value no configured key opens was ignored")
            return None
        return json.loads(plaintext)
