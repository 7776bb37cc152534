"""Pooled HTTP sessions that always time out and read bounded answers, and the pacing a
server asks for."""

from __future__ import annotations

import email.utils
import time
import typing as t

from lti.http import TimeoutSession
from lti.http import byte_size

if t.TYPE_CHECKING:
    import requests

    from lti.http import ResponseTooLargeError

#: The setting that bounds vendor and ATS answers (``config.settings``), named in refusals.
MAX_RESPONSE_SETTING = "BRIDGE_HTTP_MAX_RESPONSE_BYTES"
#: Its default: some twenty times the largest answer a simulator serves (a Mettl results
#: page of 100 candidates with their answers is about 330 KiB).
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024


def make_session(
    *,
    connect_timeout: float = 5.0,
    read_timeout: float = 20.0,
    resend_reads: bool = True,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> requests.Session:
    """A pooled session whose requests always carry a timeout; GETs retry connect errors
    and, with ``resend_reads``, read errors and 502/503/504 answers.  An answer longer
    than ``max_response_bytes`` raises :class:`lti.http.ResponseTooLargeError`."""
    return TimeoutSession(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        resend_reads=resend_reads,
        max_response_bytes=max_response_bytes,
    )


def oversize(exc: ResponseTooLargeError) -> str:
    """How a vendor's or an ATS's refused answer is described: ``more than 8 MiB
    (BRIDGE_HTTP_MAX_RESPONSE_BYTES); refused``."""
    return f"more than {byte_size(exc.limit)} ({MAX_RESPONSE_SETTING}); refused"


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
