"""Shared helpers for the mappings tests: recorded samples and JSON surgery."""

from __future__ import annotations

import copy
import json
import typing as t
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> t.Any:
    """Load ``samples/<name>.json``."""
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def merged(base: t.Any, extra: t.Any) -> t.Any:
    """Deep-merge ``extra`` into a copy of ``base``; lists merge item by item.

    This is how the Mettl seed describes its ``ir``/``qr`` fragments: parameters sent
    "in addition to the base response".
    """
    if isinstance(base, dict) and isinstance(extra, dict):
        out = copy.deepcopy(base)
        for key, value in extra.items():
            out[key] = merged(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(extra, list):
        out_list = [merged(b, e) for b, e in zip(base, extra, strict=False)]
        return out_list + copy.deepcopy(base[len(extra) :] or extra[len(base) :])
    return copy.deepcopy(extra)


def reordered(value: t.Any) -> t.Any:
    """Return ``value`` with the keys of every JSON object in reverse order."""
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


def with_changes(value: t.Any, **changes: t.Any) -> t.Any:
    """Copy of a JSON object with keys replaced (``None`` values kept as null)."""
    out = copy.deepcopy(value)
    out.update(changes)
    return out


def without(value: dict[str, t.Any], *keys: str) -> dict[str, t.Any]:
    """Copy of a JSON object without ``keys``."""
    return {key: copy.deepcopy(item) for key, item in value.items() if key not in keys}
