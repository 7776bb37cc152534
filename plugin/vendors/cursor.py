"""The one shape of a reconciliation cursor.

:meth:`plugin.vendors.base.VendorAdapter.list_changes` hands out an opaque cursor
string and the sync stores it (``sync_cursors``) until the next page is asked for.
Each vendor package has a ``cursor.py`` with one frozen dataclass subclassing
:class:`VendorCursor`: the position in that vendor's listing, written with
:meth:`~VendorCursor.encode` and read back with :meth:`~VendorCursor.decode`.

A stored cursor outlives a release, so a vendor's text format never changes
without a decoder for the old one; the unit tests keep a cursor string of each
format and check that it still decodes to the same position.
"""

from __future__ import annotations

import abc
import json
import typing as t

from plugin.vendors.errors import CursorError

if t.TYPE_CHECKING:
    from typing import Self


class VendorCursor(abc.ABC):
    """Where a vendor's reconciliation listing stands."""

    @abc.abstractmethod
    def encode(self) -> str:
        """The text to store; :meth:`decode` reads it back to an equal cursor."""

    @classmethod
    @abc.abstractmethod
    def decode(cls, text: str | None) -> Self:
        """The cursor a stored text denotes; ``None`` (nothing stored) is the start.

        :raises CursorError: the text is not a cursor of this vendor.
        """


def json_object(text: str, *, vendor: str, version: int | None = None) -> dict[str, t.Any]:
    """The JSON object of a stored cursor, whose ``"v"`` is ``version`` when given.

    :param vendor: the vendor's display name, used in the message.
    :raises CursorError: not a JSON object (of that version).
    """
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or (version is not None and data.get("v") != version):
        raise CursorError(f"not a {vendor} reconciliation cursor")
    return data


def json_text(data: t.Mapping[str, t.Any]) -> str:
    """Compact JSON, the text format of every cursor."""
    return json.dumps(data, separators=(",", ":"))
