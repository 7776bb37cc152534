"""The delivery report people read: counts, lists and one delivery's tries, over deliveries
brought into each state by the real outbox."""

from __future__ import annotations

import dataclasses
import random
import typing as t

import pytest
from sqlalchemy import update

from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import Failure
from plugin.outbox.deliveries import NewDelivery
from plugin.outbox.deliveries import Outbox
from plugin.outbox.deliveries import RetryPolicy
from plugin.outbox.report import DeliveryReport
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import utcnow
from tests.unit.factories import make_attempt
from tests.unit.outbox.fakes import add_delivery

if t.TYPE_CHECKING:
    import datetime as dt

    from flask import Flask


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    return Outbox(services(app).sessions, RetryPolicy(max_tries=3), rng=random.Random(7))


@pytest.fixture
def report(app: Flask) -> DeliveryReport:
    return DeliveryReport(services(app).sessions)


def add(app: Flask, outbox: Outbox, attempt_id: int, version: int = 1) -> int:
    new = NewDelivery(LMS_TARGET, {"score": version})
    return add_delivery(app, outbox, attempt_id, version, new)


def send(outbox: Outbox, delivery_id: int, failure: Failure | None = None) -> dt.datetime | None:
    """Claim and record one try: delivered, or ``failure``; returns the next try's time."""
    claim = outbox.claim(delivery_id)
    assert claim is not None
    if failure is None:
        outbox.delivered(claim, "score posted")
        return None
    return outbox.failed(claim, failure).next_try_at


def ask_sync(app: Flask, *attempt_ids: int) -> None:
    with services(app).sessions.begin() as session:
        session.execute(
            update(Attempt).where(Attempt.id.in_(attempt_ids)).values(sync_requested_at=utcnow())
        )


@dataclasses.dataclass(frozen=True)
class Seeded:
    """One delivery in each state, on four attempts."""

    delivered: int
    superseded: int
    pending: int
    failed: int
    dead: int
    attempts: tuple[int, int, int, int]
    next_try_at: dt.datetime


@pytest.fixture
def seeded(app: Flask, outbox: Outbox) -> Seeded:
    attempts = (make_attempt(app), make_attempt(app), make_attempt(app), make_attempt(app))
    delivered = add(app, outbox, attempts[0])
    send(outbox, delivered)
    superseded = add(app, outbox, attempts[1], 1)
    pending = add(app, outbox, attempts[1], 2)
    failed = add(app, outbox, attempts[2])
    next_try_at = send(outbox, failed, Failure("HTTP 503", retryable=True, status=503))
    assert next_try_at is not None
    dead = add(app, outbox, attempts[3])
    send(outbox, dead, Failure("line item is gone", retryable=False, status=404))
    return Seeded(delivered, superseded, pending, failed, dead, attempts, next_try_at)


def test_an_empty_outbox_counts_nothing(report: DeliveryReport) -> None:
    assert report.counts() == {"deliveries": {}, "attempts_owed_sync": 0}
    assert report.rows() == []


def test_deliveries_are_counted_by_status_with_the_attempts_owed_a_sync(
    app: Flask, report: DeliveryReport, seeded: Seeded
) -> None:
    ask_sync(app, seeded.attempts[1], seeded.attempts[3])

    assert report.counts() == {
        "deliveries": {"delivered": 1, "superseded": 1, "pending": 1, "failed": 1, "dead": 1},
        "attempts_owed_sync": 2,
    }


def test_rows_are_newest_first_and_filtered_by_status_and_attempt(
    report: DeliveryReport, seeded: Seeded
) -> None:
    every = [seeded.dead, seeded.failed, seeded.pending, seeded.superseded, seeded.delivered]

    assert [row.id for row in report.rows()] == every
    assert [row.id for row in report.rows(status="dead")] == [seeded.dead]
    assert [row.id for row in report.rows(attempt_id=seeded.attempts[1])] == [
        seeded.pending,
        seeded.superseded,
    ]
    assert [row.id for row in report.rows(status="superseded", attempt_id=seeded.attempts[1])] == [
        seeded.superseded
    ]
    assert report.rows(status="pending", attempt_id=seeded.attempts[0]) == []


def test_rows_stop_at_the_limit_after_filtering(report: DeliveryReport, seeded: Seeded) -> None:
    assert [row.id for row in report.rows(limit=2)] == [seeded.dead, seeded.failed]
    assert [row.id for row in report.rows(attempt_id=seeded.attempts[1], limit=1)] == [
        seeded.pending
    ]


def test_a_row_shows_its_outcome_and_the_next_try_only_while_failed(
    report: DeliveryReport, seeded: Seeded
) -> None:
    rows = {row.id: row for row in report.rows()}

    failed = rows[seeded.failed]
    assert (failed.status, failed.tries, failed.last_error) == ("failed", 1, "HTTP 503")
    assert failed.next_try_at == seeded.next_try_at
    assert rows[seeded.pending].next_try_at is None  # due now: no time to show
    delivered = rows[seeded.delivered]
    assert (delivered.receipt, delivered.next_try_at) == ("score posted", None)
    dead = rows[seeded.dead]
    assert (dead.status, dead.last_error, dead.next_try_at) == ("dead", "line item is gone", None)
    assert (rows[seeded.superseded].version, rows[seeded.pending].version) == (1, 2)


def test_the_tries_of_a_delivery_are_listed_in_order(
    report: DeliveryReport, outbox: Outbox, app: Flask
) -> None:
    delivery = add(app, outbox, make_attempt(app))
    next_try_at = send(outbox, delivery, Failure("HTTP 503", retryable=True, status=503))
    claim = outbox.claim(delivery, now=next_try_at)
    assert claim is not None
    outbox.delivered(claim, "score posted")

    found = report.tries(delivery)

    assert found is not None
    row, tries = found
    assert (row.id, row.status, row.tries, row.receipt) == (
        delivery,
        "delivered",
        2,
        "score posted",
    )
    assert [(x.number, x.outcome, x.status_code, x.message) for x in tries] == [
        (1, "retry", 503, "HTTP 503"),
        (2, "delivered", None, "score posted"),
    ]
    assert tries[0].started_at <= tries[0].finished_at <= tries[1].finished_at


def test_a_delivery_never_tried_has_no_tries(report: DeliveryReport, seeded: Seeded) -> None:
    found = report.tries(seeded.pending)

    assert found is not None
    assert found[0].status == "pending" and found[1] == []


def test_the_tries_of_an_unknown_delivery_are_none(report: DeliveryReport, seeded: Seeded) -> None:
    assert report.tries(seeded.dead + 1000) is None
