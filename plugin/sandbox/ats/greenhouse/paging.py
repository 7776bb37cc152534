"""Harvest v3 cursor paging: a ``Link`` header with ``rel="next"`` only.

The first request carries the filters and ``per_page`` (1..500); the next page is
asked for with the opaque ``cursor`` of the link as the *only* query parameter, as
v3 requires. A cursor remembers the list, its filters, the page size and the last id
shown; the simulator refuses one it did not issue, or one with other parameters.
"""

from __future__ import annotations

import base64
import binascii
import json
import typing as t

from flask import request

from plugin.sandbox.ats.greenhouse.errors import ApiError

if t.TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Sequence

MAX_PER_PAGE = 500


class PageRequest(t.NamedTuple):
    """What a list request asks for: its filters, page size and the last id already shown."""

    filters: dict[str, str]
    per_page: int
    after: int


def page_request(list_name: str, allowed: Collection[str], default_size: int) -> PageRequest:
    """Read the query of a list request (first page or ``cursor``).

    :raises ApiError: 422 for unknown parameters, a bad ``per_page`` or cursor, or a
        cursor sent with other parameters.
    """
    args = request.args.to_dict()
    if "cursor" in args:
        if len(request.args.getlist("cursor")) != 1 or len(args) != 1:
            raise ApiError(422, "cursor must be the only query parameter")
        return _decode(args["cursor"], list_name)
    unknown = sorted(set(args) - {*allowed, "per_page"})
    if unknown:
        raise ApiError(422, f"Unknown query parameter(s): {', '.join(unknown)}")
    size = args.pop("per_page", str(default_size))
    if not size.isdigit() or not 1 <= int(size) <= MAX_PER_PAGE:
        raise ApiError(422, f"per_page must be an integer from 1 to {MAX_PER_PAGE}")
    return PageRequest(args, int(size), 0)


def page_of(
    items: Sequence[tuple[int, t.Any]], asked: PageRequest, list_name: str
) -> tuple[list[t.Any], dict[str, str]]:
    """The page of ``(id, document)`` pairs (sorted by id) and its ``Link`` header."""
    rest = [(item_id, doc) for item_id, doc in items if item_id > asked.after]
    page = rest[: asked.per_page]
    headers: dict[str, str] = {}
    if len(rest) > len(page):
        cursor = _encode(list_name, asked._replace(after=page[-1][0]))
        headers["Link"] = f'<{request.base_url}?cursor={cursor}>; rel="next"'
    return [doc for _, doc in page], headers


def _encode(list_name: str, asked: PageRequest) -> str:
    data = {
        "list": list_name,
        "filters": asked.filters,
        "size": asked.per_page,
        "after": asked.after,
    }
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode(cursor: str, list_name: str) -> PageRequest:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if data["list"] != list_name:
            raise ValueError("cursor of another list")
        return PageRequest(dict(data["filters"]), int(data["size"]), int(data["after"]))
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise ApiError(422, "Invalid cursor") from None
