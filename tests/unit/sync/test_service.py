"""The sync service on the real store, outbox and planner, with a scripted vendor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing as t

import pytest
from sqlalchemy import select

from mappings.registry import load_result
from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import NewDelivery
from plugin.outbox.deliveries import Outbox
from plugin.services import services
from plugin.store.models import AssessmentAts
from plugin.store.models import AtsConnection
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import Delivery
from plugin.store.models import utcnow
from plugin.sync.service import SyncService
from plugin.sync.targets import TargetPlanner
from plugin.vendors.base import RawResult
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorError
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

    from mappings.result import AssessmentResult
    from plugin.vendors.connections import VendorConnectionService


@dataclasses.dataclass(frozen=True)
class Learner:
    """An attempt on its own vendor connection, with the adapter scripted for it."""

    attempt_id: int
    vendor_ref: str
    adapter: FakeVendorAdapter


@dataclasses.dataclass
class World:
    app: Flask
    sessions: sessionmaker[Session]
    connections: FakeVendorConnections
    queue: RecordingJobQueue
    planner: TargetPlanner = dataclasses.field(default_factory=TargetPlanner)

    @property
    def sync(self) -> SyncService:
        registry = services(self.app)
        return SyncService(
            self.sessions,
            t.cast("VendorConnectionService", self.connections),
            registry.secrets,
            Outbox(self.sessions),
            self.planner,
            self.queue,
        )

    def learner(self, *results: dict[str, t.Any] | VendorError) -> Learner:
        attempt_id = make_attempt(self.app)
        adapter = FakeVendorAdapter()
        self.connections.use(connection_of(self.sessions, attempt_id), adapter)
        ref = self.attempt(attempt_id).vendor_ref
        assert ref is not None
        if results:
            adapter.script_result(ref, *results)
        return Learner(attempt_id, ref, adapter)

    def attempt(self, attempt_id: int) -> Attempt:
        with self.sessions() as session:
            row = session.get(Attempt, attempt_id)
            assert row is not None
            return row

    def update(self, attempt_id: int, **values: t.Any) -> None:
        with self.sessions.begin() as session:
            row = session.get(Attempt, attempt_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)

    def result(self, attempt_id: int) -> AttemptResult | None:
        with self.sessions() as session:
            return session.get(AttemptResult, attempt_id)

    def deliveries(self, attempt_id: int) -> list[tuple[int, str, int, str]]:
        with self.sessions() as session:
            rows = session.execute(
                select(Delivery.id, Delivery.target, Delivery.version, Delivery.status)
                .where(Delivery.attempt_id == attempt_id)
                .order_by(Delivery.id)
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.fixture
def world(app: Flask) -> World:
    sessions = services(app).sessions
    return World(
        app,
        sessions,
        FakeVendorConnections(sessions, services(app).secrets),
        RecordingJobQueue(sessions),
    )


def mapped(payload: dict[str, t.Any]) -> AssessmentResult:
    return load_result("mettl", payload)


def test_a_first_result_is_stored_encrypted_beside_its_canonical_form_and_digest(
    world: World,
) -> None:
    payload = mettl_result(marks=3.0, max_marks=4.0)
    one = world.learner(payload)

    outcome = world.sync.sync(one.attempt_id)

    assert (outcome.state, outcome.version, outcome.status) == ("changed", 1, "completed")
    assert one.adapter.fetches == [(one.vendor_ref, "t1")]
    stored = world.result(one.attempt_id)
    assert stored is not None
    assert (stored.version, stored.status) == (1, "completed")
    assert stored.digest == mapped(payload).digest
    assert b"ada@example.edu" not in stored.raw_encrypted
    assert json.loads(services(world.app).secrets.decrypt(stored.raw_encrypted)) == payload
    canonical = json.loads(stored.canonical_json)
    assert (canonical["score"], canonical["max_score"], canonical["percent"]) == (
        "3.0",
        "4.0",
        "75.00",
    )
    assert world.attempt(one.attempt_id).status == "completed"


def test_a_new_version_queues_one_delivery_per_target_and_wakes_workers_for_them(
    world: World,
) -> None:
    one = world.learner(mettl_result())
    assessment_id = world.attempt(one.attempt_id).assessment_id
    with world.sessions.begin() as session:
        webhook = AtsConnection(name="hook", kind="webhook", config_encrypted=b"-")
        session.add(webhook)
        session.flush()
        session.add(AssessmentAts(assessment_id=assessment_id, ats_connection_id=webhook.id))

    outcome = world.sync.sync(one.attempt_id)

    rows = world.deliveries(one.attempt_id)
    assert [(target, version, status) for _, target, version, status in rows] == [
        (LMS_TARGET, 1, "pending"),
        (f"ats:{webhook.id}", 1, "pending"),
    ]
    assert list(outcome.deliveries) == [row[0] for row in rows]
    # RecordingJobQueue raises when a woken delivery is not committed yet.
    assert world.queue.woken == [row[0] for row in rows]


def test_the_queue_check_refuses_a_wake_up_for_a_delivery_not_yet_committed(
    world: World,
) -> None:
    one = world.learner()
    with world.sessions.begin() as session:
        (delivery_id,) = Outbox(world.sessions).add(
            session, one.attempt_id, 1, [NewDelivery(LMS_TARGET, {"score": 1})]
        )
        with pytest.raises(AssertionError, match="before they were committed"):
            world.queue.deliver_many([delivery_id])
    world.queue.deliver_many([delivery_id])
    assert world.queue.woken == [delivery_id]


def test_a_failure_while_planning_stores_neither_the_result_nor_any_delivery(
    world: World,
) -> None:
    class BrokenPlanner(TargetPlanner):
        def plan(self, *args: t.Any, **kwargs: t.Any) -> list[NewDelivery]:
            raise RuntimeError("planner broke")

    world.planner = BrokenPlanner()
    one = world.learner(mettl_result())

    with pytest.raises(RuntimeError, match="planner broke"):
        world.sync.sync(one.attempt_id)

    assert world.result(one.attempt_id) is None
    assert world.deliveries(one.attempt_id) == []
    assert world.attempt(one.attempt_id).status == "starting"
    assert world.queue.batches == []


def test_an_unchanged_digest_stores_no_new_version_and_wakes_no_one(world: World) -> None:
    one = world.learner(mettl_result())
    first = world.sync.sync(one.attempt_id)
    stored_before = world.result(one.attempt_id)
    assert stored_before is not None
    woken_before = world.queue.woken
    second_started = utcnow()

    second = world.sync.sync(one.attempt_id)

    assert (second.state, second.version, second.deliveries) == ("unchanged", 1, ())
    assert len(one.adapter.fetches) == 2
    stored = world.result(one.attempt_id)
    assert stored is not None
    assert (stored.version, stored.digest) == (1, stored_before.digest)
    assert stored.changed_at == stored_before.changed_at
    assert stored.fetched_at >= second_started > stored_before.fetched_at
    assert [row[0] for row in world.deliveries(one.attempt_id)] == list(first.deliveries)
    assert world.queue.woken == woken_before


def test_a_changed_result_is_the_next_version_and_supersedes_the_unsent_deliveries(
    world: World,
) -> None:
    one = world.learner(mettl_result(marks=1.0), mettl_result(marks=2.0))
    first = world.sync.sync(one.attempt_id)

    second = world.sync.sync(one.attempt_id)

    assert (second.state, second.version) == ("changed", 2)
    stored = world.result(one.attempt_id)
    assert stored is not None
    assert (stored.version, stored.digest) == (2, mapped(mettl_result(marks=2.0)).digest)
    assert json.loads(stored.canonical_json)["score"] == "2.0"
    assert [(v, status) for _, _, v, status in world.deliveries(one.attempt_id)] == [
        (1, "superseded"),
        (2, "pending"),
    ]
    assert world.queue.woken == [*first.deliveries, *second.deliveries]


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (TransientError("timed out", vendor="mettl"), True),
        (AuthError("credentials refused", vendor="mettl", status=401), False),
    ],
)
def test_a_vendor_error_leaves_the_attempt_owed_with_the_error_recorded(
    world: World, error: VendorError, retryable: bool
) -> None:
    one = world.learner(error)
    requested = utcnow() - dt.timedelta(minutes=5)
    world.update(one.attempt_id, sync_requested_at=requested)

    outcome = world.sync.sync(one.attempt_id)

    assert (outcome.state, outcome.error, outcome.retryable) == ("failed", str(error), retryable)
    attempt = world.attempt(one.attempt_id)
    assert attempt.sync_error == str(error)
    assert attempt.sync_requested_at == requested
    assert attempt.synced_at is not None and attempt.synced_at > requested
    assert world.result(one.attempt_id) is None
    assert world.deliveries(one.attempt_id) == []
    assert world.queue.woken == []


def test_a_vendor_error_keeps_the_stored_result_and_the_next_success_clears_it(
    world: World,
) -> None:
    one = world.learner(
        mettl_result(marks=1.0), TransientError("down", vendor="mettl"), mettl_result(marks=2.0)
    )
    world.sync.sync(one.attempt_id)

    failed = world.sync.sync(one.attempt_id)

    assert failed.state == "failed"
    stored = world.result(one.attempt_id)
    assert stored is not None and (stored.version, stored.status) == (1, "completed")
    assert world.attempt(one.attempt_id).sync_error == "mettl: down"

    assert world.sync.sync(one.attempt_id).version == 2
    assert world.attempt(one.attempt_id).sync_error is None


def test_a_result_that_cannot_be_mapped_fails_for_good_and_stores_nothing(world: World) -> None:
    one = world.learner({"email": "ada@example.edu", "testStatus": {"status": "NoSuchStatus"}})

    outcome = world.sync.sync(one.attempt_id)

    assert outcome.state == "failed" and not outcome.retryable
    assert outcome.error and "the result could not be mapped" in outcome.error
    assert world.attempt(one.attempt_id).sync_error == outcome.error
    assert world.result(one.attempt_id) is None


def test_a_result_not_yet_final_keeps_the_attempt_owed_until_a_final_one_arrives(
    world: World,
) -> None:
    one = world.learner(mettl_result("InProgress"), mettl_result("Completed"))
    world.update(one.attempt_id, sync_requested_at=utcnow())

    early = world.sync.sync(one.attempt_id)

    assert (early.state, early.status) == ("changed", "in_progress")
    attempt = world.attempt(one.attempt_id)
    assert attempt.status == "in_progress" and attempt.sync_requested_at is not None
    assert one.attempt_id in world.sync.owed(retry_after=dt.timedelta(0))

    final = world.sync.sync(one.attempt_id)

    assert (final.state, final.status, final.version) == ("changed", "completed", 2)
    assert world.attempt(one.attempt_id).sync_requested_at is None
    assert world.sync.owed(retry_after=dt.timedelta(0)) == []


def test_a_request_made_after_the_sync_started_stays_owed_even_for_a_final_result(
    world: World,
) -> None:
    one = world.learner(mettl_result())
    later = utcnow() + dt.timedelta(seconds=30)
    world.update(one.attempt_id, sync_requested_at=later)

    assert world.sync.sync(one.attempt_id).status == "completed"

    assert world.attempt(one.attempt_id).sync_requested_at == later


def test_a_sync_owed_for_over_a_day_is_left_to_reconciliation(world: World) -> None:
    one = world.learner(mettl_result("InProgress"))
    world.update(one.attempt_id, sync_requested_at=utcnow() - dt.timedelta(hours=25))

    assert world.sync.sync(one.attempt_id).status == "in_progress"

    assert world.attempt(one.attempt_id).sync_requested_at is None


def test_an_attempt_without_a_vendor_reference_is_not_started_and_nothing_is_fetched(
    world: World,
) -> None:
    one = world.learner(mettl_result())
    world.update(one.attempt_id, vendor_ref=None)

    outcome = world.sync.sync(one.attempt_id)

    assert (outcome.state, outcome.version) == ("not_started", None)
    assert one.adapter.fetches == []
    assert world.result(one.attempt_id) is None


def test_an_owed_attempt_without_a_vendor_reference_is_not_owed_forever(world: World) -> None:
    one = world.learner()
    world.update(
        one.attempt_id, vendor_ref=None, sync_requested_at=utcnow() - dt.timedelta(hours=25)
    )

    assert world.sync.sync(one.attempt_id).state == "not_started"

    assert world.sync.owed(retry_after=dt.timedelta(minutes=1)) == []


def test_an_attempt_without_a_vendor_reference_waits_for_the_next_sweep_interval(
    world: World,
) -> None:
    one = world.learner()
    world.update(one.attempt_id, vendor_ref=None, sync_requested_at=utcnow())

    assert world.sync.sync(one.attempt_id).state == "not_started"

    assert world.sync.owed(retry_after=dt.timedelta(minutes=1)) == []
    assert world.sync.owed(retry_after=dt.timedelta(0)) == [one.attempt_id]


def test_an_unknown_attempt_is_a_failed_outcome_not_an_exception(world: World) -> None:
    outcome = world.sync.sync(999_999)

    assert (outcome.state, outcome.error) == ("failed", "no attempt with id 999999")
    assert world.queue.batches == []


def test_a_result_handed_over_by_a_listing_is_stored_without_a_fetch(world: World) -> None:
    one = world.learner()
    payload = mettl_result(marks=2.0)

    outcome = world.sync.sync(one.attempt_id, raw=RawResult(one.vendor_ref, payload, utcnow()))

    assert (outcome.state, outcome.version) == ("changed", 1)
    assert one.adapter.fetches == []
    stored = world.result(one.attempt_id)
    assert stored is not None and stored.digest == mapped(payload).digest


def test_sync_many_answers_in_the_order_asked_and_wakes_workers_once(world: World) -> None:
    done = world.learner(mettl_result())
    broken = world.learner(TransientError("down", vendor="mettl"))
    idle = world.learner()
    world.update(idle.attempt_id, vendor_ref=None)
    also_done = world.learner(mettl_result(marks=2.0))

    outcomes = world.sync.sync_many(
        [
            (also_done.attempt_id, None),
            (broken.attempt_id, None),
            (idle.attempt_id, None),
            (done.attempt_id, None),
        ]
    )

    assert [(o.attempt_id, o.state) for o in outcomes] == [
        (also_done.attempt_id, "changed"),
        (broken.attempt_id, "failed"),
        (idle.attempt_id, "not_started"),
        (done.attempt_id, "changed"),
    ]
    assert world.attempt(broken.attempt_id).sync_error == "mettl: down"
    assert len(world.queue.batches) == 1
    assert sorted(world.queue.woken) == sorted([*outcomes[0].deliveries, *outcomes[3].deliveries])


def test_owed_lists_attempts_due_again_oldest_request_first_up_to_the_limit(
    world: World,
) -> None:
    now = utcnow()
    never_tried = world.learner().attempt_id
    world.update(never_tried, sync_requested_at=now - dt.timedelta(minutes=10))
    tried_long_ago = world.learner().attempt_id
    world.update(
        tried_long_ago,
        sync_requested_at=now - dt.timedelta(minutes=20),
        synced_at=now - dt.timedelta(minutes=5),
    )
    tried_just_now = world.learner().attempt_id
    world.update(
        tried_just_now,
        sync_requested_at=now - dt.timedelta(minutes=30),
        synced_at=now - dt.timedelta(seconds=30),
    )
    world.learner()  # nothing asked for

    retry_after = dt.timedelta(minutes=2)
    assert world.sync.owed(retry_after=retry_after) == [tried_long_ago, never_tried]
    assert world.sync.owed(retry_after=retry_after, limit=1) == [tried_long_ago]
    assert world.sync.owed(retry_after=dt.timedelta(0)) == [
        tried_just_now,
        tried_long_ago,
        never_tried,
    ]
