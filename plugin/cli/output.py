"""Printing data for people (aligned columns) or machines (``--json``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import typing as t

import click

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def to_jsonable(value: t.Any) -> t.Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def print_json(value: t.Any) -> None:
    click.echo(json.dumps(to_jsonable(value), indent=2, sort_keys=True))


def print_table(headers: t.Sequence[str], rows: t.Sequence[t.Sequence[t.Any]]) -> None:
    cells = [[str(h) for h in headers]] + [
        ["" if c is None else str(c) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
