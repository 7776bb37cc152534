"""Which writes become custom field values and which go into the fallback note.

A write whose field Greenhouse does not define, or has soft-deleted, cannot be
written (Greenhouse answers 422); its value goes into one note on the candidate's
activity feed instead, one ``Assessment result: <label>: <value>`` line per write, so
the result is still visible to recruiters.
"""

from __future__ import annotations

import dataclasses
import decimal
import typing as t

from mappings.canonical_fields import plain_number

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    from mappings.ats import FieldWrite
    from plugin.ats.greenhouse.fields import FieldIndex
    from plugin.ats.greenhouse.fields import GreenhouseField

NOTE_PREFIX = "Assessment result"


@dataclasses.dataclass(frozen=True)
class NotedWrite:
    """A write that goes into the note, with its field when Greenhouse has one."""

    write: FieldWrite
    field: GreenhouseField | None

    @property
    def reason(self) -> str:
        state = "missing" if self.field is None else "inactive"
        return f"field {self.write.key} is {state}"

    def line(self) -> str:
        label = self.field.name if self.field else self.write.field.replace("_", " ").capitalize()
        return f"{NOTE_PREFIX}: {label}: {self._value_text()}"

    def _value_text(self) -> str:
        value = self.write.value
        if self.write.clear or value is None:
            return "no value"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int) and self.field is not None:
            return dict(self.field.options).get(value, str(value))
        if isinstance(value, float):
            return plain_number(decimal.Decimal(repr(value)))
        return str(value)


@dataclasses.dataclass(frozen=True)
class WritePlan:
    """The writes of one delivery, split by where they go."""

    fields: tuple[FieldWrite, ...]
    noted: tuple[NotedWrite, ...]

    def note_body(self) -> str | None:
        """The note text, ``None`` when every write is a field value."""
        return "\n".join(noted.line() for noted in self.noted) or None

    def detail(self) -> str:
        """The receipt line, e.g. ``2 fields written, 1 as a note (field x is missing)``."""
        count = len(self.fields)
        text = f"{count} field{'' if count == 1 else 's'} written"
        if self.noted:
            reasons = ", ".join(noted.reason for noted in self.noted)
            text += f", {len(self.noted)} as a note ({reasons})"
        return text


def plan_writes(writes: Sequence[FieldWrite], index: FieldIndex) -> WritePlan:
    """Split ``writes``: active fields are written, the rest noted."""
    fields: list[FieldWrite] = []
    noted: list[NotedWrite] = []
    for write in writes:
        field = index.find(write.key)
        if field is not None and field.active:
            fields.append(write)
        else:
            noted.append(NotedWrite(write, field))
    return WritePlan(tuple(fields), tuple(noted))
