"""Fields of the canonical wire form (:class:`mappings.result.AssessmentResultSchema`)."""

from __future__ import annotations

import datetime as dt
import decimal
import typing as t

from marshmallow import fields

_MICRO = decimal.Decimal("0.000001")


def format_utc(moment: dt.datetime) -> str:
    """Render an aware datetime as ISO 8601 in UTC with a ``Z`` suffix."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def plain_number(value: decimal.Decimal | None) -> str:
    """Render ``Decimal("85.00")`` as ``"85"`` and ``None`` as ``""``."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class UtcTimestamp(fields.Field[dt.datetime]):
    """An aware datetime, written as ISO 8601 UTC (``2025-01-16T03:09:50Z``)."""

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 date-time.",
        "naive": "Date-time must carry a UTC offset.",
    }

    def _serialize(
        self, value: dt.datetime | None, attr: str | None, obj: t.Any, **kwargs: t.Any
    ) -> str | None:
        return None if value is None else format_utc(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> dt.datetime:
        if type(value) is not str:
            raise self.make_error("invalid")
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise self.make_error("invalid") from error
        if moment.utcoffset() is None:
            raise self.make_error("naive")
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError as error:
            raise self.make_error("invalid") from error


class DurationSeconds(fields.Field[dt.timedelta]):
    """A duration written as a decimal string of seconds (``"1980"``, ``"45.078"``)."""

    default_error_messages = {
        "invalid": "Not a valid number of seconds (at most 6 decimal places).",
    }

    def _serialize(
        self, value: dt.timedelta | None, attr: str | None, obj: t.Any, **kwargs: t.Any
    ) -> str | None:
        if value is None:
            return None
        whole = decimal.Decimal(value.days * 86_400 + value.seconds)
        seconds = whole + decimal.Decimal(value.microseconds) * _MICRO
        return format(seconds.normalize(), "f")

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> dt.timedelta:
        if type(value) is not str or len(value) > 32:
            raise self.make_error("invalid")
        try:
            seconds = decimal.Decimal(value)
            micros = seconds / _MICRO
            if not micros.is_finite() or micros != micros.to_integral_value():
                raise self.make_error("invalid")
            return dt.timedelta(microseconds=int(micros))
        except (decimal.InvalidOperation, OverflowError) as error:
            raise self.make_error("invalid") from error
