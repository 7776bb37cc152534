"""Greenhouse answers and transport failures turned into :class:`AtsError`.

429, 5xx, timeouts and connection failures are retryable; every other failure needs a
person and carries Greenhouse's own reason (``{"message", "errors": [{"message",
"field"}]}``). Messages name the request path only: the lookup's query holds the
candidate's e-mail.
"""

from __future__ import annotations

import typing as t

import requests

from lti.http import ResponseTooLargeError
from plugin.ats.base import AtsError
from plugin.http.sessions import oversize
from plugin.http.sessions import retry_after_seconds

MAX_REASON = 300


def transport_error(exc: requests.RequestException, method: str, url: str) -> AtsError:
    """A retryable error for a request that got no answer."""
    what = "timed out" if isinstance(exc, requests.Timeout) else "could not reach Greenhouse"
    return AtsError(f"{method} {path_of(url)} {what} ({type(exc).__name__})", retryable=True)


def api_error(response: requests.Response, action: str, retry_after: float | None) -> AtsError:
    """The error for a failed answer to ``action`` (e.g. ``"update the candidate"``).

    :param retry_after: for a 429, the wait the rate-limit headers gave; a 5xx answer's
        own ``Retry-After`` is read here.
    """
    status = response.status_code
    reason = greenhouse_reason(response)
    if status == 429:
        return AtsError(
            f"Greenhouse rate limit reached while trying to {action}",
            status=status,
            retryable=True,
            retry_after=retry_after,
        )
    if status >= 500:
        return AtsError(
            f"Greenhouse failed to {action} (HTTP {status}): {reason}",
            status=status,
            retryable=True,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    hint = _HINTS.get(status, "")
    message = f"Greenhouse refused to {action} (HTTP {status}): {reason}{hint}"
    return AtsError(message, status=status)


def too_large_error(exc: ResponseTooLargeError, method: str, url: str) -> AtsError:
    """A retryable error for an answer longer than the session reads (an unusable answer,
    like :func:`invalid_body`)."""
    return AtsError(
        f"Greenhouse answered {method} {path_of(url)} with {oversize(exc)}",
        status=exc.status,
        retryable=True,
    )


def invalid_body(response: requests.Response, action: str) -> AtsError:
    """A retryable error for an answer whose body is not what Greenhouse sends (a
    truncated or malformed body is usually a passing fault)."""
    return AtsError(
        f"Greenhouse answered an unexpected body when asked to {action}",
        status=response.status_code,
        retryable=True,
    )


def greenhouse_reason(response: requests.Response) -> str:
    """Greenhouse's message and the field errors it lists, shortened."""
    try:
        body: t.Any = response.json()
    except ValueError:
        return response.text[:MAX_REASON] or response.reason or "no reason given"
    if not isinstance(body, dict):
        return str(body)[:MAX_REASON]
    parts = [str(body.get("message") or body.get("error_description") or body.get("error") or "")]
    errors = body.get("errors")
    if isinstance(errors, list):
        parts.extend(_field_error(error) for error in errors)
    return "; ".join(part for part in parts if part)[:MAX_REASON] or "no reason given"


def path_of(url: str) -> str:
    """``url`` without its query string."""
    return url.split("?", 1)[0]


def _field_error(error: t.Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    field, message = error.get("field"), error.get("message") or ""
    return f"{field}: {message}" if field else str(message)


_HINTS: t.Mapping[int, str] = {
    401: " (check the client id and secret of the Greenhouse connection)",
    403: " (the credential or the user it acts as lacks a permission this call needs)",
}
