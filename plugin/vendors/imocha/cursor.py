"""The reconciliation cursor of an iMocha connection.

"Retrieve Invites" is read for the completed, cancelled and expired states over a
sliding window. The cursor is the JSON text ``{"v": 1, "from": t0, "until": t1 |
null, "state": i}`` (Unix seconds): the window being read and the index of the
state read next. A sweep reads the three states of one window (three pages); the
next sweep starts ``reconcile_window_hours`` before the previous window's end and
runs to now. ``from`` null (or no cursor) means the last ``reconcile_window_hours``
before now (``docs/vendors/imocha.md#reconciliation``).
"""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.vendors.cursor import VendorCursor
from plugin.vendors.cursor import json_object
from plugin.vendors.cursor import json_text
from plugin.vendors.errors import CursorError
from plugin.vendors.imocha.client import ATTEMPT_STATES

if t.TYPE_CHECKING:
    from typing import Self

VERSION = 1


@dataclasses.dataclass(frozen=True)
class WindowCursor(VendorCursor):
    """The window ``start``..``end`` (None: not yet fixed) and the state read next."""

    start: int | None = None
    end: int | None = None
    state: int = 0

    @classmethod
    def decode(cls, text: str | None) -> Self:
        """:raises CursorError: not an iMocha cursor of this version."""
        if not text:
            return cls()
        data = json_object(text, vendor="iMocha", version=VERSION)
        start, end, state = data.get("from"), data.get("until"), data.get("state")
        if not (start is None or _whole(start)) or not (end is None or _whole(end)):
            raise CursorError("not an iMocha reconciliation cursor")
        if not _whole(state) or not 0 <= state < len(ATTEMPT_STATES):
            raise CursorError("not an iMocha reconciliation cursor")
        return cls(start, end, state)

    def encode(self) -> str:
        return json_text({"v": VERSION, "from": self.start, "until": self.end, "state": self.state})


def _whole(value: t.Any) -> t.TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
