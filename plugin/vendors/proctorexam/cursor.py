"""The reconciliation cursor of a ProctorExam connection.

ProctorExam has no change feed, so reconciliation sweeps the finished student
sessions of every exam, exam by exam and page by page, asking only for sessions
updated since the previous sweep (``filter={"updated_at":{"gte":...}}``, sorted by
``updated_at``). The cursor is JSON text:

- between sweeps: ``{"updatedSince": "<ProctorExam timestamp>" | null}``;
- during a sweep: ``{"updatedSince": ..., "latestSeen": ..., "exams": [ids still to
  visit], "page": <next page of the first of them>}``.

``updatedSince`` is always a timestamp ProctorExam itself returned (the latest
``updated_at`` seen), never our clock. A page beyond the end (sessions moved while
paging) is empty and simply ends that exam; a vanished exam is skipped
(``docs/vendors/proctorexam.md#reconciliation``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from plugin.vendors.cursor import VendorCursor
from plugin.vendors.cursor import json_object
from plugin.vendors.cursor import json_text
from plugin.vendors.errors import CursorError

if t.TYPE_CHECKING:
    from typing import Self


@dataclasses.dataclass(frozen=True)
class SweepCursor(VendorCursor):
    """``exams`` is None between sweeps, else the exams still to visit."""

    updated_since: str | None = None
    latest_seen: str | None = None
    exams: tuple[int | str, ...] | None = None
    page: int = 1

    @classmethod
    def decode(cls, text: str | None) -> Self:
        """:raises CursorError: the text is not a ProctorExam cursor."""
        if text is None:
            return cls()
        data = json_object(text, vendor="ProctorExam")
        if not set(data) <= _KEYS:
            raise CursorError("not a ProctorExam reconciliation cursor")
        try:
            return cls(
                updated_since=_optional_text(data.get("updatedSince")),
                latest_seen=_optional_text(data.get("latestSeen")),
                exams=None if data.get("exams") is None else tuple(data["exams"]),
                page=int(data.get("page", 1)),
            )
        except (ValueError, TypeError) as exc:
            raise CursorError("not a ProctorExam reconciliation cursor") from exc

    def encode(self) -> str:
        data: dict[str, t.Any] = {"updatedSince": self.updated_since}
        if self.exams is not None:
            data |= {"latestSeen": self.latest_seen, "exams": list(self.exams), "page": self.page}
        return json_text(data)

    def begin(self, exams: tuple[int | str, ...]) -> SweepCursor:
        return SweepCursor(self.updated_since, self.updated_since, exams, 1)

    def seen(self, stamps: t.Iterable[str]) -> SweepCursor:
        """The cursor with the latest of ``stamps`` remembered."""
        latest = self.latest_seen
        for stamp in stamps:
            if latest is None or _moment(stamp) > _moment(latest):
                latest = stamp
        return dataclasses.replace(self, latest_seen=latest)

    def next_page(self) -> SweepCursor:
        return dataclasses.replace(self, page=self.page + 1)

    def next_exam(self) -> SweepCursor:
        return dataclasses.replace(self, exams=(self.exams or ())[1:], page=1)

    def finish(self) -> SweepCursor:
        """The cursor of the next sweep."""
        return SweepCursor(self.latest_seen or self.updated_since)


_KEYS = frozenset({"updatedSince", "latestSeen", "exams", "page"})


def _optional_text(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(value)
    return value


def _moment(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
