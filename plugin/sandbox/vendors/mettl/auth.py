"""Mettl's request authentication, checked the way the KB describes it.

Order (KB "API Authentication and Signature Generation"): the timestamp ``ts`` must be
valid (Unix seconds, at most 24 hours old; 5 minutes of clock skew are tolerated
ahead) else E504, the public key ``ak`` must be known else E403, and ``asgn`` must
equal Base-64 HMAC-SHA256 (Private-API-Key) of METHOD + full URL + ``"\\n" + value``
for every other query parameter sorted by name, else E401. Mettl has no nonce: a
signed URL may be replayed while its ``ts`` is valid (paging links rely on it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import typing as t
import urllib.parse

from flask import request

from plugin.sandbox.vendors.mettl.errors import SimulatorError

if t.TYPE_CHECKING:
    from collections.abc import Mapping

TS_VALIDITY_S = 24 * 3600
TS_SKEW_S = 300


def sign(private_key: str, method: str, url: str, params: Mapping[str, str]) -> str:
    text = (
        method.upper()
        + url
        + "".join("\n" + params[name] for name in sorted(params) if name != "asgn")
    )
    digest = hmac.new(private_key.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def request_url() -> str:
    """The URL the client signed: scheme, host and the path exactly as sent."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    path = raw.split("?", 1)[0] if raw else urllib.parse.quote(request.path, safe="/@")
    return request.host_url.rstrip("/") + path


def query_params() -> dict[str, str]:
    """The query parameters; a repeated parameter is refused (E400)."""
    params: dict[str, str] = {}
    for name, values in request.args.lists():
        if len(values) != 1:
            raise SimulatorError("E400", f"Parameter {name} given more than once")
        params[name] = values[0]
    return params


def authenticate(public_key: str, private_key: str, now: float) -> dict[str, str]:
    """Check ak/ts/asgn of the current request and return its parameters.

    :raises SimulatorError: E504, E403 or E401 as described above.
    """
    params = query_params()
    ts = params.get("ts", "")
    if not ts.isdigit() or not now - TS_VALIDITY_S <= int(ts) <= now + TS_SKEW_S:
        raise SimulatorError("E504", "Invalid Timestamp")
    if not hmac.compare_digest(params.get("ak", "").encode(), public_key.encode()):
        raise SimulatorError(
            "E403", "Access denied. The API key is not authorized for requested resource"
        )
    expected = sign(private_key, request.method, request_url(), params)
    if not hmac.compare_digest(params.get("asgn", "").encode(), expected.encode()):
        raise SimulatorError("E401", "Authentication failed/Signature mismatch")
    return params


def signed_link(private_key: str, url: str, params: Mapping[str, str]) -> str:
    """A pre-signed paging URL with ``params`` (``ak`` and ``ts`` reused)."""
    query = {name: value for name, value in params.items() if name != "asgn"}
    query["asgn"] = sign(private_key, "GET", url, query)
    return f"{url}?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"
