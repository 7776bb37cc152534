"""Readable validation messages."""

from __future__ import annotations

import typing as t

from marshmallow.exceptions import SCHEMA


def flatten_messages(messages: t.Any, path: str = "") -> list[str]:
    """Flatten marshmallow's nested error messages into ``"a.0.b: message"`` lines.

    Schema-level messages (key ``_schema``) are reported on the enclosing path.
    """
    if isinstance(messages, dict):
        lines: list[str] = []
        for key, value in messages.items():
            child = path if key == SCHEMA else f"{path}.{key}" if path else str(key)
            lines.extend(flatten_messages(value, child))
        return lines
    if isinstance(messages, list | tuple):
        return [line for item in messages for line in flatten_messages(item, path)]
    return [f"{path or '(payload)'}: {messages}"]
