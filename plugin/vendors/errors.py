"""Typed vendor failures.

Every failure of a vendor call is one of these, carrying the vendor, the HTTP
status, the vendor's request id and a short excerpt of the body (never a
secret).  ``retryable`` tells the sync and outbox layers whether trying again
later can help.
"""

from __future__ import annotations

from plugin.errors import AppError


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


class RateLimited(VendorTransientError):
    """The vendor asked us to slow down; ``retry_after`` seconds when it said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class InvalidResponse(VendorTransientError):
    """The vendor answered with something we cannot parse (truncated or malformed JSON).

    Retryable: a truncated body is usually a passing fault; the retry limit of the
    caller ends it if it is not.
    """


class AuthError(VendorPermanentError):
    """Credentials or signature refused (401/403)."""


class NotFound(VendorPermanentError):
    """The vendor has no such resource."""


class VendorRefused(VendorPermanentError):
    """The vendor understood the request and refused it (4xx with a reason)."""


class SignalRejected(AppError):
    """An incoming completion signal failed authentication or cannot be understood."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
