"""The delivery worker: claim through the real outbox, send to the LMS or an ATS (both
faked at the remote side), record the try and wake whatever waits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import typing as t

import pytest
from sqlalchemy import select

from lti.ags.errors import AgsError
from plugin.ats.base import AtsError
from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import DeliveryStatus
from plugin.outbox.deliveries import NewDelivery
from plugin.outbox.deliveries import Outbox
from plugin.outbox.deliveries import RetryPolicy
from plugin.outbox.deliveries import ats_target
from plugin.outbox.senders.ats import AtsSender
from plugin.outbox.senders.lms import LmsSender
from plugin.outbox.worker import DeliveryWorker
from plugin.services import services
from plugin.store.models import Delivery
from plugin.store.models import DeliveryTry
from plugin.store.models import utcnow
from tests.unit.factories import make_attempt
from tests.unit.outbox.fakes import FakeAgsClientFactory
from tests.unit.outbox.fakes import FakeAtsConnections
from tests.unit.outbox.fakes import FakeAtsSink
from tests.unit.outbox.fakes import RecordingJobQueue
from tests.unit.outbox.fakes import add_ats_connection
from tests.unit.outbox.fakes import add_delivery
from tests.unit.outbox.fakes import ats_payload
from tests.unit.outbox.fakes import lms_payload

if t.TYPE_CHECKING:
    from flask import Flask

    from lti.ags.factory import AgsClientFactory
    from plugin.ats.connections import AtsConnectionService

EMAIL = "ada@example.edu"


@dataclasses.dataclass
class World:
    """A worker on the real outbox and store, with the remote sides faked."""

    app: Flask
    outbox: Outbox
    gradebook: FakeAgsClientFactory
    sink: FakeAtsSink
    connection_id: int
    queue: RecordingJobQueue
    worker: DeliveryWorker

    def lms_delivery(self, attempt_id: int, version: int = 1, score_given: float = 80.0) -> int:
        payload = lms_payload(self.app, attempt_id)
        payload["score"]["scoreGiven"] = score_given
        return add_delivery(
            self.app, self.outbox, attempt_id, version, NewDelivery(LMS_TARGET, payload)
        )

    def ats_delivery(self, attempt_id: int, version: int = 1) -> int:
        new = NewDelivery(
            ats_target(self.connection_id),
            ats_payload(self.app, attempt_id),
            ats_connection_id=self.connection_id,
        )
        return add_delivery(self.app, self.outbox, attempt_id, version, new)

    def row(self, delivery_id: int) -> Delivery:
        with services(self.app).sessions() as session:
            row = session.get(Delivery, delivery_id)
            assert row is not None
            return row

    def tries(self, delivery_id: int) -> list[tuple[int, str, int | None, str]]:
        with services(self.app).sessions() as session:
            rows = session.scalars(
                select(DeliveryTry)
                .where(DeliveryTry.delivery_id == delivery_id)
                .order_by(DeliveryTry.number)
            )
            return [(x.number, x.outcome, x.status_code, x.message) for x in rows]


@pytest.fixture
def world(app: Flask) -> World:
    sessions = services(app).sessions
    outbox = Outbox(sessions, RetryPolicy(max_tries=3), rng=random.Random(7))
    gradebook = FakeAgsClientFactory()
    sink = FakeAtsSink({EMAIL: "cand-1"})
    connection_id = add_ats_connection(app)
    connections = FakeAtsConnections({connection_id: sink})
    queue = RecordingJobQueue()
    worker = DeliveryWorker(
        outbox,
        LmsSender(sessions, services(app).platforms, t.cast("AgsClientFactory", gradebook)),
        AtsSender(sessions, t.cast("AtsConnectionService", connections)),
        queue,
    )
    return World(app, outbox, gradebook, sink, connection_id, queue, worker)


def make_delivery(world: World, target: str) -> int:
    attempt = make_attempt(world.app, email=EMAIL)
    return world.lms_delivery(attempt) if target == "lms" else world.ats_delivery(attempt)


def fail_next_send(world: World, target: str, *, retryable: bool, status: int, **kw: t.Any) -> str:
    """Script the target's next answer as a failure; returns its message."""
    if target == "lms":
        message = f"posting a score failed (HTTP {status})"
        world.gradebook.fail(
            "post_score", AgsError(message, status=status, retryable=retryable, **kw)
        )
    else:
        message = f"the ATS answered HTTP {status}"
        world.sink.fail(AtsError(message, status=status, retryable=retryable, **kw))
    return message


def test_a_grade_is_posted_to_the_lms_and_recorded_delivered_with_its_receipt(
    world: World,
) -> None:
    attempt = make_attempt(world.app)
    delivery = world.lms_delivery(attempt, score_given=72.5)

    recorded = world.worker.deliver(delivery)

    assert recorded is not None and recorded.status is DeliveryStatus.DELIVERED
    ((url, score),) = world.gradebook.scores
    assert score["scoreGiven"] == 72.5
    assert world.sink.delivered == []
    row = world.row(delivery)
    assert row.status == "delivered" and row.delivered_at is not None
    assert row.receipt == f"score posted to {url} (timestamp 2024-05-01T10:00:00.000+00:00)"
    assert world.tries(delivery) == [(1, "delivered", None, row.receipt)]
    assert world.queue.deliveries == []


def test_a_result_for_an_ats_goes_to_the_sink_of_its_connection(world: World) -> None:
    attempt = make_attempt(world.app, email=EMAIL)
    delivery = world.ats_delivery(attempt)

    recorded = world.worker.deliver(delivery)

    assert recorded is not None and recorded.status is DeliveryStatus.DELIVERED
    (sent,) = world.sink.delivered
    assert sent.result_id == f"result-{attempt}" and sent.candidate.email == EMAIL
    assert world.gradebook.scores == []
    assert world.row(delivery).receipt == "0 fields written"
    assert world.tries(delivery) == [(1, "delivered", None, "0 fields written")]


@pytest.mark.parametrize("target", ["lms", "ats"])
def test_a_retryable_failure_is_tried_again_no_sooner_than_the_target_asked(
    world: World, target: str
) -> None:
    delivery = make_delivery(world, target)
    message = fail_next_send(world, target, retryable=True, status=429, retry_after=600)
    before = utcnow()

    recorded = world.worker.deliver(delivery)

    assert recorded is not None and recorded.status is DeliveryStatus.FAILED
    assert recorded.next_try_at is not None
    # The backoff of a first try is at most 30 s: only Retry-After explains ten minutes.
    assert recorded.next_try_at >= before + dt.timedelta(seconds=600)
    row = world.row(delivery)
    assert row.status == "failed" and row.last_error == message
    assert row.next_try_at == recorded.next_try_at
    assert world.tries(delivery) == [(1, "retry", 429, message)]
    assert world.queue.deliveries == [(delivery, recorded.next_try_at)]


@pytest.mark.parametrize("target", ["lms", "ats"])
def test_a_refusal_is_dead_with_the_reason_and_not_queued_again(world: World, target: str) -> None:
    delivery = make_delivery(world, target)
    message = fail_next_send(world, target, retryable=False, status=422)

    recorded = world.worker.deliver(delivery)

    assert recorded is not None and recorded.status is DeliveryStatus.DEAD
    row = world.row(delivery)
    assert row.status == "dead" and row.last_error == message
    assert world.tries(delivery) == [(1, "dead", 422, message)]
    assert world.queue.deliveries == []


def test_an_unexpected_error_is_retried_with_its_type_in_the_reason(world: World) -> None:
    attempt = make_attempt(world.app)
    payload = lms_payload(world.app, attempt)
    del payload["score"]["userId"]  # the AGS client refuses it with a ValueError
    delivery = add_delivery(world.app, world.outbox, attempt, 1, NewDelivery(LMS_TARGET, payload))

    recorded = world.worker.deliver(delivery)

    assert recorded is not None and recorded.status is DeliveryStatus.FAILED
    reason = "unexpected error: ValueError: a score needs a userId"
    assert world.row(delivery).last_error == reason
    assert world.tries(delivery) == [(1, "retry", None, reason)]
    assert world.queue.deliveries == [(delivery, recorded.next_try_at)]


def test_a_delivery_waiting_for_its_next_try_sends_nothing(world: World) -> None:
    delivery = make_delivery(world, "lms")
    fail_next_send(world, "lms", retryable=True, status=503)
    world.worker.deliver(delivery)
    world.queue.deliveries.clear()

    assert world.worker.deliver(delivery) is None
    assert world.gradebook.scores == []
    assert world.row(delivery).status == "failed"
    assert len(world.tries(delivery)) == 1
    assert world.queue.deliveries == []


def test_a_delivered_delivery_is_not_sent_again(world: World) -> None:
    delivery = make_delivery(world, "ats")
    world.worker.deliver(delivery)

    assert world.worker.deliver(delivery) is None
    assert len(world.sink.delivered) == 1
    assert [x[1] for x in world.tries(delivery)] == ["delivered"]


def test_a_delivery_held_by_another_worker_sends_nothing(world: World) -> None:
    delivery = make_delivery(world, "lms")
    held = world.outbox.claim(delivery)
    assert held is not None

    assert world.worker.deliver(delivery) is None
    assert world.gradebook.scores == []
    row = world.row(delivery)
    assert row.status == "sending" and row.claim == held.token and row.tries == 1
    assert world.tries(delivery) == []


def test_a_newer_version_that_waited_behind_a_delivery_is_woken_when_it_ends(
    world: World,
) -> None:
    attempt = make_attempt(world.app)
    older = world.lms_delivery(attempt, 1, score_given=50.0)
    newer: list[int] = []
    # A new result arrives while the older score is on its way: its claim is refused then.
    world.gradebook.on_score = lambda: newer.append(world.lms_delivery(attempt, 2, 90.0))

    recorded = world.worker.deliver(older)

    assert recorded is not None and recorded.status is DeliveryStatus.DELIVERED
    assert len(newer) == 1
    assert world.row(newer[0]).status == "pending"
    assert world.queue.deliveries == [(newer[0], None)]


def test_a_failure_overtaken_by_a_newer_version_is_superseded_and_wakes_the_newer(
    world: World,
) -> None:
    attempt = make_attempt(world.app)
    older = world.lms_delivery(attempt, 1, score_given=50.0)
    newer: list[int] = []
    world.gradebook.on_score = lambda: newer.append(world.lms_delivery(attempt, 2, 90.0))
    fail_next_send(world, "lms", retryable=True, status=503)

    recorded = world.worker.deliver(older)

    assert recorded is not None and recorded.status is DeliveryStatus.SUPERSEDED
    assert world.row(older).status == "superseded"
    assert world.tries(older)[0][1] == "superseded"
    # Only the newer version is queued: the older one is not retried.
    assert world.queue.deliveries == [(newer[0], None)]
