"""The reconciliation cursor of ExamSpark: where a pass over the sessions list stands.

Format: the JSON text ``{"v": 1, "nextToken": "<the vendor's nextToken>"}``.  No cursor
(None, or empty text) means "from the first page".  The adapter reads an unreadable
cursor, or one of another version, as "from the first page" too: listing only
triggers re-fetches, so starting over is always safe
(``docs/vendors/examspark.md#reconciliation``).
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
class PageCursor(VendorCursor):
    """The vendor page token to continue from; None starts a new pass."""

    next_token: str | None = None

    @classmethod
    def decode(cls, text: str | None) -> Self:
        """:raises CursorError: not an ExamSpark cursor of this version, or no token."""
        if not text:
            return cls()
        token = json_object(text, vendor="ExamSpark", version=VERSION).get("nextToken")
        if not isinstance(token, str) or not token:
            raise CursorError("not an ExamSpark reconciliation cursor")
        return cls(token)

    def encode(self) -> str:
        return json_text({"v": VERSION, "nextToken": self.next_token})
