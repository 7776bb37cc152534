"""ExamSpark answers -> typed errors, in one table.

The documentation shows no error body (only "200/400/404" on the create route).
The reading chosen, and served by the sandbox simulator, is the JSON shape of
the vendor's serverless stack: ``{"statusCode": 400, "error": "Bad Request",
"message": "..."}``; anything else falls back to a short excerpt of the body.
"""

from __future__ import annotations

import typing as t

from plugin.vendors.errors import AuthError
from plugin.vendors.errors import NotFound
from plugin.vendors.errors import RateLimited
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefused
from plugin.vendors.http import error_details
from plugin.vendors.http import retry_after_seconds

if t.TYPE_CHECKING:
    import requests

VENDOR = "examspark"
REQUEST_ID_HEADERS = ("x-amzn-RequestId", "x-request-id")

#: status -> (error class, what an admin should check).
_ERRORS: dict[int, tuple[type[VendorError], str]] = {
    400: (VendorRefused, "ExamSpark refused the request"),
    401: (AuthError, "ExamSpark refused the credentials; check the app key and app secret"),
    403: (
        AuthError,
        "ExamSpark denied access; check that the app key belongs to this workspace "
        "and is allowed to use the REST API",
    ),
    404: (NotFound, "ExamSpark has no such resource; check the exam-config or session id"),
    409: (TransientError, "ExamSpark reported a conflict; try again"),
    422: (VendorRefused, "ExamSpark could not process the request"),
}


class PageTokenRejected(VendorRefused):
    """The vendor refused a ``nextToken`` (expired or unknown); listing must restart."""


def vendor_message(response: requests.Response) -> str:
    """The ``message`` of an error body, or a short excerpt of whatever was sent."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(body, dict):
        for key in ("message", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])[:300]
    return response.text[:200].strip()


def error_for(response: requests.Response, action: str) -> VendorError:
    """The typed error for a non-2xx answer to ``action`` (e.g. "get exam session").

    :param action: what we were doing, named in the message.
    """
    status = response.status_code
    detail = vendor_message(response)
    common = error_details(response, VENDOR, REQUEST_ID_HEADERS)
    if status == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        hint = f"; retry after {wait:g} s" if wait is not None else ""
        return RateLimited(f"{action}: rate limited{hint}", retry_after=wait, **common)
    if status >= 500:
        return TransientError(f"{action}: ExamSpark server error: {detail}", **common)
    cls, advice = _ERRORS.get(status, (VendorRefused, "ExamSpark refused the request"))
    return cls(f"{action}: {advice}: {detail}" if detail else f"{action}: {advice}", **common)
