"""Mettl answers -> typed exceptions, in one table.

Mettl reports failures as ``{"status": "ERROR", "error": {"code": "E401", "message":
...}}`` (codes from the KB "API Authentication and Signature Generation" and the
"Mettl API Documentation v1.18" list, ``vendors.md`` section 3.9). Whether the HTTP
status mirrors the code is not documented, so the body's ``status`` is checked on
every answer and a bare HTTP error status is read as its code equivalent.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

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

VENDOR = "mettl"

#: Mettl error code -> (exception class, what an admin should know or check).
ERROR_CODES: Mapping[str, tuple[type[VendorError], str]] = {
    "E400": (VendorRefused, "Mettl rejected the request as malformed or its parameters as invalid"),
    "E401": (
        AuthError,
        "Mettl refused the signature: check the private API key of this connection",
    ),
    "E403": (
        AuthError,
        "Mettl refused the public API key or denied access to this resource: check the "
        "public key and that the schedule belongs to this account",
    ),
    "E404": (NotFound, "Mettl has no such resource: check the schedule access key and e-mail"),
    "E405": (VendorRefused, "Mettl does not allow this HTTP method on this endpoint"),
    "E408": (TransientError, "Mettl timed out handling the request"),
    "E422": (AuthError, "Mettl says the signature expired: check this server's clock (UTC)"),
    "E503": (TransientError, "the Mettl API is unavailable"),
    "E504": (AuthError, "Mettl refused the timestamp: check this server's clock (UTC)"),
    "E509": (RateLimited, "Mettl's rate limit was exceeded"),
}
_HTTP_EQUIVALENT: Mapping[int, str] = {
    400: "E400",
    401: "E401",
    403: "E403",
    404: "E404",
    405: "E405",
    408: "E408",
    429: "E509",
}
_UNKNOWN = (VendorRefused, "Mettl refused the request")

#: Marks a body that was not (or could not be) parsed as JSON.
UNPARSED: t.Final = object()


def error_code(response: requests.Response, body: t.Any = UNPARSED) -> tuple[str | None, str]:
    """The Mettl error code and message of an answer (``(None, "")`` on success).

    :param body: the answer's parsed JSON when the caller already has it.
    """
    if body is UNPARSED:
        body = parsed_body(response)
    if isinstance(body, Mapping) and body.get("status") == "ERROR":
        detail = body.get("error")
        detail = detail if isinstance(detail, Mapping) else {}
        code = detail.get("code")
        message = detail.get("message")
        code_text = str(code) if code else _code_for_status(response.status_code) or "E400"
        return code_text, str(message or "")
    return _code_for_status(response.status_code), ""


def error_for(response: requests.Response, body: t.Any = UNPARSED) -> VendorError | None:
    """The typed exception for a failed Mettl answer, or None when it succeeded.

    :param body: the answer's parsed JSON when the caller already has it (a page of
        results is large; it is parsed once).
    """
    code, vendor_message = error_code(response, body)
    if code is None:
        return None
    cls, hint = ERROR_CODES.get(code, _UNKNOWN)
    message = f"{hint} ({code}: {vendor_message})" if vendor_message else f"{hint} ({code})"
    details = error_details(response, VENDOR)
    if cls is RateLimited:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return RateLimited(message, retry_after=retry_after, **details)
    return cls(message, **details)


def _code_for_status(status: int) -> str | None:
    if status >= 500:
        return "E503"
    if status >= 400:
        return _HTTP_EQUIVALENT.get(status, "E400")
    return None


def parsed_body(response: requests.Response) -> t.Any:
    """The JSON body, or :data:`UNPARSED` when the body is not JSON."""
    try:
        return response.json()
    except ValueError:
        return UNPARSED
