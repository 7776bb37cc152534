"""Time and duration fields for vendor payloads.

``[d.]HH:MM:SS`` durations (StartExam), durations in seconds (Mettl, iMocha), ISO 8601
timestamps with or without an offset, and RFC 1123 dates (Mettl). All timestamps are
returned in UTC. Parsing of the string forms is cached: one report repeats the same
few values many times.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re
import typing as t

from marshmallow import fields

from mappings.fields import LeanField

#: Longest attempt duration accepted (ten years covers any "always on" schedule).
MAX_DURATION = dt.timedelta(days=3660)
#: Timestamps outside these years are treated as corrupt data.
MIN_YEAR, MAX_YEAR = 1970, 2999

_DURATION = re.compile(r"(?:(\d{1,4})\.)?(\d{1,5}):([0-5]\d):([0-5]\d)(?:\.(\d{1,7}))?")


def _bounded_duration(field: fields.Field[t.Any], value: dt.timedelta) -> dt.timedelta:
    if value > MAX_DURATION:
        raise field.make_error("range")
    return value


class Duration(LeanField[dt.timedelta]):
    """A .NET ``TimeSpan`` string: ``[d.]HH:MM:SS[.fffffff]``."""

    default_error_messages = {
        "invalid": "Not a valid [d.]HH:MM:SS duration.",
        "range": "Duration is longer than ten years.",
    }

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> dt.timedelta:
        if type(value) is not str or len(value) > 32:
            raise self.make_error("invalid")
        span = _parse_duration(value)
        if span is None:
            raise self.make_error("invalid")
        return _bounded_duration(self, span)


@functools.lru_cache(maxsize=4096)
def _parse_duration(text: str) -> dt.timedelta | None:
    """Parse a ``TimeSpan`` (cached: reports repeat the same few values many times)."""
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    days, hours, minutes, seconds, fraction = match.groups()
    if days is not None and int(hours) > 23:
        return None
    micros = int((fraction or "0").ljust(7, "0")[:6])
    whole = ((int(days or 0) * 24 + int(hours)) * 60 + int(minutes)) * 60 + int(seconds)
    return dt.timedelta(seconds=whole, microseconds=micros)


class Seconds(LeanField[dt.timedelta]):
    """A duration sent as a number of seconds (``45.078``)."""

    default_error_messages = {
        "invalid": "Not a valid number of seconds.",
        "range": "Duration is negative or longer than ten years.",
    }

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> dt.timedelta:
        kind = type(value)
        if kind is not int and kind is not float:
            raise self.make_error("invalid")
        if not 0 <= value <= MAX_DURATION.total_seconds():
            raise self.make_error("range")
        return dt.timedelta(seconds=value)


def _as_utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` in UTC, treating a naive value as UTC already.

    :raises OverflowError: when the value is outside :data:`MIN_YEAR`..:data:`MAX_YEAR`.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise OverflowError(moment.year)
    return moment


class IsoDateTime(LeanField[dt.datetime]):
    """An ISO 8601 timestamp, returned in UTC.

    A value without an offset is read as UTC: every vendor field loaded with this
    class is documented as UTC (StartExam ``started``, iMocha ``attemptedOn`` and
    ``AttemptedOnUtc``) or carries its own offset (ProctorExam).
    """

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 date-time.",
        "range": "Date-time is out of range.",
    }

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> dt.datetime:
        if type(value) is not str or len(value) > 64:
            raise self.make_error("invalid")
        moment = _parse_iso(value)
        if moment is None:
            raise self.make_error("invalid")
        if moment is _OUT_OF_RANGE:
            raise self.make_error("range")
        return moment


_OUT_OF_RANGE = dt.datetime.min.replace(tzinfo=dt.UTC)


@functools.lru_cache(maxsize=1024)
def _parse_iso(text: str) -> dt.datetime | None:
    """Parse ISO 8601 to UTC; ``None`` when malformed, :data:`_OUT_OF_RANGE` when out of range."""
    try:
        return _as_utc(dt.datetime.fromisoformat(text))
    except ValueError:
        return None
    except OverflowError:
        return _OUT_OF_RANGE


class Rfc1123DateTime(LeanField[dt.datetime | None]):
    """An RFC 1123 date (``Fri, 18 Feb 2022 02:37:24 GMT``); a blank string is ``None``."""

    default_error_messages = {
        "invalid": "Not a valid RFC 1123 date-time.",
        "range": "Date-time is out of range.",
    }

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> dt.datetime | None:
        if type(value) is not str or len(value) > 64:
            raise self.make_error("invalid")
        if not value.strip():
            return None
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError) as error:
            raise self.make_error("invalid") from error
        try:
            return _as_utc(moment)
        except OverflowError as error:
            raise self.make_error("range") from error
