"""Reading a JWT's header and claims before its signature is checked.

The launch must read ``iss``/``aud``/``kid`` to know which key verifies the
token, so the token is decoded twice: once here, unverified and only for
routing, and once by PyJWT with the key.  This reader uses the C base64 decoder
directly; nothing read here is trusted until the verified decode has run.
"""

from __future__ import annotations

import base64
import binascii
import json
import typing as t


class MalformedTokenError(ValueError):
    """Not three base64url segments whose first two are JSON objects."""


def _segment(part: str) -> dict[str, t.Any]:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise MalformedTokenError("a JWT segment is not base64url-encoded JSON") from exc
    if not isinstance(value, dict):
        raise MalformedTokenError("a JWT segment is not a JSON object")
    return value


def unverified_parts(token: str) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
    """The header and the claims of ``token``, not verified.

    :raises MalformedTokenError: when the token is not a JWS compact serialization.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedTokenError("a JWT has three dot-separated parts")
    return _segment(parts[0]), _segment(parts[1])
