"""Workable answers and transport failures turned into :class:`AtsError`.

Workable's error body is ``{"error": "<reason>"}``. 408, 429, 5xx, timeouts and
connection failures are retryable; every other failure needs a person and carries
Workable's own reason. Messages name the request path only: the lookup's query holds
the candidate's e-mail.
"""

from __future__ import annotations

import typing as t

import requests

from lti.http import ResponseTooLargeError
from plugin.ats.base import AtsError
from plugin.http.sessions import oversize
from plugin.http.sessions import retry_after_seconds

MAX_REASON = 300

_HINTS: t.Mapping[int, str] = {
    401: " (check the connection's API access token)",
    403: " (the token lacks a scope this needs: r_candidates, r_jobs)",
    404: " (the candidate or endpoint does not exist in this account)",
    422: " (check the field map against `ats fields`)",
}


def transport_error(exc: requests.RequestException, method: str, url: str) -> AtsError:
    """A retryable error for a request that got no answer."""
    what = "timed out" if isinstance(exc, requests.Timeout) else "could not reach Workable"
    return AtsError(f"{method} {path_of(url)} {what} ({type(exc).__name__})", retryable=True)


def api_error(response: requests.Response, action: str, retry_after: float | None) -> AtsError:
    """The error for a failed answer to ``action`` (e.g. ``"write attribute score"``).

    :param retry_after: the wait the answer's headers ask for, when any.
    """
    status = response.status_code
    reason = workable_reason(response)
    if status == 429:
        message = f"Workable rate limit reached while trying to {action}"
        return AtsError(message, status=status, retryable=True, retry_after=retry_after)
    if status >= 500 or status == 408:
        message = f"Workable failed to {action} (HTTP {status}): {reason}"
        return AtsError(message, status=status, retryable=True, retry_after=retry_after)
    hint = _HINTS.get(status, "")
    return AtsError(f"Workable refused to {action} (HTTP {status}): {reason}{hint}", status=status)


def too_large_error(exc: ResponseTooLargeError, method: str, url: str) -> AtsError:
    """A retryable error for an answer longer than the session reads (an unusable answer,
    like :func:`invalid_body`)."""
    return AtsError(
        f"Workable answered {method} {path_of(url)} with {oversize(exc)}",
        status=exc.status,
        retryable=True,
    )


def invalid_body(response: requests.Response, action: str) -> AtsError:
    """A retryable error for an answer whose body is not what Workable sends (a
    truncated or malformed body is usually a passing fault)."""
    return AtsError(
        f"Workable answered an unexpected body when asked to {action}",
        status=response.status_code,
        retryable=True,
    )


def workable_reason(response: requests.Response) -> str:
    """Workable's ``error`` text, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:MAX_REASON] or "no reason given"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return error[:MAX_REASON]
    return str(body)[:MAX_REASON]


def retry_after_header(response: requests.Response) -> float | None:
    """The answer's ``Retry-After`` in seconds, when it has one."""
    return retry_after_seconds(response.headers.get("Retry-After"))


def path_of(url: str) -> str:
    """``url`` without its query string (which may hold the candidate's e-mail)."""
    return url.split("?", 1)[0]
