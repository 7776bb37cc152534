"""ProctorExam failures -> typed errors.

The v3 pages document 403 "You are not authorized to access this page.", 404
"Couldn't find ... with 'id'=..." and 422 "Param is missing or the value is
empty: ..." / ``{"email": ["has already been taken"]}``; the JSON shape of the
first ones is not shown, so ``error``, ``message``, ``errors`` and field-keyed
message lists are all read.
"""

from __future__ import annotations

import typing as t

from plugin.vendors.errors import AuthError
from plugin.vendors.errors import NotFound
from plugin.vendors.errors import RateLimited
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefused
from plugin.vendors.http import retry_after_seconds

if t.TYPE_CHECKING:
    import requests

VENDOR = "proctorexam"
_REQUEST_ID_HEADERS = ("X-Request-Id", "Request-Id")


def error_for(response: requests.Response, *, action: str) -> VendorError:
    """The typed error for a failed answer to ``action`` (e.g. ``GET /exams``)."""
    status = response.status_code
    said = vendor_message(response)
    context: dict[str, t.Any] = {
        "vendor": VENDOR,
        "status": status,
        "request_id": next(
            (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
        ),
        "body_excerpt": response.text[:300],
    }
    if status == 429:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return RateLimited(f"{action} was rate limited: {said}", retry_after=retry_after, **context)
    if status in (401, 403):
        return AuthError(
            f"{action} was refused: {said} Check the connection's API token and secret key "
            "(under 'Your settings' in ProctorExam) and that this server's clock is right; "
            "ProctorExam also refuses a nonce used in the last 24 hours.",
            **context,
        )
    if status == 404:
        return NotFound(f"{action}: {said}", **context)
    if status == 409 or status >= 500:
        return TransientError(f"{action} failed on ProctorExam's side: {said}", **context)
    return VendorRefused(f"{action} was refused: {said}", **context)


def vendor_message(response: requests.Response) -> str:
    """What ProctorExam said, in one line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message", "errors"):
            text = _flatten(body.get(key))
            if text:
                return text
        text = _flatten(body)
        if text:
            return text
    return response.reason or f"HTTP {response.status_code}"


def _flatten(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "; ".join(value)
    if isinstance(value, dict):
        parts = [f"{name} {_flatten(detail)}" for name, detail in value.items()]
        return "; ".join(part for part in parts if not part.endswith(" "))
    return ""
