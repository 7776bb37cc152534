"""Signals for one attempt coalesce into few syncs, and none is lost (finding 6 of the
hostile input issue): through the callback URL, the job queue (huey on SQLite, run by
hand) and the sync task, with a scripted vendor that counts its fetches."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import typing as t

import pytest

from plugin.attempts.completions import CompletionIntake
from plugin.jobs.queue import huey
from plugin.jobs.tasks import OWED_SYNC_RETRY
from plugin.jobs.tasks import sweep
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import VendorConnection
from plugin.sync.service import SyncService
from plugin.sync.targets import TargetPlanner
from tests.support.tokens import callback_token
from tests.unit.factories import make_attempt
from tests.unit.sync.fakes import FakeVendorAdapter
from tests.unit.sync.fakes import FakeVendorConnections
from tests.unit.sync.fakes import connection_of
from tests.unit.sync.fakes import mettl_result

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.vendors.base import RawResult
    from plugin.vendors.connections import VendorConnectionService

BURST = 100


class HookedAdapter(FakeVendorAdapter):
    """A fake vendor that runs ``during_fetch`` (once) while a fetch is in flight."""

    during_fetch: Callable[[], None] | None = None

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        hook, self.during_fetch = self.during_fetch, None
        if hook is not None:
            hook()
        return super().fetch_result(vendor_ref, test_id=test_id)


@dataclasses.dataclass
class Bridge:
    """One attempt, the callback URL of its connection and the queue its syncs go to."""

    app: Flask
    attempt_id: int
    vendor_ref: str
    callback_path: str
    adapter: HookedAdapter

    def signal(self) -> None:
        answer = self.app.test_client().post(
            self.callback_path, json={"vendor_ref": self.vendor_ref, "status": "completed"}
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)

    def queued_syncs(self) -> list[int]:
        return [task.args[0] for task in huey.pending() if task.name == "sync_attempt"]

    def run_queue(self) -> None:
        """Run queued syncs as a consumer would, until none is left (deliveries are
        dropped: no LMS answers here)."""
        with self.app.app_context():
            while (task := huey.dequeue()) is not None:
                if task.name == "sync_attempt":
                    huey.execute(task)

    @property
    def fetches(self) -> int:
        return len(self.adapter.fetches)

    def attempt(self) -> Attempt:
        with services(self.app).sessions() as session:
            row = session.get(Attempt, self.attempt_id)
            assert row is not None
            return row


@pytest.fixture
def bridge(make_app: Callable[..., Flask], tmp_path: t.Any) -> t.Iterator[Bridge]:
    app = make_app(BRIDGE_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    registry = services(app)
    fakes = FakeVendorConnections(registry.sessions, registry.secrets)
    connections = t.cast("VendorConnectionService", fakes)
    registry.completions = CompletionIntake(registry.sessions, connections)
    registry.sync = SyncService(
        registry.sessions,
        connections,
        registry.secrets,
        registry.outbox,
        TargetPlanner(),
        registry.queue,
    )
    attempt_id = make_attempt(app)
    connection_id = connection_of(registry.sessions, attempt_id)
    adapter = HookedAdapter()
    fakes.use(connection_id, adapter)
    with registry.sessions() as session:
        row = session.get(VendorConnection, connection_id)
        attempt = session.get(Attempt, attempt_id)
        assert row is not None and attempt is not None and attempt.vendor_ref
        path = f"/callbacks/mettl/{connection_id}?token={callback_token(app, row)}"
        ref = attempt.vendor_ref
    adapter.script_result(ref, mettl_result())
    yield Bridge(app, attempt_id, ref, path, adapter)
    huey.flush()


def test_a_burst_of_signals_queues_one_sync_and_fetches_once(bridge: Bridge) -> None:
    for _ in range(BURST):
        bridge.signal()

    assert bridge.queued_syncs() == [bridge.attempt_id]
    bridge.run_queue()
    assert bridge.fetches == 1
    assert bridge.attempt().sync_requested_at is None  # the result is final: nothing owed


def test_signals_at_once_from_many_threads_queue_one_sync(bridge: Bridge) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for done in [pool.submit(bridge.signal) for _ in range(BURST)]:
            done.result()

    assert bridge.queued_syncs() == [bridge.attempt_id]
    bridge.run_queue()
    assert bridge.fetches == 1


def test_a_signal_during_a_sync_leads_to_one_more_sync(bridge: Bridge) -> None:
    bridge.signal()

    def burst() -> None:
        for _ in range(BURST):
            bridge.signal()

    bridge.adapter.during_fetch = burst  # the vendor signals again while it is being asked
    with bridge.app.app_context():
        task = huey.dequeue()
        assert task is not None
        huey.execute(task)

    assert bridge.fetches == 1
    assert bridge.queued_syncs() == [bridge.attempt_id]  # queued again once, at the end
    bridge.run_queue()
    assert bridge.fetches == 2
    assert bridge.queued_syncs() == [] and bridge.attempt().sync_requested_at is None


def test_a_signal_after_a_sync_ended_queues_a_new_one(bridge: Bridge) -> None:
    bridge.signal()
    bridge.run_queue()

    bridge.signal()

    assert bridge.queued_syncs() == [bridge.attempt_id]
    bridge.run_queue()
    assert bridge.fetches == 2


def test_when_the_queued_sync_is_lost_the_sweep_still_finds_the_attempt(bridge: Bridge) -> None:
    bridge.signal()
    huey.flush()  # the wake-up is lost; later signals see a sync pending and queue none

    bridge.signal()

    assert bridge.queued_syncs() == []
    assert services(bridge.app).sync.owed(retry_after=OWED_SYNC_RETRY) == [bridge.attempt_id]
    with bridge.app.app_context():
        sweep.call_local()
    assert bridge.queued_syncs() == [bridge.attempt_id]
    bridge.run_queue()
    assert bridge.fetches == 1 and bridge.attempt().sync_requested_at is None
