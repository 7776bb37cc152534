"""Paging, ``status``, ``filter`` and ``sort`` of the index endpoints
(``docs/vendors/proctorexam.md#endpoints-we-call``).

``filter={"col":{"op":"value"}}`` and ``sort=[{"col":"asc"}]`` are JSON text in the
query; ``page`` starts at 1 and ``limit`` is 1..300 (default 300). The answer
carries the ``X-Pagination-*`` headers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
import typing as t

from plugin.sandbox.vendors.proctorexam.errors import invalid

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

MAX_LIMIT = 300
OPERATORS: dict[str, Callable[[t.Any, t.Any], bool]] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
DATE_COLUMNS = frozenset({"created_at", "updated_at", "start_time", "end_time"})
COLUMNS = DATE_COLUMNS | {"id", "status", "email", "name"}

Row = dict[str, t.Any]


def paging(params: dict[str, t.Any]) -> tuple[int, int]:
    page, limit = params.get("page", "1"), params.get("limit", str(MAX_LIMIT))
    for name, value in (("page", page), ("limit", limit)):
        if not str(value).isdigit():
            raise invalid(name, value, "Must be a number.")
    if int(page) < 1:
        raise invalid("page", page, "Must be 1 or more.")
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise invalid("limit", limit, f"Must be between 1 and {MAX_LIMIT}.")
    return int(page), int(limit)


def one_of(params: dict[str, t.Any], name: str, allowed: frozenset[str]) -> str | None:
    value = params.get(name)
    if value is not None and value not in allowed:
        raise invalid(name, value, f"Must be one of {','.join(sorted(allowed))}.")
    return t.cast("str | None", value)


def apply_filter(rows: list[Row], text: str | None) -> list[Row]:
    if text is None:
        return rows
    spec = _json(text, "filter")
    if not isinstance(spec, dict):
        raise invalid("filter", text, "Must be a JSON object.")
    for column, condition in spec.items():
        if column not in COLUMNS or not isinstance(condition, dict):
            raise invalid("filter", text, f"Cannot filter on {column}.")
        for op, wanted in condition.items():
            if op not in OPERATORS:
                raise invalid("filter", text, f"Unknown operator {op}.")
            target = _value(column, wanted, text)
            rows = [row for row in rows if _holds(row, column, OPERATORS[op], target, text)]
    return rows


def apply_sort(rows: list[Row], text: str | None) -> list[Row]:
    rows = sorted(rows, key=lambda row: row["id"])
    if text is None:
        return rows
    spec = _json(text, "sort")
    if not isinstance(spec, list):
        raise invalid("sort", text, "Must be a JSON list.")
    for item in reversed(spec):
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid("sort", text, 'Each item must look like {"column":"asc"}.')
        ((column, direction),) = item.items()
        if column not in COLUMNS or direction not in ("asc", "desc"):
            raise invalid("sort", text, f"Cannot sort on {column} {direction}.")
        rows.sort(key=_sort_key(column), reverse=direction == "desc")
    return rows


def page_of(rows: Sequence[Row], page: int, limit: int) -> tuple[list[Row], dict[str, str]]:
    """The rows of one page and the ``X-Pagination-*`` headers."""
    headers = {
        "X-Pagination-Item-Count": str(len(rows)),
        "X-Pagination-Page-Count": str(math.ceil(len(rows) / limit)),
        "X-Pagination-Page": str(page),
        "X-Pagination-Limit": str(limit),
    }
    return list(rows[(page - 1) * limit : page * limit]), headers


def _json(text: str, name: str) -> t.Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise invalid(name, text, "Must be JSON.") from exc


def _value(column: str, value: t.Any, text: str) -> t.Any:
    if column not in DATE_COLUMNS:
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise invalid("filter", text, f"{column} needs an ISO 8601 time.") from exc


def _holds(
    row: Row, column: str, compare: Callable[[t.Any, t.Any], bool], target: t.Any, text: str
) -> bool:
    if row.get(column) is None:
        return False
    return compare(_value(column, row[column], text), target)


def _sort_key(column: str) -> Callable[[Row], tuple[bool, t.Any]]:
    """Order by ``column``, empty values last."""

    def key(row: Row) -> tuple[bool, t.Any]:
        value = row.get(column)
        if value is None:
            return (True, "")
        return (False, dt.datetime.fromisoformat(value) if column in DATE_COLUMNS else value)

    return key
