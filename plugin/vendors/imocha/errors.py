"""iMocha answers -> typed exceptions, in one table.

Status meanings: https://developer.imocha.io/api/errors (``docs/vendors/imocha.md#errors``).
Bodies differ by endpoint: ``{"result": ..., "errors": [...]}`` (invites, callbacks),
``{"statusCode": 400, "message": ...}`` (cancel), ``{"errors": [...]}`` (reports) and
the legacy ``{"statuscode": "403.4", "description": ...}``; the vendor's words are
taken from whichever is present. Process Callbacks answers 401 when the invitation ids
do not belong to the account, so a 401 saying "does not belong" is read as not found.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import status_error_class
from plugin.vendors.errors import vendor_error

if t.TYPE_CHECKING:
    import requests

    from plugin.vendors.errors import VendorError

VENDOR = "imocha"

#: HTTP status -> what an admin should know or check; the class comes from the status.
HINTS: Mapping[int, str] = {
    400: "iMocha rejected the request's parameters",
    401: (
        "iMocha refused the API key (invalid, subscription expired or not "
        "found): check the api_key of this connection"
    ),
    403: (
        "iMocha says the API key may not do this or the operation is invalid "
        "for the resource: check the key's permissions"
    ),
    404: "iMocha has no such test or invitation: check the test id",
    409: "iMocha reported a conflict; try again",
    429: "iMocha's rate limit or quota was exhausted",
}
_SERVER = "iMocha failed to handle the request"
_OTHER = "iMocha refused the request"
_NOT_FOUND_HINT = "iMocha does not know these invitation ids in this account"


def vendor_words(body: t.Any) -> str:
    """The vendor's own error text from any of its body shapes."""
    if not isinstance(body, Mapping):
        return ""
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        return "; ".join(str(item) for item in errors)
    for key in ("message", "description"):
        if isinstance(body.get(key), str):
            return str(body[key])
    return ""


def error_for(response: requests.Response, *, action: str) -> VendorError:
    """The typed error for a failed answer (HTTP 400 or above) to ``action``
    (e.g. ``GET /v3/tests``)."""
    status = response.status_code
    try:
        words = vendor_words(response.json())
    except ValueError:
        words = ""
    error_class = status_error_class(status)
    hint = HINTS.get(status, _SERVER if status >= 500 else _OTHER)
    if status == 401 and "does not belong" in words.lower():
        error_class, hint = NotFoundError, _NOT_FOUND_HINT
    message = f"{action}: {hint} ({words})" if words else f"{action}: {hint}"
    return vendor_error(error_class, message, response, vendor=VENDOR)
