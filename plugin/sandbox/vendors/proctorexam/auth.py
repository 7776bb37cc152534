"""Checking the token header and the per-request signature
(``docs/vendors/proctorexam.md#signing``).

Written independently of the bridge's client on purpose. Order: token (403), then
the presence and type of ``nonce``/``timestamp``/``signature`` (422), then a stale
timestamp, a wrong signature and a nonce used in the last 24 hours (all 403).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import typing as t

from flask import request

from plugin.sandbox.vendors.proctorexam.errors import NOT_AUTHORIZED
from plugin.sandbox.vendors.proctorexam.errors import ApiError
from plugin.sandbox.vendors.proctorexam.errors import invalid
from plugin.sandbox.vendors.proctorexam.errors import missing

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.proctorexam.state import ProctorExamState

ACCEPT = "application/vnd.procwise.v3"


def request_params() -> dict[str, t.Any]:
    """Path ids plus the query (GET) or the JSON body (other methods)."""
    if request.method == "GET":
        sent: t.Any = request.args.to_dict()
    else:
        sent = request.get_json(silent=True)
        if not isinstance(sent, dict):
            raise ApiError(422, "Invalid parameters: the body must be a JSON object")
    return {**sent, **(request.view_args or {})}


def verify_request(state: ProctorExamState, params: dict[str, t.Any]) -> None:
    """Refuse the current request unless it is the user's and correctly signed."""
    if ACCEPT not in request.headers.get("Accept", ""):
        raise ApiError(406, f"Accept header must name {ACCEPT}")
    if not _token_matches(request.headers.get("Authorization", ""), state.api_token):
        raise ApiError(403, NOT_AUTHORIZED)
    for name in ("timestamp", "nonce", "signature"):
        if params.get(name) in (None, ""):
            raise missing(name)
    for name in ("timestamp", "nonce"):
        if not str(params[name]).isdigit():
            raise invalid(name, params[name], "Must be a number.")
    if not isinstance(params["signature"], str):
        raise invalid("signature", params["signature"], "Must be a String")
    if abs(state.clock() * 1000 - int(params["timestamp"])) > state.timestamp_window_s * 1000:
        raise ApiError(403, NOT_AUTHORIZED)
    expected = hmac.new(
        state.secret_key.encode(), _base_string(params).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, params["signature"]):
        raise ApiError(403, NOT_AUTHORIZED)
    if not state.use_nonce(str(params["nonce"])):
        raise ApiError(403, NOT_AUTHORIZED)


def _token_matches(header: str, token: str) -> bool:
    scheme, _, rest = header.partition(" ")
    name, _, value = rest.strip().partition("=")
    given = value.strip().strip('"')
    return scheme == "Token" and name == "token" and hmac.compare_digest(given, token)


def _base_string(params: dict[str, t.Any]) -> str:
    return "?".join(
        f"{name}={_to_s(params[name])}" for name in sorted(params) if name != "signature"
    )


def _to_s(value: object) -> str:
    """How the server prints a parameter value: strings raw, JSON values as Ruby would."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)
