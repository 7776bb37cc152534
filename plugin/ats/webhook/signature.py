"""The ``X-Bridge-Signature`` header of webhook deliveries, and how receivers check it.

The header is ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` where
``<body>`` is the exact bytes of the request body (UTF-8 JSON). A receiver recomputes
the HMAC over the raw body it got, compares in constant time, and refuses a ``t``
further than its tolerance (default 300 s) from its own clock, which stops replays of
old deliveries. Several ``v1=`` entries are allowed (any one matching is enough), so a
sender can sign with an old and a new secret while the secret is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Bridge-Signature"
DEFAULT_TOLERANCE = 300


def sign(secret: str, body: str | bytes, timestamp: int) -> str:
    """The header value signing ``body`` at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: str | bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check a received ``X-Bridge-Signature`` against the raw ``body``.

    :param tolerance: largest accepted distance, in seconds, between ``t`` and ``now``.
    :param now: the receiver's Unix time (default: the clock).
    :raises ValueError: saying why the signature is refused (missing, malformed,
        stale or not matching).
    """
    if not header:
        raise ValueError("the signature header is missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise ValueError("the signature header needs t=<unix seconds> and v1=<hex digest>")
    moment = time.time() if now is None else now
    if abs(moment - timestamp) > tolerance:
        raise ValueError(f"the signature timestamp is more than {tolerance} s from now")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise ValueError("the signature does not match the body")


def _digest(secret: str, timestamp: int, body: str | bytes) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    message = f"{timestamp}.".encode() + raw
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
