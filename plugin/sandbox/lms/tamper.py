"""Signing id_tokens, honestly or with one deliberate defect.

Each tamper mode reproduces one attack a tool must refuse (LTI Security Framework section 5.1.3):
a broken signature, ``alg: none``, HS256 keyed with the platform's public key, wrong audience or
issuer, an expired or not-yet-issued token, an unknown key, a wrong ``azp`` and missing claims.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import typing as t

import jwt

from plugin.sandbox.lms import vocab

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.keys import PlatformKeyRing
    from plugin.sandbox.lms.keys import SigningKey
    from plugin.sandbox.lms.models import JsonDict

TAMPER_MODES = frozenset(
    {
        "bad_signature",
        "alg_none",
        "hs256_public_key",
        "wrong_aud",
        "wrong_iss",
        "expired",
        "unknown_kid",
        "missing_claims",
        "wrong_azp",
        "future_iat",
    }
)
DEFAULT_REMOVED_CLAIMS = (
    vocab.CLAIM_MESSAGE_TYPE,
    vocab.CLAIM_VERSION,
    vocab.CLAIM_DEPLOYMENT_ID,
)
FOREIGN_ISSUER = "https://attacker.invalid"
FOREIGN_CLIENT = "someone-elses-client"


def encode_id_token(
    claims: JsonDict,
    keys: PlatformKeyRing,
    *,
    tamper: str | None = None,
    remove_claims: list[str] | None = None,
    claim_overrides: JsonDict | None = None,
) -> str:
    """Sign ``claims`` with the current platform key, applying the requested defect.

    :param claims: the honest id_token body.
    :param keys: the platform key ring.
    :param tamper: one of :data:`TAMPER_MODES`, or ``None`` for an honest token.
    :param remove_claims: claims dropped by ``missing_claims`` (short LTI names allowed).
    :param claim_overrides: claims merged into the body before signing.
    :return: the compact JWS.
    """
    body = _tamper_claims(dict(claims), tamper)
    body.update(claim_overrides or {})
    if tamper == "missing_claims":
        _remove(body, remove_claims)
    key = keys.current()
    if tamper == "alg_none":
        return _unsigned(body, key.kid)
    if tamper == "hs256_public_key":
        return _hs256(body, key.public_pem, key.kid)
    if tamper == "unknown_kid":
        key = keys.unpublished()
    token = _rs256(body, key)
    return _flip_signature(token) if tamper == "bad_signature" else token


def _tamper_claims(body: JsonDict, tamper: str | None) -> JsonDict:
    if tamper == "wrong_aud":
        body["aud"] = FOREIGN_CLIENT
    elif tamper == "wrong_iss":
        body["iss"] = FOREIGN_ISSUER
    elif tamper == "wrong_azp":
        body["azp"] = FOREIGN_CLIENT
    elif tamper == "expired":
        body["iat"] -= 900
        body["exp"] = body["iat"] + 300
    elif tamper == "future_iat":
        body["iat"] += 900
        body["exp"] = body["iat"] + 300
    return body


def _remove(body: JsonDict, names: list[str] | None) -> None:
    for name in names if names is not None else DEFAULT_REMOVED_CLAIMS:
        body.pop(name if name in body else vocab.lti_claim(name), None)


def _rs256(body: JsonDict, key: SigningKey) -> str:
    return jwt.encode(body, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _segments(header: JsonDict, body: JsonDict) -> str:
    def encode(part: JsonDict) -> str:
        return _b64(json.dumps(part, separators=(",", ":")).encode())

    return f"{encode(header)}.{encode(body)}"


def _unsigned(body: JsonDict, kid: str) -> str:
    return _segments({"alg": "none", "typ": "JWT", "kid": kid}, body) + "."


def _hs256(body: JsonDict, secret: bytes, kid: str) -> str:
    signing_input = _segments({"alg": "HS256", "typ": "JWT", "kid": kid}, body)
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _flip_signature(token: str) -> str:
    signing_input, _, signature = token.rpartition(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    position = len(raw) // 2
    raw[position] ^= 0xFF
    return f"{signing_input}.{_b64(bytes(raw))}"
