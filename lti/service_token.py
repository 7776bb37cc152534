"""OAuth 2 client credentials with a signed JWT assertion (LTI Security Framework 4.1).

Only the exchange itself lives here; caching tokens per (issuer, client id,
scopes) and sharing them across workers is the caller's job.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
import typing as t

import jwt
import requests

from lti.http import ResponseTooLargeError
from lti.http import byte_size
from lti.http import error_description
from lti.interfaces import PlatformRecord
from lti.interfaces import SigningKey

log = logging.getLogger(__name__)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_SECONDS = 300


class TokenRequestError(Exception):
    """The platform refused or failed a token request.

    :param status: HTTP status, None when the platform could not be reached.
    :param retryable: whether trying again later may help.
    """

    def __init__(self, message: str, *, status: int | None, retryable: bool) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclasses.dataclass(frozen=True)
class AccessToken:
    token: str
    scopes: frozenset[str]
    expires_at: float


def client_assertion(platform: PlatformRecord, key: SigningKey, *, now: float | None = None) -> str:
    """The JWT the tool signs to authenticate at the platform's token endpoint."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.auth_audience or platform.auth_token_url,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME_SECONDS,
        "jti": secrets.token_urlsafe(24),
    }
    log.info("client assertion for %s signed with tool key kid=%s", claims["aud"], key.kid)
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def request_access_token(
    platform: PlatformRecord,
    key: SigningKey,
    scopes: t.Iterable[str],
    *,
    session: requests.Session,
) -> AccessToken:
    """Exchange a fresh client assertion for an access token.

    :raises TokenRequestError: with the platform's ``error_description`` when it gave one.
    """
    wanted = sorted(set(scopes))
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(platform, key),
        "scope": " ".join(wanted),
    }
    started = time.time()
    try:
        response = session.post(
            platform.auth_token_url, data=data, headers={"Accept": "application/json"}
        )
    except ResponseTooLargeError as exc:
        # Retryable like any other unusable answer: the delivery's tries bound it.
        raise TokenRequestError(
            f"token endpoint {platform.auth_token_url} answered more than"
            f" {byte_size(exc.limit)}; refused",
            status=exc.status,
            retryable=True,
        ) from exc
    except requests.RequestException as exc:
        raise TokenRequestError(
            f"token endpoint {platform.auth_token_url} unreachable ({type(exc).__name__})",
            status=None,
            retryable=True,
        ) from exc
    if response.status_code != 200:
        raise TokenRequestError(
            f"token endpoint refused (HTTP {response.status_code}): {error_description(response)}",
            status=response.status_code,
            retryable=response.status_code == 429 or response.status_code >= 500,
        )
    try:
        body = response.json()
        token = str(body["access_token"])
        expires_in = float(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenRequestError(
            "token endpoint answered without an access_token", status=200, retryable=True
        ) from exc
    granted = frozenset(str(body.get("scope") or " ".join(wanted)).split())
    return AccessToken(token=token, scopes=granted, expires_at=started + expires_in)
