"""A field map checked against the fields the ATS itself defines (``ats fields --map``).

:func:`mappings.ats_map.plan_field_writes` knows only the map: a ``short_text`` write of a
score is a valid map even when the ATS field is a number, and every write would then be
refused (422) delivery after delivery. Here each mapped field is looked up in the ATS's
definitions (:meth:`plugin.ats.base.AtsSink.list_fields`) and the map is refused when
the field does not exist or is inactive, its type is not the one mapped, or a select
option is not one of the field's options.

The map's types for Greenhouse and Workable are the ATS's own type names
(``mappings/ats_map.py`` ``TARGET_TYPES``), so a match is equality of the names. The
webhook defines no fields and is not checked.
"""

from __future__ import annotations

import typing as t

from mappings.ats_map import COMPATIBLE
from mappings.ats_map import LOGICAL_FIELDS
from mappings.ats_map import TARGET_TYPES

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    from mappings.ats_map import FieldKey
    from mappings.ats_map import FieldMap
    from mappings.ats_map import FieldSpec
    from plugin.ats.base import AtsFieldDefinition

#: Targets whose sinks list definitions a map can be checked against.
CHECKED_TARGETS = frozenset({"greenhouse", "workable"})


def contradictions(plan: FieldMap, definitions: Sequence[AtsFieldDefinition]) -> list[str]:
    """One message per mapped field the ATS's definitions contradict (empty: the map fits)."""
    if plan.target not in CHECKED_TARGETS:
        return []
    found: list[str] = []
    for spec in plan.fields:
        definition = _find(definitions, spec.key)
        problem = (
            _missing(plan.target, spec)
            if definition is None
            else _type_problem(plan.target, spec, definition)
            or _options_problem(plan.target, spec, definition)
        )
        if problem:
            found.append(problem)
    return found


def _find(definitions: Sequence[AtsFieldDefinition], key: FieldKey) -> AtsFieldDefinition | None:
    for definition in definitions:
        if isinstance(key, int) and definition.id == key:
            return definition
        if definition.key == key:
            return definition
    return None


def _missing(target: str, spec: FieldSpec) -> str:
    return (
        f"{target} has no field {spec.key!r} (for {spec.logical}); "
        f"see `assessment-bridge ats fields NAME` for the keys"
    )


def _type_problem(target: str, spec: FieldSpec, definition: AtsFieldDefinition) -> str | None:
    name = f"{target} field {spec.key!r}"
    if not definition.active:
        return f"{name} is inactive in {target}; it cannot receive {spec.logical}"
    if definition.type == spec.type:
        return None
    text = f"{name} is {definition.type}; it cannot be mapped as {spec.type}"
    category = TARGET_TYPES[target].get(definition.type)
    if category is None:
        return f"{text}: no map type writes a {definition.type} field"
    if category not in COMPATIBLE[LOGICAL_FIELDS[spec.logical]]:
        return f"{text}: {spec.logical} cannot be written to a {definition.type} field"
    return f"{text}: map it as {definition.type} (mappings/ats_map.py types)"


def _options_problem(target: str, spec: FieldSpec, definition: AtsFieldDefinition) -> str | None:
    if spec.category != "select" or not spec.options:
        return None
    ids = {option_id for option_id, _ in definition.options}
    names = {name for _, name in definition.options}
    # Greenhouse takes an option id or an exact option name; Workable a choice id.
    unknown = [
        value
        for value in spec.options.values()
        if value not in ids and not (target == "greenhouse" and value in names)
    ]
    if not unknown:
        return None
    listed = ", ".join(f"{option_id}={name}" for option_id, name in definition.options) or "none"
    return (
        f"{target} field {spec.key!r} has no option {', '.join(map(repr, unknown))} "
        f"(for {spec.logical}); its options are: {listed}"
    )
