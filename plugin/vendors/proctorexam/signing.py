"""ProctorExam per-request signature.

Source: every endpoint page of https://docs.proctorexam.com/v3/apidoc.html
(``docs/vendors/proctorexam.md#signing``): each call carries ``timestamp`` (milliseconds),
``nonce`` (a number unique over the previous 24 hours) and ``signature``, the
"HMAC sha256 hex encoded hash, using the user secret_key as key, of the query
string build with all the other parameters in the format 'name=value' joined by
'?' and ordered alphabetically by name", values not URL-encoded. Path ids
(``id``, ``exam_id``) are parameters too and are signed.

Readings chosen where the page is silent: ``true``/``false`` for booleans, an
empty string for null, and JSON text (``json.dumps`` defaults, as the Python
wrapper does; Ruby's ``Array#to_s`` prints lists of strings the same way) for
lists and objects.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping


def render(value: object) -> str:
    """A parameter value as it appears in the signed string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict | tuple):
        return json.dumps(value)
    return str(value)


def base_string(params: Mapping[str, object]) -> str:
    """``name=value`` pairs sorted by name and joined by ``?``; ``signature`` left out."""
    return "?".join(
        f"{name}={render(params[name])}" for name in sorted(params) if name != "signature"
    )


def sign(secret_key: str, params: Mapping[str, object]) -> str:
    """Hex HMAC-SHA256 of :func:`base_string` under the secret key."""
    text = base_string(params).encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), text, hashlib.sha256).hexdigest()


def signed(
    secret_key: str, params: Mapping[str, object], *, timestamp_ms: int, nonce: int
) -> dict[str, object]:
    """``params`` plus ``nonce``, ``timestamp`` and their ``signature``."""
    full: dict[str, object] = {**params, "nonce": nonce, "timestamp": timestamp_ms}
    full["signature"] = sign(secret_key, full)
    return full


class NonceSource:
    """Numeric nonces: strictly increasing within a process, and unlikely to collide
    across processes (millisecond time followed by six random digits).

    :param clock: seconds since the epoch.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last = 0

    def __call__(self) -> int:
        candidate = int(self._clock() * 1000) * 1_000_000 + secrets.randbelow(1_000_000)
        with self._lock:
            self._last = max(candidate, self._last + 1)
            return self._last
