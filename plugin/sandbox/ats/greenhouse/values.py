"""Strict checking of the ``custom_fields`` elements of a candidate update.

Element rules (``docs/ats/greenhouse.md#custom-field-update``): exactly one of ``id`` /
``name_key``; either ``value`` or ``delete_value``, which must be the string ``"true"``
(``null`` and ``""`` do not clear). Value shapes per ``value_type``
(``docs/ats/greenhouse.md#date-yes-no-and-url-formats``; the simulator's reading where
Greenhouse documents none): ``number`` a JSON number (a numeric string is refused),
``short_text``/``long_text`` a non-blank string, ``yes_no`` a boolean, ``single_select`` an
option id or an exact option name, ``date`` ``YYYY-MM-DD``, ``url`` an absolute https URL.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import typing as t
import urllib.parse

from plugin.sandbox.ats.greenhouse.errors import FieldError

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

    from plugin.sandbox.ats.greenhouse.state import CustomField

_ELEMENT_KEYS = frozenset({"id", "name_key", "value", "delete_value", "unit"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: A checked write: the field and the value to store (``None``: clear it).
Change = tuple["CustomField", t.Any]


class _RefusedError(Exception):
    """One element's problem (a message for the 422 ``errors`` list)."""


def check_elements(
    elements: t.Any, fields: Mapping[int, CustomField]
) -> tuple[list[Change], list[FieldError]]:
    """The changes ``elements`` ask for, and every error found (apply none if any)."""
    if not isinstance(elements, list):
        return [], [{"message": "custom_fields must be an array", "field": "custom_fields"}]
    changes: list[Change] = []
    errors: list[FieldError] = []
    for element in elements:
        if not isinstance(element, dict):
            errors.append({"message": "must be an object", "field": "custom_fields"})
            continue
        try:
            changes.append(_change(element, fields))
        except _RefusedError as problem:
            label = str(element.get("name_key", element.get("id", "custom_fields")))
            errors.append({"message": str(problem), "field": label})
    return changes, errors


def _change(element: dict[str, t.Any], fields: Mapping[int, CustomField]) -> Change:
    unknown = sorted(set(element) - _ELEMENT_KEYS)
    if unknown:
        raise _RefusedError(f"unknown parameter(s): {', '.join(unknown)}")
    field = _field(element, fields)
    if "unit" in element:
        raise _RefusedError("unit is only accepted for currency fields")
    if ("value" in element) == ("delete_value" in element):
        raise _RefusedError("give either value or delete_value")
    if "delete_value" in element:
        if element["delete_value"] != "true":
            raise _RefusedError('delete_value must be the string "true"')
        return field, None
    value = element["value"]
    if value is None or value == "":
        raise _RefusedError("value must not be blank (use delete_value to clear a field)")
    return field, _VALUE_CHECKS[field.value_type](value, field)


def _field(element: dict[str, t.Any], fields: Mapping[int, CustomField]) -> CustomField:
    if ("id" in element) == ("name_key" in element):
        raise _RefusedError("give exactly one of id and name_key")
    if "id" in element:
        if type(element["id"]) is not int:
            raise _RefusedError("id must be an integer")
        field = fields.get(element["id"])
    else:
        field = next((f for f in fields.values() if f.name_key == element["name_key"]), None)
    if field is None:
        raise _RefusedError("custom field not found")
    if not field.active:
        raise _RefusedError("custom field is inactive")
    return field


def _number(value: t.Any, field: CustomField) -> t.Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _RefusedError("must be a number")
    return value


def _text(value: t.Any, field: CustomField) -> t.Any:
    if not isinstance(value, str) or not value.strip():
        raise _RefusedError("must be a non-blank string")
    return value


def _yes_no(value: t.Any, field: CustomField) -> t.Any:
    if not isinstance(value, bool):
        raise _RefusedError("must be true or false")
    return value


def _single_select(value: t.Any, field: CustomField) -> t.Any:
    """An option id or exact option name; the option id is stored."""
    if type(value) is int and value in dict(field.options):
        return value
    by_name = {name: option_id for option_id, name in field.options}
    if isinstance(value, str) and value in by_name:
        return by_name[value]
    raise _RefusedError("must be the id or the exact name of one of the field's options")


def _date(value: t.Any, field: CustomField) -> t.Any:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _RefusedError("must be a date as YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise _RefusedError("is not a valid date") from None
    return value


def _url(value: t.Any, field: CustomField) -> t.Any:
    parts = urllib.parse.urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise _RefusedError("must be an absolute https URL")
    return value


_VALUE_CHECKS: Mapping[str, Callable[[t.Any, CustomField], t.Any]] = {
    "number": _number,
    "short_text": _text,
    "long_text": _text,
    "yes_no": _yes_no,
    "single_select": _single_select,
    "date": _date,
    "url": _url,
}
