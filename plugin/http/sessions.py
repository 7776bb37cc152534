"""Pooled HTTP sessions that always time out, and the pacing a server asks for."""

from __future__ import annotations

import email.utils
import time

import requests

from lti.http import TimeoutSession


def make_session(
    *, connect_timeout: float = 5.0, read_timeout: float = 20.0, resend_reads: bool = True
) -> requests.Session:
    """A pooled session whose requests always carry a timeout; GETs retry connect errors
    and, with ``resend_reads``, read errors and 502/503/504 answers."""
    return TimeoutSession(
        connect_timeout=connect_timeout, read_timeout=read_timeout, resend_reads=resend_reads
    )


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
