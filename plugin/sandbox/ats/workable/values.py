"""What ``update_custom_attribute_value`` accepts, per attribute type
(``docs/ats/workable.md#attribute-update``).

The body is ``{"custom_attribute_key", "checked"}`` for a boolean and
``{"custom_attribute_key", "value"}`` for every other type, with nothing else.
Refusals are 422 with Workable's ``{"error": ...}`` body.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import typing as t

from plugin.sandbox.ats.workable.state import SimulatorError

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    from plugin.sandbox.ats.workable.state import Attribute

SHORT_TEXT_MAX = 128
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def attribute_key(body: Mapping[str, t.Any]) -> str:
    """The body's ``custom_attribute_key``.

    :raises SimulatorError: 422 unless a non-empty string.
    """
    key = body.get("custom_attribute_key")
    if not isinstance(key, str) or not key:
        raise SimulatorError(422, "custom_attribute_key is required")
    return key


def checked_value(attribute: Attribute, body: Mapping[str, t.Any]) -> t.Any:
    """The value ``body`` sets on ``attribute``.

    :raises SimulatorError: 422 for a disabled attribute, other keys than the
        documented ones, or a value the type does not take.
    """
    if not attribute.enabled:
        raise SimulatorError(422, f"Custom attribute {attribute.id} is disabled")
    name = "checked" if attribute.type == "boolean" else "value"
    expected = {"custom_attribute_key", name}
    if set(body) != expected:
        raise SimulatorError(
            422, f"A {attribute.type} attribute takes exactly: {', '.join(sorted(expected))}"
        )
    value = body[name]
    problem = _PROBLEMS[attribute.type](attribute, value)
    if problem:
        raise SimulatorError(422, f"Invalid value for {attribute.label}: {problem}")
    return value


def _short_text(attribute: Attribute, value: t.Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > SHORT_TEXT_MAX:
        return f"is too long (maximum is {SHORT_TEXT_MAX} characters)"
    return None


def _free_text(attribute: Attribute, value: t.Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _numeric(attribute: Attribute, value: t.Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    return None if math.isfinite(value) else "must be a finite number"


def _boolean(attribute: Attribute, value: t.Any) -> str | None:
    return None if isinstance(value, bool) else "checked must be true or false"


def _dropdown(attribute: Attribute, value: t.Any) -> str | None:
    if isinstance(value, str) and value in {cid for cid, _ in attribute.choices}:
        return None
    return "is not one of the attribute's choice ids"


def _date(attribute: Attribute, value: t.Any) -> str | None:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "is not a valid date"
        return None
    return "must be a date as YYYY-MM-DD"


_PROBLEMS: Mapping[str, t.Callable[[Attribute, t.Any], str | None]] = {
    "short_text": _short_text,
    "free_text": _free_text,
    "numeric": _numeric,
    "boolean": _boolean,
    "dropdown": _dropdown,
    "date": _date,
}
