"""AGS answers and transport failures as one typed error an outbox can act on."""

from __future__ import annotations

import datetime as dt
import email.utils
import typing as t

from lti.http import byte_size
from lti.http import error_description

if t.TYPE_CHECKING:
    import requests

    from lti.http import ResponseTooLargeError
    from lti.service_token import TokenRequestError

_RETRYABLE_STATUSES = frozenset({408, 425, 429})


class AgsError(Exception):
    """A failed AGS call.

    :param message: short, for people; the platform's own reason when it gave one, never a
        token or key.
    :param status: HTTP status, None when the platform was not reached.
    :param retryable: whether sending the same request later may succeed (429, 5xx,
        timeouts, connection failures); everything else needs a person.
    :param retry_after: seconds the platform asked to wait (``Retry-After``), if it did.
    :param platform_message: the platform's ``error_description`` (or body excerpt).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        retryable: bool,
        retry_after: float | None = None,
        platform_message: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.platform_message = platform_message


def retry_after_seconds(response: requests.Response) -> float | None:
    """Read ``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or bad."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def error_for(response: requests.Response, action: str) -> AgsError:
    """Turn a non-success answer into an :class:`AgsError`.

    :param action: what was attempted, e.g. ``"posting a score"``.
    """
    status = response.status_code
    reason = error_description(response)
    retryable = status in _RETRYABLE_STATUSES or status >= 500
    return AgsError(
        f"{action} failed (HTTP {status}): {reason}",
        status=status,
        retryable=retryable,
        retry_after=retry_after_seconds(response),
        platform_message=reason,
    )


def refused_timestamp_error(
    response: requests.Response, *, user_id: str, timestamp: str, tries: int
) -> AgsError:
    """The platform kept answering 409: it holds a score for this user and line item that it
    takes to be as new as the one sent (AGS 2.0 section 3.4, ``timestamp``).

    Retryable: the platform's own time for its score (Moodle stores the time it received a
    score without ``scoreGiven``, and its clock may run ahead of ours) is overtaken once the
    current time passes it, and every later try is stamped with the time it is sent.
    """
    reason = error_description(response)
    return AgsError(
        f"the platform refused the score for user {user_id} {tries} times as not newer than"
        f" the one it holds (last timestamp sent {timestamp}); it will be sent again later",
        status=response.status_code,
        retryable=True,
        retry_after=retry_after_seconds(response),
        platform_message=reason,
    )


def transport_error(exc: Exception, action: str) -> AgsError:
    """The platform could not be reached or did not answer in time (retryable)."""
    return AgsError(f"{action} failed: {type(exc).__name__}", status=None, retryable=True)


def too_large_error(exc: ResponseTooLargeError, action: str) -> AgsError:
    """The platform's answer was longer than the session reads.

    Retryable: sending a score again is harmless (the newer timestamp wins), and the
    delivery's tries bound it.
    """
    return AgsError(
        f"{action} failed: the platform answered more than {byte_size(exc.limit)}; refused",
        status=exc.status,
        retryable=True,
    )


def token_error(exc: TokenRequestError) -> AgsError:
    """The platform refused or failed the access token request."""
    return AgsError(
        f"getting an access token failed: {exc}",
        status=exc.status,
        retryable=exc.retryable,
        platform_message=str(exc),
    )
