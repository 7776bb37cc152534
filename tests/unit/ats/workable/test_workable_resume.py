"""A Workable delivery that stops part way resumes on its next try: the candidate found
and every attribute Workable accepted are stored as they happen (``ats_field_writes``),
so a retry neither looks the candidate up again nor repeats accepted writes, and a later
result writes only the values that changed. The sender and store are real, the sink
talks to the strict simulator over HTTP."""

from __future__ import annotations

import dataclasses
import time
import typing as t

import pytest
import requests
from sqlalchemy import select

from mappings.ats import FieldWrite
from plugin.ats.base import AtsError
from plugin.ats.workable import WorkableSink
from plugin.outbox.deliveries import Claim
from plugin.outbox.deliveries import ats_target
from plugin.outbox.senders.ats import AtsSender
from plugin.services import services
from plugin.store.models import AtsCandidate
from plugin.store.models import AtsFieldWrite
from plugin.store.models import utcnow
from tests.unit.ats.workable.conftest import EMAIL
from tests.unit.factories import make_attempt
from tests.unit.outbox.fakes import FakeAtsConnections
from tests.unit.outbox.fakes import add_ats_connection
from tests.unit.outbox.fakes import ats_payload

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

    from flask import Flask

    from plugin.ats.connections import AtsConnectionService
    from tests.unit.ats.workable.conftest import Workable

KEYS = [f"n{i}" for i in range(10)]
MAX_TRIES = 8


def writes(values: Sequence[float]) -> list[dict[str, t.Any]]:
    return [
        dataclasses.asdict(FieldWrite("workable", "score", key, "numeric", value))
        for key, value in zip(KEYS, values, strict=False)
    ]


class Delivery:
    """One learner's delivery to one Workable connection, sent as the outbox sends it."""

    def __init__(self, app: Flask, workable: Workable, sink: WorkableSink) -> None:
        for key in KEYS:
            workable.sandbox.add_attribute(key.upper(), "numeric", id=key)
        self.candidate = workable.sandbox.add_candidate(EMAIL)["id"]
        self.app = app
        self.workable = workable
        self.connection_id = add_ats_connection(app)
        connections = FakeAtsConnections({self.connection_id: sink})
        self.sender = AtsSender(services(app).sessions, t.cast("AtsConnectionService", connections))
        self.attempt = make_attempt(app, email=EMAIL)

    def send(self, values: Sequence[float], version: int = 1) -> str:
        payload = {**ats_payload(self.app, self.attempt), "writes": writes(values)}
        claim = Claim(
            delivery_id=1,
            attempt_id=self.attempt,
            target=ats_target(self.connection_id),
            ats_connection_id=self.connection_id,
            version=version,
            payload=payload,
            tries=1,
            token="token",
            started_at=utcnow(),
        )
        return self.sender.send(claim)

    def until_done(self, values: Sequence[float]) -> tuple[str, int]:
        """Send again after every retryable error, as the outbox would; the receipt and
        the number of tries."""
        for tries in range(1, MAX_TRIES + 1):
            try:
                return self.send(values), tries
            except AtsError as error:
                assert error.retryable, error.message
                time.sleep(error.retry_after or 0.05)
        pytest.fail(f"the delivery did not finish in {MAX_TRIES} tries")

    def writes_by_attribute(self) -> dict[str, int]:
        found: dict[str, int] = self.workable.sandbox.candidate(self.candidate)[
            "writes_by_attribute"
        ]
        return found

    def lookups(self) -> int:
        count: int = self.workable.sandbox.stats()["requests"].get("candidates", 0)
        return count


class FailingOnce(requests.Session):
    """A session whose ``fail_at``-th attribute write (1-based) fails to connect, once."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self._left = fail_at

    def request(
        self, method: str | bytes, url: str | bytes, *args: t.Any, **kwargs: t.Any
    ) -> t.Any:  # type: ignore[override]
        if method == "PATCH":
            self._left -= 1
            if self._left == 0:
                raise requests.ConnectionError("connection reset")
        return super().request(method, url, *args, **kwargs)


def test_a_delivery_longer_than_a_rate_interval_finishes_writing_each_field_once(
    app: Flask, workable_factory: Callable[..., Workable]
) -> None:
    """4 requests per 0.5 s interval and a maximum wait of 0.05 s: a try stops once the
    interval is spent, the next one carries on (1 lookup + 10 writes: 4, 4 and 3 requests)."""
    workable = workable_factory(rate_limit=4, window_seconds=0.5)
    delivery = Delivery(app, workable, workable.sink(max_wait_seconds="0.05"))
    values = [float(i) for i in range(10)]

    receipt, tries = delivery.until_done(values)

    assert tries == 3
    assert delivery.writes_by_attribute() == dict.fromkeys(KEYS, 1)
    assert delivery.lookups() == 1
    assert receipt == "3 attributes written, 7 unchanged"
    stored = workable.sandbox.candidate(delivery.candidate)["custom_attributes"]
    assert stored == dict(zip(KEYS, values, strict=True))


def test_a_retry_after_a_failure_mid_delivery_repeats_neither_lookup_nor_accepted_writes(
    app: Flask, workable: Workable
) -> None:
    sink = WorkableSink(workable.config(), session=FailingOnce(fail_at=4))
    delivery = Delivery(app, workable, sink)
    values = [1.0, 2.0, 3.0, 4.0, 5.0]

    with pytest.raises(AtsError) as failed:
        delivery.send(values)
    assert failed.value.retryable
    with services(app).sessions() as session:
        remembered = session.scalars(select(AtsCandidate.candidate_id)).all()
        accepted = session.scalars(select(AtsFieldWrite.field_key)).all()
    assert remembered == [delivery.candidate]
    assert sorted(accepted) == KEYS[:3]

    receipt = delivery.send(values)

    assert receipt == "2 attributes written, 3 unchanged"
    assert delivery.lookups() == 1
    assert delivery.writes_by_attribute() == dict.fromkeys(KEYS[:5], 1)


def test_a_changed_value_is_written_again_and_an_unchanged_one_is_not(
    app: Flask, workable: Workable
) -> None:
    delivery = Delivery(app, workable, workable.sink())
    assert delivery.send([1.0, 2.0, 3.0]) == "3 attributes written"

    receipt = delivery.send([1.0, 2.5, 3.0], version=2)

    assert receipt == "1 attribute written, 2 unchanged"
    assert delivery.writes_by_attribute() == {"n0": 1, "n1": 2, "n2": 1}
    stored = workable.sandbox.candidate(delivery.candidate)["custom_attributes"]
    assert stored == {"n0": 1.0, "n1": 2.5, "n2": 3.0}
