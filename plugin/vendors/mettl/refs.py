"""How the Mettl adapter names attempts.

Mettl keys a candidate by e-mail within a schedule ("a unique email Id can only take
a test once in a schedule"), so an attempt's ``vendor_ref`` is
``<schedule access key>/<lower-cased e-mail>``: access keys are alphanumeric, so the
first ``/`` separates the two (``docs/vendors/mettl.md#starting-an-attempt``). The
reconciliation cursor is in :mod:`plugin.vendors.mettl.cursor`.
"""

from __future__ import annotations

import dataclasses
import typing as t

if t.TYPE_CHECKING:
    from typing import Self


@dataclasses.dataclass(frozen=True)
class ScheduleCandidate:
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
