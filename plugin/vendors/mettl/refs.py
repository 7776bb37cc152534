"""How the Mettl adapter names attempts and reconciliation positions.

Mettl keys a candidate by e-mail within a schedule ("a unique email Id can only take
a test once in a schedule"), so an attempt's ``vendor_ref`` is
``<schedule access key>/<lower-cased e-mail>``: access keys are alphanumeric, so the
first ``/`` separates the two.

The reconciliation cursor is JSON ``{"v": 1, "keys": [...], "offset": n, "next": url}``:
``keys`` are the schedules still to read (the current one first), ``offset`` the
position in the current one and ``next`` Mettl's pre-signed ``paging.next`` URL for
that position (null when unknown). Mettl has no change feed, so a sweep reads every
schedule and the next sweep starts again; a cursor that cannot be read restarts the
sweep.
"""

from __future__ import annotations

import dataclasses
import json
import typing as t

from plugin.vendors.common import load_cursor

if t.TYPE_CHECKING:
    from typing import Self

CURSOR_VERSION = 1


@dataclasses.dataclass(frozen=True)
class CandidateRef:
    """One candidate of one schedule."""

    access_key: str
    email: str

    def __str__(self) -> str:
        return f"{self.access_key}/{self.email}"

    @classmethod
    def of(cls, access_key: str, email: str) -> Self:
        return cls(access_key.strip(), email.strip().lower())

    @classmethod
    def parse(cls, text: str) -> Self:
        """:raises ValueError: not ``<access key>/<e-mail>``."""
        access_key, _, email = text.partition("/")
        if not access_key or "@" not in email:
            raise ValueError(f"not a Mettl attempt reference (<access key>/<e-mail>): {text!r}")
        return cls.of(access_key, email)


@dataclasses.dataclass(frozen=True)
class SweepCursor:
    """Where a reconciliation sweep over all schedules stands."""

    keys: tuple[str, ...]
    offset: int = 0
    next_url: str | None = None

    def dump(self) -> str:
        data = {
            "v": CURSOR_VERSION,
            "keys": list(self.keys),
            "offset": self.offset,
            "next": self.next_url,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> Self | None:
        """The cursor, or None when ``text`` is not a cursor of this version."""
        data = load_cursor(text, CURSOR_VERSION)
        if data is None:
            return None
        keys, offset, next_url = data.get("keys"), data.get("offset"), data.get("next")
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            return None
        if not isinstance(offset, int) or offset < 0:
            return None
        if next_url is not None and not isinstance(next_url, str):
            return None
        return cls(tuple(keys), offset, next_url)

    def advanced(self, count: int, next_url: str | None) -> SweepCursor | None:
        """The cursor after a page of ``count`` items; None when the sweep is over."""
        if next_url:
            return SweepCursor(self.keys, self.offset + count, next_url)
        if len(self.keys) > 1:
            return SweepCursor(self.keys[1:])
        return None
