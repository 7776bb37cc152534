"""Validation of JWTs signed by tools (client assertions and deep-linking responses).

Only RS256 is accepted; the ``kid`` must name a key in the JWKS of the tool whose ``client_id``
is the ``iss`` (LTI Security Framework 1.0 sections 4.1 and 5.1.3).
"""

from __future__ import annotations

import time
import typing as t

import jwt

from plugin.sandbox.lms.errors import JwtRejectedError

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    from plugin.sandbox.lms.context import SandboxLmsExtension
    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import Tool

LEEWAY_S = 60

_DECODE_FAILURES: tuple[tuple[type[jwt.PyJWTError], str, str], ...] = (
    (jwt.ExpiredSignatureError, "exp", "the JWT has expired"),
    (jwt.ImmatureSignatureError, "iat", "the JWT is not valid yet"),
    (jwt.InvalidAudienceError, "aud", "the JWT audience is not this platform"),
    (jwt.InvalidSignatureError, "signature", "the JWT signature does not verify"),
)


def verify_tool_jwt(
    lms: SandboxLmsExtension,
    token: str,
    *,
    audience: Sequence[str],
    required: Sequence[str],
) -> tuple[Tool, JsonDict]:
    """Verify a tool-signed JWT and return the tool and the verified claims.

    :param lms: the platform (state and tool key cache).
    :param token: the compact JWS.
    :param audience: accepted ``aud`` values; one of them must appear in the token.
    :param required: claims that must be present.
    :raises JwtRejectedError: naming the failed check.
    """
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise JwtRejectedError("format", "not a well-formed JWT") from exc
    if header.get("alg") != "RS256":
        raise JwtRejectedError("alg", "only RS256 is accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwtRejectedError("kid", "the JWT header has no kid")
    issuer = unverified.get("iss")
    with lms.state.lock:
        tool = lms.state.tools.get(issuer) if isinstance(issuer, str) else None
    if tool is None:
        raise JwtRejectedError("iss", "iss is not the client_id of a registered tool")
    key = lms.tool_keys.key(tool.jwks_uri, kid)
    claims = _decode(token, key, audience, required)
    if float(claims["iat"]) > time.time() + LEEWAY_S:
        raise JwtRejectedError("iat", "the JWT is issued in the future")
    return tool, claims


def _decode(token: str, key: t.Any, audience: Sequence[str], required: Sequence[str]) -> JsonDict:
    try:
        claims: JsonDict = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=list(audience),
            leeway=LEEWAY_S,
            options={"require": ["exp", "iat", "iss", "aud", *required]},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise JwtRejectedError("claims", f"the JWT lacks the {exc.claim!r} claim") from exc
    except jwt.PyJWTError as exc:
        for kind, check, description in _DECODE_FAILURES:
            if isinstance(exc, kind):
                raise JwtRejectedError(check, description) from exc
        raise JwtRejectedError("format", "the JWT could not be verified") from exc
    return claims
