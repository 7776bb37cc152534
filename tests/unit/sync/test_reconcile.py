"""Reconciliation on the real store and sync service, with a scripted vendor listing."""

from __future__ import annotations

import dataclasses
import typing as t

import pytest

from plugin.outbox.deliveries import Outbox
from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import SyncCursor
from plugin.store.models import utcnow
from plugin.sync.reconcile import Reconciler
from plugin.sync.reconcile import ReconcileReport
from plugin.sync.service import SyncService
from plugin.sync.targets import TargetPlanner
from plugin.vendors.base import ChangedAttempt
from plugin.vendors.base import ChangesPage
from plugin.vendors.base import RawResult
from plugin.vendors.errors import TransientError
from tests.unit.factories import make_attempt
from tests.unit.sync.fakes import FakeVendorAdapter
from tests.unit.sync.fakes import FakeVendorConnections
from tests.unit.sync.fakes import RecordingJobQueue
from tests.unit.sync.fakes import connection_of
from tests.unit.sync.fakes import mettl_result

if t.TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker

    from plugin.vendors.connections import VendorConnectionService


@dataclasses.dataclass
class World:
    app: Flask
    sessions: sessionmaker[Session]
    connections: FakeVendorConnections
    queue: RecordingJobQueue

    @property
    def reconciler(self) -> Reconciler:
        connections = t.cast("VendorConnectionService", self.connections)
        sync = SyncService(
            self.sessions,
            connections,
            services(self.app).secrets,
            Outbox(self.sessions),
            TargetPlanner(),
            self.queue,
        )
        return Reconciler(self.sessions, connections, sync)

    def vendor(self) -> tuple[int, FakeVendorAdapter]:
        """A new vendor connection (with one attempt of its own) and its adapter."""
        connection_id = connection_of(self.sessions, make_attempt(self.app))
        adapter = FakeVendorAdapter()
        self.connections.use(connection_id, adapter)
        return connection_id, adapter

    def attempt_at(self, connection_id: int, vendor_ref: str) -> int:
        """An attempt at ``connection_id`` that the vendor knows as ``vendor_ref``."""
        attempt_id = make_attempt(self.app)
        with self.sessions.begin() as session:
            attempt = session.get(Attempt, attempt_id)
            assert attempt is not None
            attempt.vendor_ref = vendor_ref
            assessment = session.get(Assessment, attempt.assessment_id)
            assert assessment is not None
            assessment.connection_id = connection_id
        return attempt_id

    def version(self, attempt_id: int) -> int | None:
        with self.sessions() as session:
            row = session.get(AttemptResult, attempt_id)
            return row.version if row else None

    def cursor(self, connection_id: int) -> SyncCursor | None:
        with self.sessions() as session:
            return session.get(SyncCursor, connection_id)


@pytest.fixture
def world(app: Flask) -> World:
    sessions = services(app).sessions
    return World(
        app,
        sessions,
        FakeVendorConnections(sessions, services(app).secrets),
        RecordingJobQueue(sessions),
    )


def listed(ref: str, payload: dict[str, t.Any] | None = None) -> ChangedAttempt:
    raw = RawResult(ref, payload, utcnow()) if payload is not None else None
    return ChangedAttempt(ref, status="completed", raw=raw)


def page(*items: ChangedAttempt, next_cursor: str | None, more: bool) -> ChangesPage:
    return ChangesPage(items=items, next_cursor=next_cursor, has_more=more)


def test_a_run_pages_through_the_changes_and_syncs_only_our_attempts(world: World) -> None:
    connection_id, adapter = world.vendor()
    carried = world.attempt_at(connection_id, "r-carried")
    fetched = world.attempt_at(connection_id, "r-fetched")
    adapter.script_result("r-fetched", mettl_result(marks=2.0))
    adapter.script_page(
        None,
        page(
            listed("r-carried", mettl_result()),
            listed("r-stranger", mettl_result()),
            next_cursor="c1",
            more=True,
        ),
    )
    adapter.script_page("c1", page(listed("r-fetched"), next_cursor="c2", more=False))

    report = world.reconciler.run(connection_id)

    assert report.as_dict() == {
        "connection_id": connection_id,
        "name": report.name,
        "pages": 2,
        "listed": 3,
        "matched": 2,
        "changed": 2,
        "failed": 0,
        "error": None,
    }
    assert adapter.listed == [None, "c1"]
    assert adapter.fetches == [("r-fetched", "t1")]  # the listing carried the other result
    assert (world.version(carried), world.version(fetched)) == (1, 1)
    cursor = world.cursor(connection_id)
    assert cursor is not None and cursor.cursor == "c2" and cursor.last_error is None
    assert cursor.started_at is not None and cursor.finished_at is not None


def test_the_cursor_is_stored_after_every_page(world: World) -> None:
    connection_id, adapter = world.vendor()
    adapter.script_page(None, page(next_cursor="c1", more=True))
    adapter.script_page("c1", page(next_cursor="c2", more=True))
    adapter.script_page("c2", page(next_cursor="c3", more=False))
    seen: list[tuple[int, str | None]] = []

    def progress(report: ReconcileReport) -> None:
        stored = world.cursor(connection_id)  # read from another session: committed
        seen.append((report.pages, stored.cursor if stored else None))

    world.reconciler.run(connection_id, progress=progress)

    assert seen == [(1, "c1"), (2, "c2"), (3, "c3")]


def test_a_vendor_failure_ends_the_run_with_the_error_recorded_and_the_cursor_kept(
    world: World,
) -> None:
    connection_id, adapter = world.vendor()
    first = world.attempt_at(connection_id, "r-1")
    error = TransientError("listing timed out", vendor="mettl")
    adapter.script_page(None, page(listed("r-1", mettl_result()), next_cursor="c1", more=True))
    adapter.script_page("c1", error)

    report = world.reconciler.run(connection_id)

    assert (report.pages, report.changed, report.error) == (1, 1, str(error))
    assert world.version(first) == 1  # the page read before the failure is kept
    cursor = world.cursor(connection_id)
    assert cursor is not None
    assert (cursor.cursor, cursor.last_error, cursor.finished_at) == ("c1", str(error), None)


def test_the_next_run_resumes_from_the_stored_cursor_and_clears_the_error(world: World) -> None:
    connection_id, adapter = world.vendor()
    later = world.attempt_at(connection_id, "r-2")
    adapter.script_page(None, page(next_cursor="c1", more=True))
    adapter.script_page(
        "c1",
        TransientError("down", vendor="mettl"),
        page(listed("r-2", mettl_result()), next_cursor="c2", more=False),
    )
    assert world.reconciler.run(connection_id).error == "mettl: down"

    report = world.reconciler.run(connection_id)

    assert (report.pages, report.changed, report.error) == (1, 1, None)
    assert adapter.listed == [None, "c1", "c1"]
    assert world.version(later) == 1
    cursor = world.cursor(connection_id)
    assert cursor is not None and (cursor.cursor, cursor.last_error) == ("c2", None)
    assert cursor.finished_at is not None


def test_another_connections_attempt_with_the_same_reference_is_not_ours(world: World) -> None:
    connection_id, adapter = world.vendor()
    other_id, other_adapter = world.vendor()
    theirs = world.attempt_at(other_id, "shared-ref")
    adapter.script_page(
        None, page(listed("shared-ref", mettl_result()), next_cursor="c1", more=False)
    )

    report = world.reconciler.run(connection_id)

    assert (report.listed, report.matched, report.changed) == (1, 0, 0)
    assert world.version(theirs) is None
    assert (other_adapter.listed, other_adapter.fetches) == ([], [])


def test_a_failed_sync_is_counted_and_the_run_goes_on(world: World) -> None:
    connection_id, adapter = world.vendor()
    gone = world.attempt_at(connection_id, "r-gone")  # fetching it is a 404
    adapter.script_page(None, page(listed("r-gone"), next_cursor="c1", more=True))
    adapter.script_page("c1", page(next_cursor="c2", more=False))

    report = world.reconciler.run(connection_id)

    assert (report.pages, report.matched, report.failed, report.error) == (2, 1, 1, None)
    with world.sessions() as session:
        attempt = session.get(Attempt, gone)
        assert attempt is not None and attempt.sync_error == "mettl: no attempt r-gone (HTTP 404)"


def test_a_result_seen_before_is_matched_but_not_counted_as_changed(world: World) -> None:
    connection_id, adapter = world.vendor()
    attempt_id = world.attempt_at(connection_id, "r-1")
    adapter.script_page(None, page(listed("r-1", mettl_result()), next_cursor="c1", more=False))
    adapter.script_page("c1", page(listed("r-1", mettl_result()), next_cursor="c1", more=False))
    assert world.reconciler.run(connection_id).changed == 1

    report = world.reconciler.run(connection_id)

    assert (report.matched, report.changed, report.failed) == (1, 0, 0)
    assert world.version(attempt_id) == 1


def test_run_all_reconciles_every_connection_and_cursors_report_each_state(
    world: World,
) -> None:
    first_id, first = world.vendor()
    second_id, second = world.vendor()
    first.script_page(None, page(next_cursor="done", more=False))
    second.script_page(None, TransientError("down", vendor="mettl"))
    assert [row["has_cursor"] for row in world.reconciler.cursors()] == [False, False]

    reports = world.reconciler.run_all()

    assert [(r.connection_id, r.error) for r in reports] == [
        (first_id, None),
        (second_id, "mettl: down"),
    ]
    assert [r.name for r in reports] == [row["name"] for row in world.reconciler.cursors()]
    by_id = {row["connection_id"]: row for row in world.reconciler.cursors()}
    assert by_id[first_id]["has_cursor"] and by_id[first_id]["finished_at"] is not None
    assert by_id[first_id]["last_error"] is None
    assert not by_id[second_id]["has_cursor"] and by_id[second_id]["finished_at"] is None
    assert by_id[second_id]["last_error"] == "mettl: down"
    assert by_id[second_id]["started_at"] is not None
