"""The reconciliation cursor of a StartExam connection.

The cursor is the JSON text ``{"modifiedSince": "<UTC ISO 8601>"}`` or, while a
listing is being paged, ``{"modifiedSince": "...", "continuationToken": "..."}``.
``modifiedSince`` is always a value StartExam returned as ``modifiedUntil`` (or
the historical start), never our own clock, as
https://api.startexam.com/Methods/GetSessions asks; keeping it beside the token
lets a refused (used or expired) token restart the same listing
(``docs/vendors/startexam.md#reconciliation``).
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

#: "First time use some historical constant modifiedSince" (GetSessions).
HISTORY_START = "2000-01-01T00:00:00Z"


@dataclasses.dataclass(frozen=True)
class SessionsCursor(VendorCursor):
    modified_since: str = HISTORY_START
    continuation_token: str | None = None

    @classmethod
    def decode(cls, text: str | None) -> Self:
        """Read a stored cursor; ``None`` starts from :data:`HISTORY_START`.

        :raises CursorError: the text is not a StartExam cursor.
        """
        if text is None:
            return cls()
        data = json_object(text, vendor="StartExam")
        since, token = data.get("modifiedSince"), data.get("continuationToken")
        if not isinstance(since, str) or not isinstance(token, str | None):
            raise CursorError("not a StartExam reconciliation cursor")
        return cls(since, token)

    def encode(self) -> str:
        data = {"modifiedSince": self.modified_since}
        if self.continuation_token:
            data["continuationToken"] = self.continuation_token
        return json_text(data)
