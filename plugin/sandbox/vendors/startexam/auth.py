"""SharedKey checking, as https://api.startexam.com/Help/Authorization describes it.

Written independently of the bridge's client on purpose: the simulator stands in
for StartExam, so a signing mistake on either side shows up as a 403.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import typing as t

from flask import request

from plugin.sandbox.vendors.startexam.errors import ApiError

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.startexam.state import StartExamState

MAX_AGE_S = 15 * 60
_BAD_AUTHORIZATION = "HTTP header 'Authorization' is incorrect"


def verify_request(state: StartExamState) -> None:
    """Refuse the current request with 403 unless Date and Authorization are right."""
    date = request.headers.get("Date")
    if not date:
        raise ApiError(403, "HTTP header 'Date' is missing")
    try:
        sent = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError) as exc:
        raise ApiError(403, "HTTP header 'Date' is incorrect") from exc
    now = state.clock()
    if now - sent > MAX_AGE_S:
        raise ApiError(403, "HTTP header 'Date' is incorrect: it's older than 15 minutes")
    if sent - now > MAX_AGE_S:
        raise ApiError(403, "HTTP header 'Date' is incorrect: it's in the future")
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    account, _, given = credential.partition(":")
    if scheme != "SharedKey" or not given:
        raise ApiError(403, _BAD_AUTHORIZATION)
    text = f"{request.method} {request.path.lower()} {date} {len(request.get_data())}"
    expected = base64.b64encode(
        hmac.new(state.key, text.encode("utf-8"), hashlib.sha256).digest()
    ).decode("ascii")
    right_account = hmac.compare_digest(account, state.account_id)
    if not (right_account and hmac.compare_digest(given, expected)):
        raise ApiError(403, _BAD_AUTHORIZATION)


def decode_key(secret: str, encoding: str) -> bytes:
    """The HMAC key: the secret's UTF-8 bytes (``raw``) or its base64 decoding (``base64``)."""
    if encoding == "raw":
        return secret.encode("utf-8")
    if encoding == "base64":
        return base64.b64decode(secret, validate=True)
    raise ValueError(f"unknown key encoding {encoding!r}")
