"""ExamSpark answers -> typed errors, in one table.

The documentation shows no error body (only "200/400/404" on the create route).
The reading chosen, and served by the sandbox simulator, is the JSON shape of
the vendor's serverless stack: ``{"statusCode": 400, "error": "Bad Request",
"message": "..."}``; anything else falls back to a short excerpt of the body
(``docs/vendors/examspark.md#error-body``).
"""

from __future__ import annotations

import typing as t

from plugin.http.sessions import retry_after_seconds
from plugin.vendors.errors import RateLimitedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.errors import status_error_class
from plugin.vendors.errors import vendor_error

if t.TYPE_CHECKING:
    import requests

    from plugin.vendors.errors import VendorError

VENDOR = "examspark"
REQUEST_ID_HEADERS = ("x-amzn-RequestId", "x-request-id")

#: status -> what an admin should check; the class comes from the status alone.
_ADVICE: dict[int, str] = {
    400: "ExamSpark refused the request",
    401: "ExamSpark refused the credentials; check the app key and app secret",
    403: (
        "ExamSpark denied access; check that the app key belongs to this workspace "
        "and is allowed to use the REST API"
    ),
    404: "ExamSpark has no such resource; check the exam-config or session id",
    409: "ExamSpark reported a conflict; try again",
    422: "ExamSpark could not process the request",
}
_DEFAULT_ADVICE = "ExamSpark refused the request"


class PageTokenRejectedError(VendorRefusedError):
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


def error_for(response: requests.Response, *, action: str) -> VendorError:
    """The typed error for a non-2xx answer to ``action`` (e.g. "get exam session").

    :param action: what we were doing, named in the message.
    """
    status = response.status_code
    error_class = status_error_class(status)
    if error_class is RateLimitedError:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        hint = f"; retry after {wait:g} s" if wait is not None else ""
        message = f"{action}: rate limited{hint}"
    elif status >= 500:
        message = f"{action}: ExamSpark server error: {vendor_message(response)}"
    else:
        detail = vendor_message(response)
        advice = _ADVICE.get(status, _DEFAULT_ADVICE)
        message = f"{action}: {advice}: {detail}" if detail else f"{action}: {advice}"
    return vendor_error(
        error_class, message, response, vendor=VENDOR, request_id_headers=REQUEST_ID_HEADERS
    )
