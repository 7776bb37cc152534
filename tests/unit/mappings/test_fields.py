from __future__ import annotations

import datetime as dt
import decimal

import pytest
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from mappings.canonical_fields import DurationSeconds
from mappings.canonical_fields import UtcTimestamp
from mappings.canonical_fields import plain_number
from mappings.fields import Amount
from mappings.fields import Choice
from mappings.fields import Count
from mappings.fields import EmailAddress
from mappings.fields import Flag
from mappings.fields import HttpUrl
from mappings.fields import Ident
from mappings.fields import Percent
from mappings.fields import Text
from mappings.fields import is_lean
from mappings.fields import token
from mappings.time_fields import Duration
from mappings.time_fields import IsoDateTime
from mappings.time_fields import Rfc1123DateTime
from mappings.time_fields import Seconds

D = decimal.Decimal
UTC = dt.UTC


def rejects(field: fields.Field, value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        field.deserialize(value)
    assert message in str(caught.value.messages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:33:00", dt.timedelta(minutes=33)),
        ("00:00:13", dt.timedelta(seconds=13)),
        ("1.02:03:04", dt.timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("00:00:01.5", dt.timedelta(seconds=1, microseconds=500_000)),
        ("00:00:01.1234567", dt.timedelta(seconds=1, microseconds=123_456)),
        ("26:00:00", dt.timedelta(hours=26)),
    ],
)
def test_duration_reads_timespans(text: str, expected: dt.timedelta) -> None:
    assert Duration().deserialize(text) == expected


@pytest.mark.parametrize(
    "text", ["1:2", "00:60:00", "00:00:60", "1.24:00:00", "-00:00:01", "00:00:00Z", "", " 00:01:00"]
)
def test_duration_rejects_malformed_timespans(text: str) -> None:
    rejects(Duration(), text, "Not a valid [d.]HH:MM:SS duration.")


def test_duration_rejects_non_strings_and_too_long_spans() -> None:
    rejects(Duration(), 33, "Not a valid [d.]HH:MM:SS duration.")
    rejects(Duration(), "3661.00:00:00", "longer than ten years")


def test_seconds_reads_numbers_and_rejects_negatives() -> None:
    assert Seconds().deserialize(45.078) == dt.timedelta(seconds=45, microseconds=78_000)
    assert Seconds().deserialize(0) == dt.timedelta(0)
    rejects(Seconds(), -1, "negative")
    rejects(Seconds(), float("nan"), "negative")
    rejects(Seconds(), "45", "Not a valid number of seconds.")
    rejects(Seconds(), True, "Not a valid number of seconds.")


def test_rfc1123_dates_load_as_utc() -> None:
    field = Rfc1123DateTime(allow_none=True)
    assert field.deserialize("Fri, 18 Feb 2022 02:37:24 GMT") == dt.datetime(
        2022, 2, 18, 2, 37, 24, tzinfo=UTC
    )
    assert field.deserialize("Fri, 18 Feb 2022 02:37:24 +0100") == dt.datetime(
        2022, 2, 18, 1, 37, 24, tzinfo=UTC
    )
    assert field.deserialize("") is None
    assert field.deserialize(None) is None


@pytest.mark.parametrize(
    "text", ["garbage", "Fri, 31 Feb 2022 02:37:24 GMT", "2022-02-18T02:37:24Z", "Fri, 18 Feb"]
)
def test_rfc1123_dates_reject_other_text(text: str) -> None:
    rejects(Rfc1123DateTime(), text, "Not a valid RFC 1123 date-time.")


def test_rfc1123_dates_reject_out_of_range_years() -> None:
    rejects(Rfc1123DateTime(), "Fri, 18 Feb 1900 02:37:24 GMT", "out of range")


def test_iso_datetimes_load_as_utc() -> None:
    field = IsoDateTime()
    expected = dt.datetime(2018, 11, 17, 16, 9, 39, 373_000, tzinfo=UTC)
    assert field.deserialize("2018-11-17T17:09:39.373+01:00") == expected
    assert field.deserialize("2025-01-16T03:09:50Z") == dt.datetime(
        2025, 1, 16, 3, 9, 50, tzinfo=UTC
    )
    # A value without an offset is UTC (the vendors document these fields as UTC).
    assert field.deserialize("2020-10-09T13:21:53") == dt.datetime(
        2020, 10, 9, 13, 21, 53, tzinfo=UTC
    )


def test_iso_datetimes_reject_garbage_and_impossible_years() -> None:
    rejects(IsoDateTime(), "09-Oct-2020 06:51 PM", "Not a valid ISO 8601 date-time.")
    rejects(IsoDateTime(), 1602249713, "Not a valid ISO 8601 date-time.")
    rejects(IsoDateTime(), "0001-01-01T00:00:00+14:00", "out of range")
    rejects(IsoDateTime(), "9999-12-31T23:00:00-05:00", "out of range")
    rejects(IsoDateTime(), "1900-01-01T00:00:00Z", "out of range")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(85.0, D("85.0")), (17, D("17")), ("12.5", D("12.5")), (0.1, D("0.1")), (-2.5, D("-2.5"))],
)
def test_amount_keeps_the_written_digits(value: object, expected: decimal.Decimal) -> None:
    loaded = Amount().deserialize(value)
    assert loaded == expected
    assert str(loaded) == str(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "Not a valid number."),
        ("abc", "Not a valid number."),
        ([1], "Not a valid number."),
        (float("nan"), "Special numeric values"),
        (float("inf"), "Special numeric values"),
        ("Infinity", "Special numeric values"),
        (10**30, "Must be between"),
        ("1e999", "Must be between"),
        ("1" * 65, "Not a valid number."),
    ],
)
def test_amount_rejects_non_numbers_and_corrupt_magnitudes(value: object, message: str) -> None:
    rejects(Amount(), value, message)


def test_amount_lower_bound_and_percent_range() -> None:
    rejects(Amount(low=D(0)), -1, "Must be between 0")
    assert Percent().deserialize(100) == D(100)
    rejects(Percent(), 100.01, "Must be between 0 and 100")
    rejects(Percent(), -0.5, "Must be between 0 and 100")


def test_count_accepts_whole_floats_only() -> None:
    assert Count().deserialize(2.0) == 2
    assert type(Count().deserialize(2.0)) is int
    rejects(Count(), 2.5, "Not a valid whole number.")
    rejects(Count(), -1, "Must be between")
    rejects(Count(), "2", "Not a valid whole number.")


def test_flag_is_strictly_boolean() -> None:
    assert Flag().deserialize(False) is False
    for value in ("true", 1, 0, "yes"):
        rejects(Flag(), value, "Not a valid boolean.")


def test_text_strips_and_reads_blank_as_none() -> None:
    field = Text(allow_none=True)
    assert field.deserialize("  Perfect Knowledge ") == "Perfect Knowledge"
    assert field.deserialize("   ") is None
    rejects(Text(), 5, "Not a valid string.")
    rejects(Text(max_length=3), "abcd", "Longer than 3 characters.")


def test_ident_accepts_strings_and_integers() -> None:
    assert Ident().deserialize(225634) == "225634"
    assert Ident().deserialize(" abc ") == "abc"
    rejects(Ident(), " ", "blank")
    rejects(Ident(), True, "Not a valid identifier.")
    rejects(Ident(), 1.5, "Not a valid identifier.")
    rejects(Ident(), 10**40, "Not a valid identifier.")


def test_http_url_accepts_absolute_http_urls_only() -> None:
    field = HttpUrl(allow_none=True)
    assert field.deserialize(" https://a.example/x?y=1 ") == "https://a.example/x?y=1"
    assert field.deserialize("http://a.example") == "http://a.example"
    assert field.deserialize("") is None
    for value in ("javascript:alert(1)", "/relative", "ftp://a.example", "https://", "https://a b"):
        rejects(field, value, "Not a valid absolute http(s) URL.")
    rejects(field, "http://[::1", "Not a valid absolute http(s) URL.")


def test_email_is_checked_loosely() -> None:
    assert EmailAddress().deserialize("lennon@gmail.com") == "lennon@gmail.com"
    assert EmailAddress(allow_none=True).deserialize("") is None
    for value in ("…", "a b@c", "no-at-sign", 5):
        rejects(EmailAddress(), value, "Not a valid e-mail address.")


def test_choice_matches_spellings_loosely_and_lists_choices() -> None:
    field = Choice({"inprogress": 1, "complete": 2})
    assert field.deserialize("In Progress") == 1
    assert field.deserialize("in_progress") == 1
    assert field.deserialize("COMPLETE") == 2
    rejects(field, "Done", "expected one of: complete, inprogress")
    assert token("Test-taker Completed") == "testtakercompleted"


def test_lean_fields_with_validators_take_the_full_path() -> None:
    assert is_lean(Amount())
    positive = Amount(validate=validate.Range(min=1))
    assert not is_lean(positive)
    assert not is_lean(fields.String())
    rejects(positive, -1, "Must be greater than or equal to 1.")


def test_canonical_timestamps_are_utc_with_z_and_refuse_naive_input() -> None:
    field = UtcTimestamp()
    moment = dt.datetime(2025, 1, 16, 4, 9, 50, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert field._serialize(moment, None, None) == "2025-01-16T03:09:50Z"
    assert field.deserialize("2025-01-16T03:09:50Z") == moment
    rejects(field, "2025-01-16T03:09:50", "must carry a UTC offset")
    rejects(field, "yesterday", "Not a valid ISO 8601 date-time.")


def test_canonical_durations_are_exact_decimal_seconds() -> None:
    field = DurationSeconds()
    span = dt.timedelta(days=1, seconds=5, microseconds=78_000)
    assert field._serialize(span, None, None) == "86405.078"
    assert field._serialize(dt.timedelta(0), None, None) == "0"
    assert field._serialize(dt.timedelta(seconds=1980), None, None) == "1980"
    assert field.deserialize("86405.078") == span
    rejects(field, "0.0000001", "at most 6 decimal places")
    rejects(field, "NaN", "Not a valid number of seconds")
    rejects(field, 12, "Not a valid number of seconds")


def test_plain_numbers_drop_trailing_zeros() -> None:
    assert plain_number(D("85.00")) == "85"
    assert plain_number(D("1.10")) == "1.1"
    assert plain_number(D("120")) == "120"
    assert plain_number(None) == ""
