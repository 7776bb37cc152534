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
from plugin.vendors.errors import InvalidResponse
from plugin.vendors.errors import TransientError


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
