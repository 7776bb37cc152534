"""ProctorExam failures -> typed errors.

The v3 pages document 403 "You are not authorized to access this page.", 404
"Couldn't find ... with 'id'=..." and 422 "Param is missing or the value is
empty: ..." / ``{"email": ["has already been taken"]}``; the JSON shape of the
first ones is not shown, so ``error``, ``message``, ``errors`` and field-keyed
message lists are all read (``docs/vendors/proctorexam.md#error-body``).
"""

from __future__ import annotations

import typing as t

from plugin.vendors.errors import error_by_status

if t.TYPE_CHECKING:
    import requests

    from plugin.vendors.errors import VendorError

VENDOR = "proctorexam"
REQUEST_ID_HEADERS = ("X-Request-Id", "Request-Id")


def error_for(response: requests.Response, *, action: str) -> VendorError:
    """The typed error for a failed answer to ``action`` (e.g. ``GET /exams``)."""
    said = vendor_message(response)
    return error_by_status(
        response,
        vendor=VENDOR,
        request_id_headers=REQUEST_ID_HEADERS,
        rate_limited=f"{action} was rate limited: {said}",
        auth=(
            f"{action} was refused: {said} Check the connection's API token and secret key "
            "(under 'Your settings' in ProctorExam) and that this server's clock is right; "
            "ProctorExam also refuses a nonce used in the last 24 hours."
        ),
        not_found=f"{action}: {said}",
        transient=f"{action} failed on ProctorExam's side: {said}",
        refused=f"{action} was refused: {said}",
    )


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
