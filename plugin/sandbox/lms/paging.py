"""``limit``-based paging with an RFC 8288 ``Link: <...>; rel="next"`` header.

AGS 2.0 and NRPS 2.0 both page their containers this way.
"""

from __future__ import annotations

import typing as t
import urllib.parse

from flask import request

from plugin.sandbox.lms.context import url_for_path
from plugin.sandbox.lms.errors import ApiError

if t.TYPE_CHECKING:
    from collections.abc import Sequence

_T = t.TypeVar("_T")


def paginate(items: Sequence[_T]) -> tuple[list[_T], dict[str, str]]:
    """Cut the requested page out of ``items``.

    Reads ``limit`` (page size; all items when absent) and ``page`` (1-based) from the query.

    :return: the page and the headers to send (a ``Link`` with ``rel="next"`` when more remain).
    :raises ApiError: 400 when ``limit`` or ``page`` is not a positive integer.
    """
    limit = _positive_int("limit")
    page = _positive_int("page") or 1
    if limit is None:
        return list(items), {}
    start = (page - 1) * limit
    chunk = list(items[start : start + limit])
    if start + limit >= len(items):
        return chunk, {}
    query = request.args.copy()
    query["page"] = str(page + 1)
    next_url = (
        url_for_path(request.path) + "?" + urllib.parse.urlencode(list(query.items(multi=True)))
    )
    return chunk, {"Link": f'<{next_url}>; rel="next"'}


def _positive_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, "invalid_request", f"{name} must be a positive integer")
    return int(raw)
