"""Fetch and cache tools' public keys from their ``jwks_uri``.

A JWKS is fetched once per URI and reused; an unknown ``kid`` triggers exactly one refetch, so a
tool that rotates its keys is picked up without hammering it.
"""

from __future__ import annotations

import threading

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from plugin.sandbox.lms.errors import JwtRejectedError

_FETCH_TIMEOUT_S = (3.05, 5.0)


class ToolKeyCache:
    """Cache of tool public keys by ``jwks_uri`` and ``kid``.

    :param session: HTTP session used to fetch key sets.
    """

    def __init__(self, session: requests.Session | None = None) -> None:
        self._session = session or requests.Session()
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, RSAPublicKey]] = {}
        self.fetch_count = 0

    def key(self, jwks_uri: str, kid: str) -> RSAPublicKey:
        """Return the tool's RSA public key with ``kid``.

        :raises JwtRejectedError: ``kid`` when the key is absent even after one refetch,
            ``jwks`` when the key set cannot be fetched.
        """
        with self._lock:
            cached = self._cache.get(jwks_uri)
        if cached is not None and kid in cached:
            return cached[kid]
        fresh = self._fetch(jwks_uri)
        with self._lock:
            self._cache[jwks_uri] = fresh
        if kid not in fresh:
            raise JwtRejectedError("kid", "the kid is not in the tool's JWKS")
        return fresh[kid]

    def _fetch(self, jwks_uri: str) -> dict[str, RSAPublicKey]:
        with self._lock:
            self.fetch_count += 1
        try:
            response = self._session.get(jwks_uri, timeout=_FETCH_TIMEOUT_S)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise JwtRejectedError("jwks", "the tool's JWKS could not be fetched") from exc
        return _rsa_keys(document)


def _rsa_keys(document: object) -> dict[str, RSAPublicKey]:
    """Pick the RSA signing keys with a ``kid`` out of a JWKS document."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise JwtRejectedError("jwks", "the tool's JWKS has no 'keys' list")
    keys: dict[str, RSAPublicKey] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not entry.get("kid"):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            loaded = jwt.PyJWK(entry, algorithm="RS256").key
        except jwt.PyJWTError:
            continue
        if isinstance(loaded, RSAPublicKey):
            keys[str(entry["kid"])] = loaded
    return keys
