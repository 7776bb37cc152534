"""Date and duration formats of the StartExam API."""

from __future__ import annotations

import datetime as dt


def iso(timestamp: float, *, millis: bool = False) -> str:
    """UTC ISO 8601 with a ``Z``, e.g. ``2025-01-16T03:09:50Z``."""
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> float:
    """Seconds since the epoch of an ISO 8601 date; a date without zone is UTC.

    :raises ValueError: not an ISO 8601 date.
    """
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def elapsed(seconds: float) -> str:
    """``[d.]HH:MM:SS`` as in ``elapsedTime``."""
    total = max(0, round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}.{text}" if days else text
