"""StartExam answers -> typed errors (https://api.startexam.com/Help/Responses).

Client errors carry ``{"message": "..."}``; the message is kept so an admin sees
what StartExam objected to (``docs/vendors/startexam.md#errors``).
"""

from __future__ import annotations

import typing as t

from plugin.vendors.errors import error_by_status

if t.TYPE_CHECKING:
    import requests

    from plugin.vendors.errors import VendorError

VENDOR = "startexam"
REQUEST_ID_HEADERS = ("X-Request-Id", "Request-Id", "x-ms-request-id")


def error_for(response: requests.Response, *, action: str) -> VendorError:
    """The typed error for a failed answer to ``action`` (e.g. ``GET /v2/session``)."""
    said = vendor_message(response)
    return error_by_status(
        response,
        vendor=VENDOR,
        request_id_headers=REQUEST_ID_HEADERS,
        rate_limited=f"{action} was rate limited: {said}",
        auth=(
            f"{action} was refused: {said}. Check the connection's account id and secret key "
            "(and key encoding), and that this server's clock is right: StartExam refuses "
            "a Date header more than 15 minutes old."
        ),
        not_found=f"{action}: StartExam has no such resource: {said}",
        transient=f"{action} failed on StartExam's side: {said}",
        refused=f"{action} was refused: {said}",
    )


def vendor_message(response: requests.Response) -> str:
    """StartExam's ``message``, or the HTTP reason when the body has none."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, str) and message:
        return message
    return response.reason or f"HTTP {response.status_code}"
