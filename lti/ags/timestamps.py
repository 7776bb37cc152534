"""Strictly increasing score timestamps per (line item, user).

A platform refuses a score whose ``timestamp`` is not after the last one it stored for that
user and line item (AGS 2.0 section 3.4.5).  Two results finished in the same millisecond,
or a retry of a score the platform may already have stored, would then be refused.  So the
last timestamp sent is remembered (in milliseconds, before the request goes out) and a score
that is not later is sent 1 ms after it.

Deliveries for one (line item, user) are sent one at a time by the outbox, so a read and
write of the remembered value needs only a per-process lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import typing as t

if t.TYPE_CHECKING:
    from lti.interfaces import SharedStore

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)
DEFAULT_MEMORY_SECONDS = 400 * 24 * 3600


def parse_timestamp(value: str) -> dt.datetime:
    """Read an ISO 8601 score timestamp; it must carry a UTC offset.

    :raises ValueError: for anything else.
    """
    moment = dt.datetime.fromisoformat(value)
    if moment.utcoffset() is None:
        raise ValueError("a score timestamp needs a UTC offset")
    return moment


def format_timestamp(moment: dt.datetime) -> str:
    """``2024-05-01T10:00:00.123+00:00``: UTC with milliseconds, as AGS platforms expect."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


class ScoreClock:
    """Hands out the timestamp to send for each score.

    :param store: shared by every worker delivering to the same platforms.
    :param memory_seconds: how long the last timestamp per (line item, user) is remembered.
    """

    def __init__(self, store: SharedStore, *, memory_seconds: int = DEFAULT_MEMORY_SECONDS) -> None:
        self._store = store
        self._memory = memory_seconds
        self._lock = threading.Lock()

    def next_timestamp(self, line_item_url: str, user_id: str, wanted: dt.datetime) -> dt.datetime:
        """Return ``wanted`` (to the millisecond) or 1 ms past the last one sent, and remember it.

        :param wanted: the score's own time (aware).
        """
        key = _key(line_item_url, user_id)
        wanted_ms = (wanted - _EPOCH) // _MS
        with self._lock:
            last = self._store.get(key)
            send_ms = wanted_ms if last is None or wanted_ms > int(last) else int(last) + 1
            self._store.put(key, send_ms, self._memory)
        return _EPOCH + send_ms * _MS


def _key(line_item_url: str, user_id: str) -> str:
    digest = hashlib.sha256(f"{line_item_url}\0{user_id}".encode()).hexdigest()
    return "lti:score-ts:" + digest
