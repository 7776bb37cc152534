"""ATS field maps: which logical result field goes to which ATS field, of which type.

A field map is JSON (the ``--ats-map`` file of ``assessment-bridge mapping preview``)::

    {"target": "greenhouse" | "workable" | "webhook",
     "fields": {
        "<logical field>": {"key": <ATS field key>, "type": "<ATS field type>",
                            "options": {"<value>": <option id or name>},  # select types
                            "when_missing": "skip" | "clear"},          # default "skip"
        ...}}

Logical fields (:data:`LOGICAL_FIELDS`): ``score_percent``, ``score``, ``max_score``,
``passed``, ``level``, ``status``, ``report_url``, ``completed_at``, ``summary``,
``proctoring_flag``. Types per target (:data:`TARGET_TYPES`, from
``docs/ats/README.md#field-maps``):

- ``greenhouse`` (Harvest custom fields): ``short_text``, ``long_text``, ``number``,
  ``yes_no``, ``single_select``, ``date``, ``url``. ``key`` is the immutable
  ``name_key`` (a string) or the field ``id`` (an integer). ``options`` values are
  option ids (integers) or exact option names.
- ``workable`` (SPI v3 custom attributes): ``short_text`` (128 characters),
  ``free_text``, ``numeric``, ``boolean``, ``dropdown`` (choice ids), ``date``.
  Workable documents no way to clear an attribute, so ``when_missing: clear`` is refused.
- ``webhook`` (generic JSON): ``string``, ``number``, ``boolean``, ``date``,
  ``datetime``, ``url``.

Select ``options`` are keyed by the logical value: ``"true"``/``"false"`` for
``passed``/``proctoring_flag``, a status (``"completed"``, ...) for ``status``, the
vendor's label for ``level``.

:func:`plan_field_writes` validates a map completely before anything is sent and
raises :class:`FieldMapError` listing every problem with its path.
"""

from __future__ import annotations

import dataclasses
import typing as t
from collections.abc import Mapping

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate
from marshmallow import validates_schema

from mappings.errors import flatten_messages
from mappings.result import ResultStatus

AtsTarget = t.Literal["greenhouse", "workable", "webhook"]
FieldKey = str | int

#: Logical field -> kind of value it holds.
LOGICAL_FIELDS: Mapping[str, str] = {
    "score_percent": "number",
    "score": "number",
    "max_score": "number",
    "passed": "boolean",
    "level": "label",
    "status": "label",
    "report_url": "url",
    "completed_at": "datetime",
    "summary": "text",
    "proctoring_flag": "boolean",
}
#: Target -> ATS field type -> category of wire value.
TARGET_TYPES: Mapping[str, Mapping[str, str]] = {
    "greenhouse": {
        "short_text": "short_text",
        "long_text": "long_text",
        "number": "number",
        "yes_no": "boolean",
        "single_select": "select",
        "date": "date",
        "url": "url",
    },
    "workable": {
        "short_text": "short_text",
        "free_text": "long_text",
        "numeric": "number",
        "boolean": "boolean",
        "dropdown": "select",
        "date": "date",
    },
    "webhook": {
        "string": "long_text",
        "number": "number",
        "boolean": "boolean",
        "date": "date",
        "datetime": "datetime",
        "url": "url",
    },
}
#: Kind of logical value -> categories it can be written as.
COMPATIBLE: Mapping[str, frozenset[str]] = {
    "number": frozenset({"number", "short_text", "long_text"}),
    "boolean": frozenset({"boolean", "select", "short_text", "long_text"}),
    "label": frozenset({"select", "short_text", "long_text"}),
    "url": frozenset({"url", "short_text", "long_text"}),
    "datetime": frozenset({"date", "datetime", "short_text", "long_text"}),
    "text": frozenset({"short_text", "long_text"}),
}
_OPTION_KEYS: Mapping[str, frozenset[str] | None] = {
    "passed": frozenset({"true", "false"}),
    "proctoring_flag": frozenset({"true", "false"}),
    "status": frozenset(status.value for status in ResultStatus),
    "level": None,
}


class FieldMapError(ValueError):
    """An ATS field map that cannot be used; ``messages`` lists every problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("Invalid ATS field map: " + "; ".join(messages))
        self.messages = messages


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    logical: str
    key: FieldKey
    type: str
    category: str
    options: Mapping[str, FieldKey] | None = None
    clear_when_missing: bool = False


@dataclasses.dataclass(frozen=True)
class FieldMap:
    """A validated field map for one target."""

    target: AtsTarget
    fields: tuple[FieldSpec, ...]


class _FieldSpecSchema(Schema):
    class Meta:
        unknown = RAISE

    key = fields.Raw(required=True)
    type = fields.String(required=True)
    options = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=None)
    when_missing = fields.String(validate=validate.OneOf(["skip", "clear"]), load_default="skip")


class FieldMapSchema(Schema):
    class Meta:
        unknown = RAISE

    target = fields.String(required=True, validate=validate.OneOf(sorted(TARGET_TYPES)))
    specs = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(_FieldSpecSchema),
        data_key="fields",
        required=True,
    )

    @validates_schema(skip_on_field_errors=True)
    def check_fields(self, data: dict[str, t.Any], **kwargs: t.Any) -> None:
        target, specs = data["target"], data["specs"]
        problems = {name: _problems(target, name, spec) for name, spec in specs.items()}
        problems = {name: found for name, found in problems.items() if found}
        seen: dict[t.Any, str] = {}
        for name, spec in sorted(specs.items()):
            key = spec["key"]
            if not isinstance(key, str | int):
                continue
            if key in seen:
                problems.setdefault(name, {})["key"] = [f"Already used by {seen[key]!r}."]
            seen.setdefault(key, name)
        if not specs:
            raise ValidationError({"fields": ["Map at least one field."]})
        if problems:
            raise ValidationError({"fields": problems})

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> FieldMap:
        target = data["target"]
        specs = tuple(
            FieldSpec(
                logical=name,
                key=spec["key"],
                type=spec["type"],
                category=TARGET_TYPES[target][spec["type"]],
                options=spec["options"],
                clear_when_missing=spec["when_missing"] == "clear",
            )
            for name, spec in sorted(data["specs"].items())
        )
        return FieldMap(target=target, fields=specs)


def _problems(target: str, name: str, spec: Mapping[str, t.Any]) -> dict[str, list[str]]:
    """Return the problems of one field entry, keyed by the entry's attribute."""
    found: dict[str, list[str]] = {}
    kind = LOGICAL_FIELDS.get(name)
    if kind is None:
        return {
            "_schema": [f"Unknown logical field; expected one of: {', '.join(LOGICAL_FIELDS)}."]
        }
    key_problem = _key_problem(target, spec["key"])
    if key_problem:
        found["key"] = [key_problem]
    category = TARGET_TYPES[target].get(spec["type"])
    if category is None:
        allowed = ", ".join(TARGET_TYPES[target])
        found["type"] = [f"Not a {target} field type; expected one of: {allowed}."]
    elif category not in COMPATIBLE[kind]:
        found["type"] = [f"A {kind} value cannot be written to a {spec['type']} field."]
    option_problem = _options_problem(target, name, category, spec["options"])
    if option_problem:
        found["options"] = [option_problem]
    if spec["when_missing"] == "clear" and target == "workable":
        found["when_missing"] = ["Workable documents no way to clear a custom attribute."]
    return found


def _key_problem(target: str, key: t.Any) -> str | None:
    if isinstance(key, str) and key.strip() and len(key) <= 255:
        return None
    if target == "greenhouse" and type(key) is int and 0 < key < 2**63:
        return None
    if target == "greenhouse":
        return "Must be a field name_key (string) or a field id (positive integer)."
    return "Must be a non-blank string of at most 255 characters."


def _options_problem(
    target: str, name: str, category: str | None, options: Mapping[str, t.Any] | None
) -> str | None:
    if category != "select":
        return None if options is None else "Options apply only to select fields."
    if not options:
        return "A select field needs options mapping each value to an option."
    allowed = _OPTION_KEYS.get(name)
    if allowed is not None and not set(options) <= allowed:
        unknown = sorted(set(options) - allowed)
        return f"Unknown values {unknown}; expected: {', '.join(sorted(allowed))}."
    for value in options.values():
        if isinstance(value, str) and value.strip():
            continue
        if target == "greenhouse" and type(value) is int and value > 0:
            continue
        return f"Option {value!r} is not an option id or name."
    return None


_MAP_SCHEMA = FieldMapSchema()


def plan_field_writes(document: Mapping[str, t.Any]) -> FieldMap:
    """Validate an ATS field map (module docstring format) and return it planned.

    :raises FieldMapError: listing every problem with its path.
    """
    try:
        planned: FieldMap = _MAP_SCHEMA.load(document)
    except ValidationError as error:
        raise FieldMapError(flatten_messages(error.messages)) from error
    return planned
