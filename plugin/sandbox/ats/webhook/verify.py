"""The receiver's own check of ``X-Bridge-Signature``.

Written from the published scheme, not imported from the sender: the simulator
stands for a third party's receiver, so a bug in the bridge's signing code cannot
hide behind the same code verifying it.
"""

from __future__ import annotations

import hashlib
import hmac


def signature_problem(secret: str, header: str, body: bytes, now: float, tolerance: int) -> str:
    """Why ``header`` does not sign ``body`` ("" when it does)."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    stamps, digests = fields.get("t", []), fields.get("v1", [])
    if len(stamps) != 1 or not stamps[0].isdigit() or not digests:
        return "malformed signature header"
    if abs(now - int(stamps[0])) > tolerance:
        return "stale signature timestamp"
    message = stamps[0].encode() + b"." + body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, digest) for digest in digests):
        return "signature mismatch"
    return ""
