"""The outbox state machine on the real store (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
import random
import typing as t

import pytest
from sqlalchemy import select

from plugin.outbox.deliveries import LEASE
from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import DeliveryStatus
from plugin.outbox.deliveries import Failure
from plugin.outbox.deliveries import NewDelivery
from plugin.outbox.deliveries import Outbox
from plugin.outbox.deliveries import RetryPolicy
from plugin.services import services
from plugin.store.models import Delivery
from plugin.store.models import DeliveryTry
from plugin.store.models import utcnow
from tests.unit.factories import make_attempt

if t.TYPE_CHECKING:
    from flask import Flask


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    return Outbox(services(app).sessions, RetryPolicy(max_tries=3), rng=random.Random(7))


def add(app: Flask, outbox: Outbox, attempt_id: int, version: int, score: float) -> list[int]:
    with services(app).sessions.begin() as session:
        return outbox.add(session, attempt_id, version, [NewDelivery(LMS_TARGET, {"score": score})])


def statuses(app: Flask, attempt_id: int) -> dict[int, str]:
    with services(app).sessions() as session:
        rows = session.execute(
            select(Delivery.version, Delivery.status).where(Delivery.attempt_id == attempt_id)
        )
        return {version: status for version, status in rows}


def test_a_newer_version_supersedes_an_unsent_older_one(app: Flask, outbox: Outbox) -> None:
    attempt = make_attempt(app)
    (first,) = add(app, outbox, attempt, 1, 50.0)
    (second,) = add(app, outbox, attempt, 2, 80.0)

    assert statuses(app, attempt) == {1: "superseded", 2: "pending"}
    assert outbox.claim(first) is None
    claim = outbox.claim(second)
    assert claim is not None and claim.payload == {"score": 80.0} and claim.tries == 1


def test_a_payload_the_target_already_holds_is_not_written_again(
    app: Flask, outbox: Outbox
) -> None:
    attempt = make_attempt(app)
    (first,) = add(app, outbox, attempt, 1, 50.0)
    claim = outbox.claim(first)
    assert claim is not None
    outbox.delivered(claim, "ok")

    assert add(app, outbox, attempt, 2, 50.0) == []
    assert add(app, outbox, attempt, 3, 60.0) != []


def test_going_back_to_the_delivered_payload_supersedes_the_pending_change(
    app: Flask, outbox: Outbox
) -> None:
    attempt = make_attempt(app)
    (first,) = add(app, outbox, attempt, 1, 50.0)
    claim = outbox.claim(first)
    assert claim is not None
    outbox.delivered(claim, "ok")
    add(app, outbox, attempt, 2, 70.0)

    assert add(app, outbox, attempt, 3, 50.0) == []
    assert statuses(app, attempt) == {1: "delivered", 2: "superseded"}


def test_only_one_worker_holds_a_claim(app: Flask, outbox: Outbox) -> None:
    (delivery,) = add(app, outbox, make_attempt(app), 1, 1.0)
    assert outbox.claim(delivery) is not None
    assert outbox.claim(delivery) is None


def test_an_expired_claim_is_handed_out_again_and_the_old_holder_cannot_record(
    app: Flask, outbox: Outbox
) -> None:
    (delivery,) = add(app, outbox, make_attempt(app), 1, 1.0)
    stale = outbox.claim(delivery)
    assert stale is not None
    later = utcnow() + LEASE + dt.timedelta(seconds=1)

    assert delivery in outbox.overdue(now=later)
    fresh = outbox.claim(delivery, now=later)
    assert fresh is not None and fresh.tries == 2
    outbox.delivered(stale, "from the killed worker")
    with services(app).sessions() as session:
        row = session.get(Delivery, delivery)
        assert row is not None and row.status == "sending" and row.receipt is None
    outbox.delivered(fresh, "ok")
    with services(app).sessions() as session:
        row = session.get(Delivery, delivery)
        assert row is not None and row.status == "delivered" and row.receipt == "ok"


def test_a_version_waits_while_an_older_one_is_being_sent(app: Flask, outbox: Outbox) -> None:
    attempt = make_attempt(app)
    (older,) = add(app, outbox, attempt, 1, 10.0)
    sending = outbox.claim(older)
    assert sending is not None
    (newer,) = add(app, outbox, attempt, 2, 20.0)

    assert outbox.claim(newer) is None
    assert outbox.waiting_behind(sending) == [newer]  # woken when the older one ends
    outbox.failed(sending, Failure("HTTP 503", retryable=True, status=503))
    assert statuses(app, attempt) == {1: "superseded", 2: "pending"}
    assert outbox.claim(newer) is not None


def test_a_retryable_failure_waits_at_least_retry_after(app: Flask, outbox: Outbox) -> None:
    (delivery,) = add(app, outbox, make_attempt(app), 1, 1.0)
    claim = outbox.claim(delivery)
    assert claim is not None
    before = utcnow()
    recorded = outbox.failed(claim, Failure("slow down", True, status=429, retry_after=120))

    assert recorded.status is DeliveryStatus.FAILED and recorded.next_try_at is not None
    assert recorded.next_try_at >= before + dt.timedelta(seconds=120)
    assert outbox.claim(delivery) is None
    assert outbox.claim(delivery, now=recorded.next_try_at) is not None


def test_a_refusal_is_dead_at_once_with_the_reason(app: Flask, outbox: Outbox) -> None:
    (delivery,) = add(app, outbox, make_attempt(app), 1, 1.0)
    claim = outbox.claim(delivery)
    assert claim is not None
    recorded = outbox.failed(claim, Failure("line item is gone", retryable=False, status=404))

    assert recorded.status is DeliveryStatus.DEAD
    with services(app).sessions() as session:
        row = session.get(Delivery, delivery)
        assert row is not None and row.last_error == "line item is gone"
        tries = session.scalars(select(DeliveryTry).where(DeliveryTry.delivery_id == delivery))
        assert [(x.outcome, x.status_code) for x in tries] == [("dead", 404)]


def test_the_last_try_makes_a_failing_delivery_dead(app: Flask, outbox: Outbox) -> None:
    (delivery,) = add(app, outbox, make_attempt(app), 1, 1.0)
    moment = utcnow()
    outcomes = []
    for _ in range(3):
        claim = outbox.claim(delivery, now=moment)
        assert claim is not None
        recorded = outbox.failed(claim, Failure("HTTP 500", retryable=True, status=500))
        outcomes.append(recorded.status)
        moment = recorded.next_try_at or moment

    assert outcomes == [DeliveryStatus.FAILED, DeliveryStatus.FAILED, DeliveryStatus.DEAD]
    with services(app).sessions() as session:
        row = session.get(Delivery, delivery)
        assert row is not None and row.last_error == "gave up after 3 tries; last: HTTP 500"


def test_retry_dead_queues_only_the_latest_version(app: Flask, outbox: Outbox) -> None:
    attempt = make_attempt(app)
    (older,) = add(app, outbox, attempt, 1, 1.0)
    claim = outbox.claim(older)
    assert claim is not None
    outbox.failed(claim, Failure("refused", retryable=False))
    assert outbox.retry_dead([older]) == 1
    claim = outbox.claim(older)
    assert claim is not None and claim.tries == 1
    outbox.failed(claim, Failure("refused", retryable=False))
    add(app, outbox, attempt, 2, 2.0)

    assert outbox.retry_dead([older]) == 0


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(first=dt.timedelta(seconds=10))
    rng = random.Random(1)
    waits = [policy.wait(n, None, rng).total_seconds() for n in (1, 2, 3, 20)]

    assert 5 <= waits[0] <= 10 and 10 <= waits[1] <= 20 and 20 <= waits[2] <= 40
    assert 1800 <= waits[3] <= 3600
    assert policy.wait(1, 90, rng) >= dt.timedelta(seconds=90)


def test_try_numbers_keep_counting_after_a_retry_of_a_dead_delivery(
    app: Flask, outbox: Outbox
) -> None:
    (delivery,) = add(app, outbox, make_attempt(app), 1, 1.0)
    moment = utcnow()
    for _ in range(3):
        claim = outbox.claim(delivery, now=moment)
        assert claim is not None
        moment = outbox.failed(claim, Failure("HTTP 500", True, status=500)).next_try_at or moment
    assert outbox.retry_dead([delivery]) == 1

    claim = outbox.claim(delivery)
    assert claim is not None and claim.tries == 1  # a full budget again
    outbox.failed(claim, Failure("HTTP 500", True, status=500))
    with services(app).sessions() as session:
        tries = session.scalars(
            select(DeliveryTry.number)
            .where(DeliveryTry.delivery_id == delivery)
            .order_by(DeliveryTry.id)
        )
        assert list(tries) == [1, 2, 3, 4]


def test_a_try_lost_with_its_worker_keeps_its_number(app: Flask, outbox: Outbox) -> None:
    (delivery,) = add(app, outbox, make_attempt(app), 1, 1.0)
    assert outbox.claim(delivery) is not None  # the worker dies before recording
    fresh = outbox.claim(delivery, now=utcnow() + LEASE + dt.timedelta(seconds=1))
    assert fresh is not None
    outbox.delivered(fresh, "ok")
    with services(app).sessions() as session:
        numbers = session.scalars(
            select(DeliveryTry.number).where(DeliveryTry.delivery_id == delivery)
        )
        assert list(numbers) == [2]
