"""HTTP plumbing of the vendor clients: transport failures, oversized answers and
unreadable bodies turned into typed errors (sessions are built by
:mod:`plugin.http.sessions`)."""

from __future__ import annotations

import typing as t

import requests
import urllib3

from lti.http import ResponseTooLargeError
from plugin.http.sessions import oversize
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import TransientError


def send(
    session: requests.Session, vendor: str, method: str, url: str, **kwargs: t.Any
) -> requests.Response:
    """Send one request; connection failures and timeouts become :class:`TransientError`,
    an answer longer than the session reads :class:`InvalidResponseError`."""
    try:
        return session.request(method, url, **kwargs)
    except ResponseTooLargeError as exc:
        raise InvalidResponseError(
            f"answered {method} {_path(url)} with {oversize(exc)}",
            vendor=vendor,
            status=exc.status,
        ) from exc
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
    """The parsed JSON body, or :class:`InvalidResponseError` naming the status."""
    try:
        return response.json()
    except ValueError as exc:
        raise InvalidResponseError(
            "answered with a body that is not valid JSON",
            vendor=vendor,
            status=response.status_code,
            body_excerpt=response.text[:200],
        ) from exc


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
