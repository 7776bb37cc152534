"""Canonical result + planned field map -> typed ATS field writes.

Maps are planned (validated) by :func:`plan_field_writes`; see :mod:`mappings.ats_map`
for the map format. Coercion rules (``docs/ats/README.md#type-coercion``):

- numbers are JSON numbers, never numeric strings; non-finite numbers are rejected;
- text: Workable ``short_text`` holds at most 128 characters: longer text is cut
  with "…", a longer URL is rejected (a cut URL is a broken link);
- booleans are ``true``/``false`` (Workable: ``{"checked": ...}``); as text, "yes"/"no";
- dates are ``YYYY-MM-DD`` in UTC, date-times ISO 8601 UTC (``...Z``);
- URLs must be absolute ``https`` URLs, whatever the field type;
- select fields take the option the map gives for the value; a value without an
  option is rejected;
- a missing value is skipped, or cleared when the map says ``when_missing: clear``
  (Greenhouse ``delete_value: "true"``, webhook ``null``).

Rejected values raise :class:`FieldValueError` listing every offending field, so that
nothing is sent for a result that cannot be written faithfully.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import hashlib
import json
import math
import typing as t
import urllib.parse
from collections.abc import Callable

from mappings.ats_map import AtsTarget
from mappings.ats_map import FieldKey
from mappings.ats_map import FieldMap
from mappings.ats_map import FieldMapError
from mappings.ats_map import FieldSpec
from mappings.ats_map import plan_field_writes
from mappings.canonical_fields import format_utc
from mappings.canonical_fields import plain_number
from mappings.result import AssessmentResult
from mappings.result import ProctoringStatus

#: Longest value of a ``short_text`` field, per target (Greenhouse documents none).
SHORT_TEXT_LIMIT: t.Mapping[str, int] = {"workable": 128}


class FieldValueError(ValueError):
    """A result value that cannot be written to its mapped field."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("Cannot write ATS fields: " + "; ".join(messages))
        self.messages = messages


@dataclasses.dataclass(frozen=True)
class FieldWrite:
    """One planned write: ``value`` is already coerced to the target's wire shape."""

    target: AtsTarget
    field: str
    key: FieldKey
    type: str
    value: t.Any
    clear: bool = False

    def wire(self) -> dict[str, t.Any]:
        """The JSON element the target expects for this write."""
        if self.target == "webhook":
            return {str(self.key): self.value}
        if self.target == "workable":
            name = "checked" if self.type == "boolean" else "value"
            return {"custom_attribute_key": self.key, name: self.value}
        element: dict[str, t.Any] = {"id" if isinstance(self.key, int) else "name_key": self.key}
        element.update({"delete_value": "true"} if self.clear else {"value": self.value})
        return element

    @property
    def value_hash(self) -> str:
        """SHA-256 of the target, key and wire element: equal hashes mean equal writes."""
        text = json.dumps([self.target, self.key, self.wire()], sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_field_writes(
    result: AssessmentResult, plan: FieldMap, target: AtsTarget | None = None
) -> list[FieldWrite]:
    """Turn ``result`` into the writes ``plan`` describes.

    :param target: when given, must be the plan's target (a safety check for callers
        holding several plans).
    :raises FieldMapError: when ``target`` differs from the plan's.
    :raises FieldValueError: when a value cannot be written (listing every field).
    """
    if target is not None and target != plan.target:
        raise FieldMapError([f"target: the map is for {plan.target!r}, not {target!r}."])
    writes: list[FieldWrite] = []
    problems: list[str] = []
    for spec in plan.fields:
        value = logical_value(result, spec.logical)
        if value is None and not spec.clear_when_missing:
            continue
        try:
            wire = None if value is None else coerce(value, spec, plan.target)
        except ValueError as error:
            problems.append(f"{spec.logical}: {error}")
            continue
        writes.append(
            FieldWrite(plan.target, spec.logical, spec.key, spec.type, wire, clear=value is None)
        )
    if problems:
        raise FieldValueError(problems)
    return writes


def logical_value(result: AssessmentResult, name: str) -> t.Any:
    """Return the value of logical field ``name`` (``None`` when unknown)."""
    getter = _LOGICAL_VALUES.get(name)
    if getter is None:
        raise FieldMapError([f"fields.{name}: Unknown logical field."])
    return getter(result)


def summary_text(result: AssessmentResult) -> str:
    """A one-line plain-text summary of the result (parts without a value left out)."""
    parts = [f"{result.test_name or result.vendor}: {result.status.value.replace('_', ' ')}"]
    if result.score is not None and result.max_score is not None:
        parts.append(f"score {plain_number(result.score)}/{plain_number(result.max_score)}")
    if result.percent is not None:
        parts.append(f"{plain_number(result.percent)}%")
    if result.passed is not None:
        parts.append("passed" if result.passed else "not passed")
    if result.level:
        parts.append(f"level {result.level}")
    if result.needs_manual_grading:
        parts.append("awaiting manual grading")
    if proctoring_flag(result):
        parts.append("proctoring incidents recorded")
    return "; ".join(parts)


def proctoring_flag(result: AssessmentResult) -> bool | None:
    """``True`` when proctoring recorded incidents, ``False`` when a review found none."""
    proctoring = result.proctoring
    if proctoring is None:
        return None
    if proctoring.incidents_count:
        return True
    return False if proctoring.status is ProctoringStatus.REVIEWED else None


def coerce(value: t.Any, spec: FieldSpec, target: str) -> t.Any:
    """Coerce a logical value to the wire value of ``spec`` on ``target``.

    :raises ValueError: when the value cannot be written to that field.
    """
    category = spec.category
    if category == "select":
        return _option(value, spec)
    convert = _CONVERTERS.get(category)
    if convert is not None:
        return convert(value)
    text = _text(value, spec)
    limit = SHORT_TEXT_LIMIT.get(target) if category == "short_text" else None
    if limit is not None and len(text) > limit:
        if spec.logical == "report_url":
            raise ValueError(f"the URL is longer than {limit} characters.")
        text = text[: limit - 1] + "…"
    return text


def _number(value: t.Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        raise ValueError("not a number.")
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError("non-finite numbers cannot be written.")
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("non-finite numbers cannot be written.")
    return value


def _option(value: t.Any, spec: FieldSpec) -> FieldKey:
    key = ("true" if value else "false") if isinstance(value, bool) else str(value)
    options = spec.options or {}
    if key not in options:
        raise ValueError(f"no option is mapped for {key!r}.")
    return options[key]


def _https(value: t.Any) -> str:
    parts = urllib.parse.urlsplit(str(value))
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("only absolute https URLs can be written.")
    return str(value)


def _text(value: t.Any, spec: FieldSpec) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, decimal.Decimal | int | float):
        return str(_number(value))
    if isinstance(value, dt.datetime):
        return format_utc(value)
    if spec.logical == "report_url":
        return _https(value)
    return str(value)


def _date(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).date().isoformat()


_CONVERTERS: t.Mapping[str, Callable[[t.Any], t.Any]] = {
    "number": _number,
    "boolean": bool,
    "date": _date,
    "datetime": format_utc,
    "url": _https,
}
_LOGICAL_VALUES: t.Mapping[str, Callable[[AssessmentResult], t.Any]] = {
    "score_percent": lambda result: result.percent,
    "score": lambda result: result.score,
    "max_score": lambda result: result.max_score,
    "passed": lambda result: result.passed,
    "level": lambda result: result.level,
    "status": lambda result: result.status.value,
    "report_url": lambda result: result.report_url,
    "completed_at": lambda result: result.finished_at,
    "summary": summary_text,
    "proctoring_flag": proctoring_flag,
}

__all__ = [
    "FieldMap",
    "FieldMapError",
    "FieldValueError",
    "FieldWrite",
    "build_field_writes",
    "plan_field_writes",
]
