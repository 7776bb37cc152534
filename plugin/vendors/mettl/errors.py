"""Mettl answers -> typed exceptions, in one table.

Mettl reports failures as ``{"status": "ERROR", "error": {"code": "E401", "message":
...}}`` (codes from the KB "API Authentication and Signature Generation" and the
"Mettl API Documentation v1.18" list, ``docs/vendors/mettl.md#errors``). Whether the
HTTP status mirrors the code is not documented
(``docs/vendors/mettl.md#error-status-codes``), so :func:`reports_error` checks the
body's ``status`` of every answer, HTTP 200 included, and a bare HTTP error status
is read as its code equivalent. The classes come from the code, not the status
mapping of :mod:`plugin.vendors.errors`: Mettl's E408, E422 and E504 mean a timeout
and a clock problem.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from plugin.vendors.errors import AuthError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import RateLimitedError
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.errors import vendor_error

if t.TYPE_CHECKING:
    import requests

VENDOR = "mettl"

#: Mettl error code -> (exception class, what an admin should know or check).
ERROR_CODES: Mapping[str, tuple[type[VendorError], str]] = {
    "E400": (
        VendorRefusedError,
        "Mettl rejected the request as malformed or its parameters as invalid",
    ),
    "E401": (
        AuthError,
        "Mettl refused the signature: check the private API key of this connection",
    ),
    "E403": (
        AuthError,
        "Mettl refused the public API key or denied access to this resource: check the "
        "public key and that the schedule belongs to this account",
    ),
    "E404": (NotFoundError, "Mettl has no such resource: check the schedule access key and e-mail"),
    "E405": (VendorRefusedError, "Mettl does not allow this HTTP method on this endpoint"),
    "E408": (TransientError, "Mettl timed out handling the request"),
    "E422": (AuthError, "Mettl says the signature expired: check this server's clock (UTC)"),
    "E503": (TransientError, "the Mettl API is unavailable"),
    "E504": (AuthError, "Mettl refused the timestamp: check this server's clock (UTC)"),
    "E509": (RateLimitedError, "Mettl's rate limit was exceeded"),
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
_UNKNOWN = (VendorRefusedError, "Mettl refused the request")
#: The code of an error that names none (read as a malformed request).
_UNKNOWN_CODE = "E400"

#: Marks a body that was not (or could not be) parsed as JSON.
UNPARSED: t.Final = object()


def reports_error(response: requests.Response, body: t.Any) -> bool:
    """Whether an answer is a failure: an error body (Mettl answers most failures with
    HTTP 200) or an HTTP error status.

    :param body: the answer's parsed JSON (:func:`parsed_body`); a page of results is
        large, so it is parsed once.
    """
    code, _ = _error_code(response, body)
    return code is not None


def error_for(response: requests.Response, *, action: str) -> VendorError:
    """The typed exception for an answer :func:`reports_error` calls a failure, to
    ``action`` (e.g. ``GET /v2/account``)."""
    code, vendor_message = _error_code(response, parsed_body(response))
    code = code or _UNKNOWN_CODE
    error_class, hint = ERROR_CODES.get(code, _UNKNOWN)
    detail = f"{code}: {vendor_message}" if vendor_message else code
    return vendor_error(error_class, f"{action}: {hint} ({detail})", response, vendor=VENDOR)


def parsed_body(response: requests.Response) -> t.Any:
    """The JSON body, or :data:`UNPARSED` when the body is not JSON."""
    try:
        return response.json()
    except ValueError:
        return UNPARSED


def _error_code(response: requests.Response, body: t.Any) -> tuple[str | None, str]:
    """The Mettl error code and message of an answer (``(None, "")`` on success)."""
    if isinstance(body, Mapping) and body.get("status") == "ERROR":
        detail = body.get("error")
        detail = detail if isinstance(detail, Mapping) else {}
        code = detail.get("code")
        message = detail.get("message")
        code_text = str(code) if code else _code_for_status(response.status_code) or _UNKNOWN_CODE
        return code_text, str(message or "")
    return _code_for_status(response.status_code), ""


def _code_for_status(status: int) -> str | None:
    if status >= 500:
        return "E503"
    if status >= 400:
        return _HTTP_EQUIVALENT.get(status, _UNKNOWN_CODE)
    return None
