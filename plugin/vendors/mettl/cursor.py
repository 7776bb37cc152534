"""The reconciliation cursor of a Mettl connection.

The cursor is the JSON text ``{"v": 1, "keys": [...], "offset": n, "next": url}``:
``keys`` are the schedules still to read (the current one first), ``offset`` the
position in the current one and ``next`` Mettl's pre-signed ``paging.next`` URL for
that position (null when unknown). Mettl has no change feed, so a sweep reads every
schedule and the next sweep starts again; no keys (or no cursor) means a sweep that
has not begun, and the adapter restarts the sweep on a cursor it cannot read
(``docs/vendors/mettl.md#reconciliation``).
"""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.vendors.cursor import VendorCursor
from plugin.vendors.cursor import json_object
from plugin.vendors.cursor import json_text
from plugin.vendors.errors import CursorError

if t.TYPE_CHECKING:
    from typing import Self

VERSION = 1


@dataclasses.dataclass(frozen=True)
class SweepCursor(VendorCursor):
    """Where a reconciliation sweep over all schedules stands."""

    keys: tuple[str, ...] = ()
    offset: int = 0
    next_url: str | None = None

    @classmethod
    def decode(cls, text: str | None) -> Self:
        """:raises CursorError: not a Mettl cursor of this version."""
        if not text:
            return cls()
        data = json_object(text, vendor="Mettl", version=VERSION)
        keys, offset, next_url = data.get("keys"), data.get("offset"), data.get("next")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise CursorError("not a Mettl reconciliation cursor")
        if not isinstance(offset, int) or offset < 0:
            raise CursorError("not a Mettl reconciliation cursor")
        if next_url is not None and not isinstance(next_url, str):
            raise CursorError("not a Mettl reconciliation cursor")
        return cls(tuple(keys), offset, next_url)

    def encode(self) -> str:
        return json_text(
            {"v": VERSION, "keys": list(self.keys), "offset": self.offset, "next": self.next_url}
        )

    def advanced(self, count: int, next_url: str | None) -> SweepCursor | None:
        """The cursor after a page of ``count`` items; None when the sweep is over."""
        if next_url:
            return SweepCursor(self.keys, self.offset + count, next_url)
        if len(self.keys) > 1:
            return SweepCursor(self.keys[1:])
        return None
