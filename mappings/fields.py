"""Custom marshmallow fields for vendor payloads.

Vendor JSON mixes conventions: ids sent as numbers or as strings, scores as numbers
or numeric strings, empty strings meaning "no value" (times and durations are in
:mod:`mappings.time_fields`). Each field here accepts exactly one such
convention, returns a plain Python value and raises :class:`ValidationError` for
anything else, so that schema error messages name the offending field.

The fields are *lean*: when a field declares no validators and no field-level
processors (most fields), :meth:`LeanField.deserialize` calls ``_deserialize``
directly instead of the generic chain, which halves the per-value cost on lists of
questions (see ``bench/mappings.py``).
"""

from __future__ import annotations

import decimal
import math
import re
import typing as t
import urllib.parse
from collections.abc import Mapping

from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import missing

_T = t.TypeVar("_T")

#: Lower bound of amounts that cannot be negative (maximum scores).
ZERO = decimal.Decimal(0)
#: Scores larger than this (in absolute value) are treated as corrupt data.
MAX_AMOUNT = decimal.Decimal(10) ** 9
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_SPACE = re.compile(r"\s")


class LeanField(fields.Field[_T]):
    """Field that skips the generic deserialisation chain when it has nothing to run."""

    def deserialize(
        self,
        value: t.Any,
        attr: str | None = None,
        data: Mapping[str, t.Any] | None = None,
        **kwargs: t.Any,
    ) -> t.Any:
        if value is None or value is missing or self.validators or self.pre_load or self.post_load:
            return super().deserialize(value, attr, data, **kwargs)
        return self._deserialize(value, attr, data, **kwargs)


def is_lean(field: fields.Field[t.Any]) -> bool:
    """Whether ``field._deserialize`` may stand in for ``field.deserialize`` on a present value."""
    return isinstance(field, LeanField) and not (
        field.validators or field.pre_load or field.post_load
    )


class Text(LeanField[str | None]):
    """A string, stripped; a blank string loads as ``None``."""

    default_error_messages = {
        "invalid": "Not a valid string.",
        "too_long": "Longer than {max_length} characters.",
    }

    def __init__(self, *, max_length: int = 20_000, **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> str | None:
        if type(value) is not str:
            raise self.make_error("invalid")
        text = value.strip()
        if len(text) > self.max_length:
            raise self.make_error("too_long", max_length=self.max_length)
        return text or None


class Ident(LeanField[str]):
    """A vendor identifier sent either as a JSON string or as an integer."""

    default_error_messages = {
        "invalid": "Not a valid identifier.",
        "blank": "Identifier may not be blank.",
    }

    def _deserialize(self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any) -> str:
        if type(value) is int and -(10**20) < value < 10**20:
            return str(value)
        if type(value) is not str or len(value) > 200:
            raise self.make_error("invalid")
        text = value.strip()
        if not text:
            raise self.make_error("blank")
        return text


class Amount(LeanField[decimal.Decimal]):
    """A score or mark: a JSON number (or numeric string) loaded as a finite ``Decimal``.

    Floats go through ``repr`` so that ``85.0`` becomes ``Decimal("85.0")``, not the
    binary expansion of the float.
    """

    default_error_messages = {
        "invalid": "Not a valid number.",
        "special": "Special numeric values (nan or infinity) are not permitted.",
        "range": "Must be between {low} and {high}.",
    }

    def __init__(
        self,
        *,
        low: decimal.Decimal = -MAX_AMOUNT,
        high: decimal.Decimal = MAX_AMOUNT,
        **kwargs: t.Any,
    ) -> None:
        super().__init__(**kwargs)
        self.low = low
        self.high = high
        self._bounds = (float(low), float(high))

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> decimal.Decimal:
        kind = type(value)
        if kind is float or kind is int:
            # Compare before converting: cheap, and NaN or infinity fail here too.
            low, high = self._bounds
            if not low <= value <= high:
                raise self._out_of_range(value)
            if kind is float:
                return _float_decimal(value)
            return _SMALL_INTS.get(value) or decimal.Decimal(value)
        if kind is not str or len(value) > 64:
            raise self.make_error("invalid")
        try:
            number = decimal.Decimal(value)
        except decimal.InvalidOperation as error:
            raise self.make_error("invalid") from error
        if not number.is_finite():
            raise self.make_error("special")
        if not self.low <= number <= self.high:
            raise self._out_of_range(number)
        return number

    def _out_of_range(self, value: float | decimal.Decimal) -> ValidationError:
        if isinstance(value, float) and not math.isfinite(value):
            return self.make_error("special")
        return self.make_error("range", low=self.low, high=self.high)


_FLOAT_DECIMALS: dict[float, decimal.Decimal] = {}
#: Whole-number marks, ready-made (``Decimal(0)`` is falsy: zero is built each time).
_SMALL_INTS = {number: decimal.Decimal(number) for number in range(1, 1001)}


def _float_decimal(value: float) -> decimal.Decimal:
    """``Decimal(repr(value))``, remembered for the few thousand most common values.

    Marks repeat (``1.0``, ``2.0``, ``0.5``) across questions, sections and results.
    Zero is not remembered: ``0.0`` and ``-0.0`` are one key but different digits.
    """
    number = _FLOAT_DECIMALS.get(value)
    if number is None or not value:
        number = decimal.Decimal(repr(value))
        if value and len(_FLOAT_DECIMALS) < 4096:
            _FLOAT_DECIMALS[value] = number
    return number


class Percent(Amount):
    """A percentage between 0 and 100."""

    def __init__(self, **kwargs: t.Any) -> None:
        super().__init__(low=decimal.Decimal(0), high=decimal.Decimal(100), **kwargs)


class Count(LeanField[int]):
    """A non-negative whole number; ``2.0`` is accepted as ``2``."""

    default_error_messages = {
        "invalid": "Not a valid whole number.",
        "range": "Must be between 0 and 1000000000.",
    }

    def _deserialize(self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any) -> int:
        kind = type(value)
        if kind is float and value.is_integer():
            value = int(value)
        elif kind is not int:
            raise self.make_error("invalid")
        if not 0 <= value <= 1_000_000_000:
            raise self.make_error("range")
        return int(value)


class Flag(LeanField[bool]):
    """A JSON boolean, strictly ``true`` or ``false``."""

    default_error_messages = {"invalid": "Not a valid boolean."}

    def _deserialize(self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


class HttpUrl(LeanField[str | None]):
    """An absolute ``http``/``https`` URL; a blank string is ``None``."""

    default_error_messages = {"invalid": "Not a valid absolute http(s) URL."}

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> str | None:
        if type(value) is not str or len(value) > 4096:
            raise self.make_error("invalid")
        url = value.strip()
        if not url:
            return None
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError as error:
            raise self.make_error("invalid") from error
        if parts.scheme not in ("http", "https") or not parts.hostname or _SPACE.search(url):
            raise self.make_error("invalid")
        return url


class EmailAddress(LeanField[str | None]):
    """An e-mail address, checked loosely (one ``@``, no spaces); blank is ``None``."""

    default_error_messages = {"invalid": "Not a valid e-mail address."}

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> str | None:
        if type(value) is not str or len(value) > 320:
            raise self.make_error("invalid")
        address = value.strip()
        if not address:
            return None
        if _EMAIL.fullmatch(address) is None:
            raise self.make_error("invalid")
        return address


def token(text: str) -> str:
    """Normalise a status spelling: ``"In Progress"``, ``"in_progress"`` -> ``"inprogress"``."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


class Choice(LeanField[_T]):
    """A vendor enumeration, matched case- and punctuation-insensitively.

    :param choices: normalised spelling (see :func:`token`) -> loaded value.
    """

    default_error_messages = {
        "invalid": "Not a valid string.",
        "unknown": "Unknown value {value!r}; expected one of: {choices}.",
    }

    def __init__(self, choices: Mapping[str, _T], **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.choices = dict(choices)

    def _deserialize(self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any) -> _T:
        if type(value) is not str or len(value) > 200:
            raise self.make_error("invalid")
        try:
            return self.choices[token(value)]
        except KeyError:
            raise self.make_error(
                "unknown", value=value, choices=", ".join(sorted(self.choices))
            ) from None
