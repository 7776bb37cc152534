"""Candidate custom field definitions as Greenhouse lists them, and a short-lived cache.

An element of ``GET /v3/custom_fields?field_type=candidate``
(``docs/ats/greenhouse.md#field-definitions``) has ``id``, ``name``, ``name_key`` (the
immutable key maps use), ``value_type``, ``active`` (``false`` once soft-deleted) and, for
select types, ``custom_field_options`` (``{id, name}``).
"""

from __future__ import annotations

import dataclasses
import threading
import time
import typing as t

from plugin.ats.base import AtsFieldDefinition

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable

    from mappings.ats_map import FieldKey

#: How long definitions are reused before they are read again.
CACHE_SECONDS = 300.0


@dataclasses.dataclass(frozen=True)
class GreenhouseField:
    """One candidate custom field."""

    id: int
    name: str
    name_key: str | None
    value_type: str
    active: bool
    options: tuple[tuple[int, str], ...] = ()

    def definition(self) -> AtsFieldDefinition:
        """The field as the sink protocol describes fields (keyed by ``name_key``)."""
        return AtsFieldDefinition(
            key=self.name_key or self.id,
            label=self.name,
            type=self.value_type,
            options=self.options,
            active=self.active,
            id=self.id,
        )


class FieldIndex:
    """Definitions found by field id (an ``int`` key) or ``name_key`` (a ``str`` key)."""

    def __init__(self, fields: Iterable[GreenhouseField]) -> None:
        self.fields = tuple(fields)
        self._by_id = {field.id: field for field in self.fields}
        self._by_key = {field.name_key: field for field in self.fields if field.name_key}

    def find(self, key: FieldKey) -> GreenhouseField | None:
        return self._by_id.get(key) if isinstance(key, int) else self._by_key.get(key)


def parse_field(item: t.Any) -> GreenhouseField | None:
    """The definition in one listed element; ``None`` when it is not one."""
    if not isinstance(item, dict) or type(item.get("id")) is not int:
        return None
    options = tuple(
        (option["id"], str(option.get("name", "")))
        for option in item.get("custom_field_options") or ()
        if isinstance(option, dict) and type(option.get("id")) is int
    )
    name_key = item.get("name_key")
    return GreenhouseField(
        id=item["id"],
        name=str(item.get("name") or name_key or item["id"]),
        name_key=name_key if isinstance(name_key, str) and name_key else None,
        value_type=str(item.get("value_type", "")),
        active=item.get("active") is not False,
        options=options,
    )


class FieldCache:
    """The definitions of one sink, read at most once per :data:`CACHE_SECONDS`.

    :param fetch: reads every definition from Greenhouse.
    :param clock: monotonic seconds source.
    """

    def __init__(
        self,
        fetch: Callable[[], list[GreenhouseField]],
        *,
        ttl_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._index: FieldIndex | None = None
        self._read_at = 0.0

    def get(self) -> FieldIndex:
        """The cached definitions, read again once they are older than the TTL."""
        with self._lock:
            if self._index is not None and self._clock() - self._read_at < self._ttl:
                return self._index
            return self._load()

    def refresh(self) -> FieldIndex:
        """Read the definitions now (after Greenhouse refused one of them)."""
        with self._lock:
            return self._load()

    def _load(self) -> FieldIndex:
        index = FieldIndex(self._fetch())
        self._index, self._read_at = index, self._clock()
        return index
