"""HTTP plumbing shared by the vendor clients: one pooled session per client,
timeouts always, and transport failures turned into typed errors.
"""

from __future__ import annotations

import email.utils
import time
import typing as t

import requests
import urllib3

from lti.http import TimeoutSession
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponse
from plugin.vendors.errors import NotFound
from plugin.vendors.errors import RateLimited
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefused

if t.TYPE_CHECKING:
    from collections.abc import Sequence


def make_session(
    *, connect_timeout: float = 5.0, read_timeout: float = 20.0, resend_reads: bool = True
) -> requests.Session:
    """A pooled session whose requests always carry a timeout; GETs retry connect errors
    and, with ``resend_reads``, read errors and 502/503/504 answers."""
    return TimeoutSession(
        connect_timeout=connect_timeout, read_timeout=read_timeout, resend_reads=resend_reads
    )


def send(
    session: requests.Session, vendor: str, method: str, url: str, **kwargs: t.Any
) -> requests.Response:
    """Send one request; connection failures and timeouts become :class:`TransientError`."""
    try:
        return session.request(method, url, **kwargs)
    except requests.Timeout as exc:
        raise TransientError(f"timed out calling {method} {_path(url)}", vendor=vendor) from exc
    except requests.ConnectionError as exc:
        if _timed_out(exc):
            raise TransientError(f"timed out calling {method} {_path(url)}", vendor=vendor) from exc
        raise TransientError(f"could not connect for {method} {_path(url)}", vendor=vendor) from exc
    except requests.RequestException as exc:
        raise TransientError(
            f"request {method} {_path(url)} failed: {type(exc).__name__}", vendor=vendor
        ) from exc


def json_body(response: requests.Response, vendor: str) -> t.Any:
    """The parsed JSON body, or :class:`InvalidResponse` naming the status."""
    try:
        return response.json()
    except ValueError as exc:
        raise InvalidResponse(
            "answered with a body that is not valid JSON",
            vendor=vendor,
            status=response.status_code,
            body_excerpt=response.text[:200],
        ) from exc


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delta seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def error_details(
    response: requests.Response,
    vendor: str,
    request_id_headers: Sequence[str] = ("X-Request-Id",),
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


def error_by_status(
    response: requests.Response,
    *,
    details: dict[str, t.Any],
    rate_limited: str,
    auth: str,
    not_found: str,
    transient: str,
    refused: str,
) -> VendorError:
    """The typed error of a failed answer by status alone, with the message given for it.

    429 is :class:`RateLimited` (honouring ``Retry-After``), 401/403 :class:`AuthError`,
    404 :class:`NotFound`, 409 and 5xx :class:`TransientError`, any other
    :class:`VendorRefused`.
    """
    status = response.status_code
    if status == 429:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return RateLimited(rate_limited, retry_after=retry_after, **details)
    if status in (401, 403):
        return AuthError(auth, **details)
    if status == 404:
        return NotFound(not_found, **details)
    if status == 409 or status >= 500:
        return TransientError(transient, **details)
    return VendorRefused(refused, **details)


def _timed_out(exc: requests.ConnectionError) -> bool:
    """Read timeouts exhausted by urllib3's retries surface as ConnectionError(MaxRetryError)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (refused, unresolvable) subclasses its timeout errors.
    return isinstance(reason, urllib3.exceptions.TimeoutError) and not isinstance(
        reason, urllib3.exceptions.NewConnectionError
    )


def _path(url: str) -> str:
    """The URL without query string, so signatures and keys never reach a message."""
    return url.split("?", 1)[0]
