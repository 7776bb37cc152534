"""Platform key sets, cached, refetched once when a token names an unknown kid."""

from __future__ import annotations

import hashlib
import logging
import typing as t

import jwt
import requests

from lti.errors import LtiLaunchError
from lti.http import ResponseTooLargeError
from lti.http import byte_size

if t.TYPE_CHECKING:
    from lti.interfaces import Cache

log = logging.getLogger(__name__)

CACHE_PREFIX = "lti-jwks:"


class PlatformKeySets:
    """Fetches and caches each platform's JWKS and resolves a kid to a public key.

    Parsed keys are memoised per process by (URL, kid), so a launch does not
    re-parse the JWK each time.
    """

    def __init__(self, cache: Cache, session: requests.Session, *, ttl_seconds: int) -> None:
        self._cache = cache
        self._session = session
        self._ttl = ttl_seconds
        self._parsed: dict[tuple[str, str, str], t.Any] = {}

    def public_key(self, key_set_url: str, kid: str) -> t.Any:
        """The RSA public key ``kid`` of the platform publishing ``key_set_url``.

        :raises LtiLaunchError: when the key set cannot be fetched or holds no such kid
            even after one refetch.
        """
        jwks = self._cached(key_set_url)
        jwk = _find(jwks, kid) if jwks else None
        if jwk is None:
            jwks = self._fetch(key_set_url)
            jwk = _find(jwks, kid)
        if jwk is None:
            raise LtiLaunchError(
                "unknown_kid",
                f"The platform signed the launch with key {kid!r}, which its key set does not"
                " publish.",
                admin_hint=f"Check that the platform's key set URL is right: {key_set_url}",
                status=401,
            )
        return self._parse(key_set_url, jwk)

    def _cached(self, url: str) -> dict[str, t.Any] | None:
        value: dict[str, t.Any] | None = self._cache.get(_cache_key(url))
        return value

    def _fetch(self, url: str) -> dict[str, t.Any]:
        try:
            response = self._session.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            jwks = response.json()
        except ResponseTooLargeError as exc:
            log.warning("platform key set %s refused: %s", url, exc)
            raise LtiLaunchError(
                "jwks_invalid",
                f"The platform's key set is larger than {byte_size(exc.limit)}, so it was not"
                " read and the launch could not be checked.",
                admin_hint=f"Check that the key set URL answers with a JWKS: {url}",
                status=502,
            ) from exc
        except (requests.RequestException, ValueError) as exc:
            log.warning("fetching platform key set %s failed: %s", url, type(exc).__name__)
            raise LtiLaunchError(
                "jwks_unavailable",
                "The platform's public keys could not be fetched to check the launch.",
                admin_hint=f"Check that the key set URL answers with a JWKS: {url}",
                status=502,
            ) from exc
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise LtiLaunchError(
                "jwks_invalid",
                "The platform's key set URL did not answer with a JSON Web Key Set.",
                admin_hint=f"Check the key set URL: {url}",
                status=502,
            )
        self._cache.set(_cache_key(url), jwks, timeout=self._ttl)
        return jwks

    def _parse(self, url: str, jwk: dict[str, t.Any]) -> t.Any:
        memo_key = (url, str(jwk.get("kid")), str(jwk.get("n", "")))
        if memo_key not in self._parsed:
            try:
                self._parsed[memo_key] = jwt.PyJWK(jwk, algorithm="RS256").key
            except jwt.PyJWTError as exc:
                raise LtiLaunchError(
                    "jwks_invalid",
                    f"The platform's key {jwk.get('kid')!r} is not a usable RSA key.",
                    admin_hint=f"Check the key set URL: {url}",
                    status=502,
                ) from exc
        return self._parsed[memo_key]


def _find(jwks: dict[str, t.Any], kid: str) -> dict[str, t.Any] | None:
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid and jwk.get("kty") == "RSA":
            return jwk
    return None


def _cache_key(url: str) -> str:
    return CACHE_PREFIX + hashlib.sha256(url.encode()).hexdigest()
