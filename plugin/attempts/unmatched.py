"""Signals that name no attempt we know: counted on their connection, never stored.

A vendor that signals for attempts made elsewhere (another tool on the same account), or
someone who holds a connection's callback URL, could otherwise add a row per request
without limit.  The count (``vendor_connections.unmatched_signals``) is one atomic
``UPDATE`` per signal; ``sync status`` and ``/metrics`` show it, and the log says so at
most once a minute per connection and process (:class:`UnmatchedLog`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
import typing as t

from sqlalchemy import select
from sqlalchemy import update

from plugin.store.models import VendorConnection
from plugin.store.models import utcnow

if t.TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker

    from plugin.vendors.base import CompletionSignal

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class UnmatchedCount:
    """How many signals a vendor connection sent that named no attempt we know."""

    connection_id: int
    name: str
    kind: str
    count: int
    last_at: dt.datetime | None


def unmatched_counts(sessions: sessionmaker[Session]) -> list[UnmatchedCount]:
    """Every vendor connection's count, by name."""
    with sessions() as session:
        rows = session.execute(
            select(
                VendorConnection.id,
                VendorConnection.name,
                VendorConnection.kind,
                VendorConnection.unmatched_signals,
                VendorConnection.last_unmatched_at,
            ).order_by(VendorConnection.name)
        )
        return [UnmatchedCount(*row) for row in rows]


def count_unmatched(session: Session, connection_id: int) -> int:
    """Count one more signal of the connection that named no attempt; the count after it."""
    session.execute(
        update(VendorConnection)
        .where(VendorConnection.id == connection_id)
        .values(
            unmatched_signals=VendorConnection.unmatched_signals + 1, last_unmatched_at=utcnow()
        ),
        execution_options={"synchronize_session": False},
    )
    count = session.scalar(
        select(VendorConnection.unmatched_signals).where(VendorConnection.id == connection_id)
    )
    return count or 0


class UnmatchedLog:
    """Says in the log that a connection's signals name no attempt we know, at most once
    per ``interval`` seconds per connection (in this process): a vendor retrying, or
    someone probing a connection's URL, would otherwise write a line per request.  Each
    line carries the connection's count so far and how many signals it stands for.
    """

    def __init__(
        self, *, interval: float = 60.0, clock: t.Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._logged_at: dict[int, float] = {}
        self._since: dict[int, int] = {}

    def note(self, connection_id: int, count: int, signal: CompletionSignal) -> None:
        """One more signal of ``connection_id`` named no attempt; ``count`` in all."""
        with self._lock:
            now = self._clock()
            self._since[connection_id] = self._since.get(connection_id, 0) + 1
            last = self._logged_at.get(connection_id)
            if last is not None and now - last < self._interval:
                return
            self._logged_at[connection_id] = now
            since = self._since.pop(connection_id)
        log.warning(
            "connection %s: signals that name no attempt we know: %s since the last line like"
            " this, %s in all (counted, not stored); the latest, a %s signal, named vendor ref %r",
            connection_id,
            since,
            count,
            signal.kind.value,
            (signal.vendor_ref or "")[:64] or None,
        )
