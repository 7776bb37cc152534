"""Typed vendor failures, and the one status mapping every vendor's ``errors.py`` uses.

Every failure of a vendor call is one of these, carrying the vendor, the HTTP
status, the vendor's request id and a short excerpt of the body (never a
secret).  ``retryable`` tells the sync and outbox layers whether trying again
later can help.

Each vendor package has an ``errors.py`` with
``error_for(response, *, action) -> VendorError``: it words the message in the
vendor's terms and picks the class with :func:`status_error_class` (or its own
table where the vendor reports failures by code), then builds the error with
:func:`vendor_error`.
"""

from __future__ import annotations

import typing as t

from plugin.errors import AppError
from plugin.http.sessions import retry_after_seconds

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    import requests

#: Where most vendors put their request id.
REQUEST_ID_HEADERS = ("X-Request-Id",)


class VendorError(AppError):
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        vendor: str,
        status: int | None = None,
        request_id: str | None = None,
        body_excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.vendor = vendor
        self.status = status
        self.request_id = request_id
        self.body_excerpt = body_excerpt[:300]

    def __str__(self) -> str:
        parts = [f"{self.vendor}: {self.message}"]
        if self.status is not None:
            parts.append(f"(HTTP {self.status})")
        if self.request_id:
            parts.append(f"[request id {self.request_id}]")
        return " ".join(parts)


class VendorTransientError(VendorError):
    """Trying again later may succeed (timeouts, 5xx, 409, rate limits)."""

    retryable = True


class VendorPermanentError(VendorError):
    """Trying again will not help until a person changes something."""


class TransientError(VendorTransientError):
    """Connection failure, timeout or a 5xx answer."""


class RateLimitedError(VendorTransientError):
    """The vendor asked us to slow down; ``retry_after`` seconds when it said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class InvalidResponseError(VendorTransientError):
    """The vendor answered with something we cannot parse (truncated or malformed JSON).

    Retryable: a truncated body is usually a passing fault; the retry limit of the
    caller ends it if it is not.
    """


class AuthError(VendorPermanentError):
    """Credentials or signature refused (401/403)."""


class NotFoundError(VendorPermanentError):
    """The vendor has no such resource."""


class VendorRefusedError(VendorPermanentError):
    """The vendor understood the request and refused it (4xx with a reason)."""


class SignalRejectedError(AppError):
    """An incoming completion signal failed authentication or cannot be understood."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class CursorError(AppError, ValueError):
    """A stored reconciliation cursor that the vendor's cursor type cannot read.

    A :class:`ValueError` too, as the cursors raised before they had a type of their own.
    """


def status_error_class(status: int) -> type[VendorError]:
    """The typed error of a failed answer by HTTP status alone.

    429 is :class:`RateLimitedError`, 401/403 :class:`AuthError`, 404
    :class:`NotFoundError`, 409 and 5xx :class:`TransientError`, any other
    :class:`VendorRefusedError`.
    """
    if status == 429:
        return RateLimitedError
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    if status == 409 or status >= 500:
        return TransientError
    return VendorRefusedError


def error_details(
    response: requests.Response,
    vendor: str,
    request_id_headers: Sequence[str] = REQUEST_ID_HEADERS,
) -> dict[str, t.Any]:
    """What every :class:`VendorError` of a failed answer carries: vendor, status,
    the vendor's request id (first of ``request_id_headers`` present) and a body excerpt."""
    return {
        "vendor": vendor,
        "status": response.status_code,
        "request_id": next(
            (response.headers[h] for h in request_id_headers if h in response.headers), None
        ),
        "body_excerpt": response.text[:300],
    }


def vendor_error(
    error_class: type[VendorError],
    message: str,
    response: requests.Response,
    *,
    vendor: str,
    request_id_headers: Sequence[str] = REQUEST_ID_HEADERS,
) -> VendorError:
    """An ``error_class`` for the failed ``response`` with its :func:`error_details`;
    a :class:`RateLimitedError` honours the answer's ``Retry-After``."""
    details = error_details(response, vendor, request_id_headers)
    if issubclass(error_class, RateLimitedError):
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return error_class(message, retry_after=retry_after, **details)
    return error_class(message, **details)


def error_by_status(
    response: requests.Response,
    *,
    vendor: str,
    request_id_headers: Sequence[str] = REQUEST_ID_HEADERS,
    rate_limited: str,
    auth: str,
    not_found: str,
    transient: str,
    refused: str,
) -> VendorError:
    """The :func:`status_error_class` error of a failed answer, with the message given
    for that class."""
    error_class = status_error_class(response.status_code)
    messages: dict[type[VendorError], str] = {
        RateLimitedError: rate_limited,
        AuthError: auth,
        NotFoundError: not_found,
        TransientError: transient,
    }
    return vendor_error(
        error_class,
        messages.get(error_class, refused),
        response,
        vendor=vendor,
        request_id_headers=request_id_headers,
    )
