"""The reconciliation cursor of a StartExam connection.

The cursor is the JSON text ``{"modifiedSince": "<UTC ISO 8601>"}`` or, while a
listing is being paged, ``{"modifiedSince": "...", "continuationToken": "..."}``.
``modifiedSince`` is always a value StartExam returned as ``modifiedUntil`` (or
the historical start), never our own clock, as
https://api.startexam.com/Methods/GetSessions asks; keeping it beside the token
lets a refused (used or expired) token restart the same listing.
"""

from __future__ import annotations

import dataclasses
import json


@dataclasses.dataclass(frozen=True)
class SessionsCursor:
    modified_since: str
    continuation_token: str | None = None

    @classmethod
    def parse(cls, text: str | None, *, start: str) -> SessionsCursor:
        """Read a stored cursor; ``None`` starts from ``start``.

        :raises ValueError: the text is not a StartExam cursor.
        """
        if text is None:
            return cls(start)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError("not a StartExam reconciliation cursor") from exc
        since = data.get("modifiedSince") if isinstance(data, dict) else None
        token = data.get("continuationToken") if isinstance(data, dict) else None
        if not isinstance(since, str) or not isinstance(token, str | None):
            raise ValueError("not a StartExam reconciliation cursor")
        return cls(since, token)

    def dump(self) -> str:
        data = {"modifiedSince": self.modified_since}
        if self.continuation_token:
            data["continuationToken"] = self.continuation_token
        return json.dumps(data, separators=(",", ":"))
