"""iMocha answers -> typed exceptions, in one table.

Status meanings: https://developer.imocha.io/api/errors (``vendors.md`` section 4.8).
Bodies differ by endpoint: ``{"result": ..., "errors": [...]}`` (invites, callbacks),
``{"statusCode": 400, "message": ...}`` (cancel), ``{"errors": [...]}`` (reports) and
the legacy ``{"statuscode": "403.4", "description": ...}``; the vendor's words are
taken from whichever is present. Process Callbacks answers 401 when the invitation ids
do not belong to the account, so a 401 saying "does not belong" is read as not found.
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

VENDOR = "imocha"

#: HTTP status -> (exception class, what an admin should know or check).
ERROR_STATUSES: Mapping[int, tuple[type[VendorError], str]] = {
    400: (VendorRefused, "iMocha rejected the request's parameters"),
    401: (
        AuthError,
        "iMocha refused the API key (invalid, subscription expired or not "
        "found): check the api_key of this connection",
    ),
    403: (
        AuthError,
        "iMocha says the API key may not do this or the operation is invalid "
        "for the resource: check the key's permissions",
    ),
    404: (NotFound, "iMocha has no such test or invitation: check the test id"),
    409: (TransientError, "iMocha reported a conflict; try again"),
    429: (RateLimited, "iMocha's rate limit or quota was exhausted"),
}
_SERVER = (TransientError, "iMocha failed to handle the request")
_OTHER = (VendorRefused, "iMocha refused the request")
_NOT_FOUND_HINT = (NotFound, "iMocha does not know these invitation ids in this account")


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


def error_for(response: requests.Response) -> VendorError | None:
    """The typed exception for a failed iMocha answer, or None below HTTP 400."""
    status = response.status_code
    if status < 400:
        return None
    try:
        words = vendor_words(response.json())
    except ValueError:
        words = ""
    cls, hint = ERROR_STATUSES.get(status, _SERVER if status >= 500 else _OTHER)
    if status == 401 and "does not belong" in words.lower():
        cls, hint = _NOT_FOUND_HINT
    message = f"{hint} ({words})" if words else hint
    details = error_details(response, VENDOR)
    if cls is RateLimited:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return RateLimited(message, retry_after=retry_after, **details)
    return cls(message, **details)
