"""Reconciliation: ask each vendor which attempts changed since its stored cursor, and sync them.

This is what makes a lost webhook, a closed tab or a wiped queue harmless.  The
cursor is stored after every page, so a run cut short resumes where it stopped;
a vendor failure ends the run with the error recorded and the cursor kept.
"""

from __future__ import annotations

import dataclasses
import logging
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import SyncCursor
from plugin.store.models import VendorConnection
from plugin.store.models import utcnow
from plugin.store.upsert import insert_if_absent
from plugin.vendors.base import ChangedAttempt
from plugin.vendors.errors import VendorError

if t.TYPE_CHECKING:
    from plugin.sync.service import SyncService
    from plugin.vendors.connections import VendorConnectionService

log = logging.getLogger(__name__)

#: Pages read per run and connection at most; the next run continues from the cursor.
MAX_PAGES = 10_000


@dataclasses.dataclass
class ReconcileReport:
    """What one run over one connection did."""

    connection_id: int
    name: str
    pages: int = 0
    listed: int = 0
    matched: int = 0
    changed: int = 0
    failed: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


#: Called after each page with the report so far.
Progress = t.Callable[[ReconcileReport], None]


class Reconciler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        connections: VendorConnectionService,
        sync: SyncService,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._sync = sync

    def connection_ids(self) -> list[tuple[int, str]]:
        with self._sessions() as session:
            return [
                (row.id, row.name)
                for row in session.execute(
                    select(VendorConnection.id, VendorConnection.name).order_by(VendorConnection.id)
                )
            ]

    def run_all(self, progress: Progress | None = None) -> list[ReconcileReport]:
        return [
            self.run(connection_id, progress=progress) for connection_id, _ in self.connection_ids()
        ]

    def run(self, connection_id: int, *, progress: Progress | None = None) -> ReconcileReport:
        """Page through the connection's changes from its stored cursor, syncing each known
        attempt."""
        name = self._name(connection_id)
        report = ReconcileReport(connection_id, name)
        adapter = self._connections.adapter(connection_id)
        cursor = self._start(connection_id)
        try:
            for _ in range(MAX_PAGES):
                page = adapter.list_changes(cursor)
                report.pages += 1
                report.listed += len(page.items)
                self._sync_page(connection_id, page.items, report)
                cursor = page.next_cursor
                self._save(connection_id, cursor, finished=not page.has_more)
                if progress is not None:
                    progress(report)
                if not page.has_more:
                    break
        except VendorError as exc:
            report.error = str(exc)
            self._save_error(connection_id, report.error)
            log.warning("reconcile %s stopped: %s", name, exc)
        log.info(
            "reconcile %s: %s pages, %s listed, %s ours, %s changed, %s failed",
            name,
            report.pages,
            report.listed,
            report.matched,
            report.changed,
            report.failed,
        )
        return report

    def _sync_page(
        self, connection_id: int, items: t.Sequence[ChangedAttempt], report: ReconcileReport
    ) -> None:
        attempts = self._attempts_for(connection_id, [item.vendor_ref for item in items])
        wanted = [
            (attempt_id, None if proctoring else item.raw)
            for item in items
            for attempt_id, proctoring in attempts.get(item.vendor_ref, ())
        ]
        report.matched += len(wanted)
        for outcome in self._sync.sync_many(wanted) if wanted else ():
            if outcome.state == "changed":
                report.changed += 1
            elif outcome.state == "failed":
                report.failed += 1

    def _attempts_for(
        self, connection_id: int, refs: list[str]
    ) -> dict[str, list[tuple[int, bool]]]:
        """Attempts by vendor reference: those of the connection's assessments, and those it
        proctors (flagged, since their listing is not the assessment result)."""
        found: dict[str, list[tuple[int, bool]]] = {}
        if not refs:
            return found
        with self._sessions() as session:
            own = session.execute(
                select(Attempt.id, Attempt.vendor_ref)
                .join(Assessment, Attempt.assessment_id == Assessment.id)
                .where(Assessment.connection_id == connection_id, Attempt.vendor_ref.in_(refs))
            )
            for attempt_id, ref in own:
                found.setdefault(str(ref), []).append((attempt_id, False))
            proctored = session.execute(
                select(Attempt.id, Attempt.proctoring_ref)
                .join(Assessment, Attempt.assessment_id == Assessment.id)
                .where(
                    Assessment.proctoring_connection_id == connection_id,
                    Attempt.proctoring_ref.in_(refs),
                )
            )
            for attempt_id, ref in proctored:
                found.setdefault(str(ref), []).append((attempt_id, True))
        return found

    def _name(self, connection_id: int) -> str:
        with self._sessions() as session:
            row = session.get(VendorConnection, connection_id)
            return row.name if row is not None else str(connection_id)

    def _start(self, connection_id: int) -> str | None:
        with self._sessions.begin() as session:
            insert_if_absent(session, SyncCursor, {"connection_id": connection_id})
            row = session.get(SyncCursor, connection_id)
            assert row is not None
            row.started_at = utcnow()
            return row.cursor

    def _save(self, connection_id: int, cursor: str | None, *, finished: bool) -> None:
        with self._sessions.begin() as session:
            row = session.get(SyncCursor, connection_id)
            assert row is not None
            row.cursor = cursor
            if finished:
                row.finished_at = utcnow()
                row.last_error = None

    def _save_error(self, connection_id: int, error: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(SyncCursor, connection_id)
            assert row is not None
            row.last_error = error[:2000]

    def cursors(self) -> list[dict[str, t.Any]]:
        """Every connection's reconciliation state, for ``sync status``."""
        with self._sessions() as session:
            rows = session.execute(
                select(VendorConnection.id, VendorConnection.name, SyncCursor)
                .join(SyncCursor, SyncCursor.connection_id == VendorConnection.id, isouter=True)
                .order_by(VendorConnection.id)
            )
            return [
                {
                    "connection_id": connection_id,
                    "name": name,
                    "started_at": cursor.started_at if cursor else None,
                    "finished_at": cursor.finished_at if cursor else None,
                    "last_error": cursor.last_error if cursor else None,
                    "has_cursor": bool(cursor and cursor.cursor),
                }
                for connection_id, name, cursor in rows
            ]
