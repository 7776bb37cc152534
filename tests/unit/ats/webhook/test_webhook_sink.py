"""WebhookSink against the strict receiver simulator, over real HTTP."""

from __future__ import annotations

import json
import time
import typing as t

import pytest

from mappings.ats import FieldWrite
from mappings.ats import build_field_writes
from mappings.ats import plan_field_writes
from plugin.ats.base import AtsError
from plugin.ats.webhook import verify_signature
from tests.unit.ats.webhook.conftest import EMAIL
from tests.unit.ats.webhook.conftest import RESULT
from tests.unit.ats.webhook.conftest import SECRET
from tests.unit.ats.webhook.conftest import payload

if t.TYPE_CHECKING:
    from tests.unit.ats.webhook.conftest import Receiver

FIELD_MAP = {
    "target": "webhook",
    "fields": {
        "score_percent": {"key": "score", "type": "number"},
        "passed": {"key": "passed", "type": "boolean"},
        "completed_at": {"key": "completed_on", "type": "date"},
        "summary": {"key": "summary", "type": "string"},
        "report_url": {"key": "report", "type": "url", "when_missing": "clear"},
        "level": {"key": "level", "type": "string"},
    },
}


def mapped_writes() -> tuple[FieldWrite, ...]:
    return tuple(build_field_writes(RESULT, plan_field_writes(FIELD_MAP)))


def test_delivers_the_signed_document(receiver: Receiver) -> None:
    receipt = receiver.sink().deliver(payload(mapped_writes(), candidate_id="c-1"))
    assert receipt.candidate_id == "c-1"
    assert receipt.detail == "6 fields posted"
    [entry] = receiver.sandbox.received()
    assert entry["idempotency_key"] == "result-1"
    assert entry["body"] == {
        "result_id": "result-1",
        "candidate": {"email": EMAIL, "id": "c-1"},
        "fields": {
            "score": 82.5,
            "passed": True,
            "completed_on": "2025-03-04",
            "summary": "Java: completed; score 41.25/50; 82.5%; passed; level Expert",
            "report": None,
            "level": "Expert",
        },
        "result": {"vendor": "mettl", "percent": "82.5"},
    }
    sent = json.dumps(entry["body"], sort_keys=True, separators=(",", ":"))
    verify_signature(SECRET, entry["signature"], sent)


def test_a_repeat_is_a_duplicate_not_a_second_delivery(receiver: Receiver) -> None:
    sink = receiver.sink()
    first = sink.deliver(payload(mapped_writes()))
    again = sink.deliver(payload(mapped_writes()))
    assert first == again
    assert first.candidate_id == ""
    assert len(receiver.sandbox.received()) == 1
    assert receiver.sandbox.stats()["counts"] == {"accepted": 1, "duplicate": 1}


def test_a_reused_key_with_another_body_needs_a_person(receiver: Receiver) -> None:
    sink = receiver.sink()
    sink.deliver(payload(result={"percent": "10"}))
    with pytest.raises(AtsError) as caught:
        sink.deliver(payload(result={"percent": "90"}))
    assert (caught.value.status, caught.value.retryable) == (409, False)
    assert "different body" in caught.value.message


def test_the_answered_candidate_id_wins(receiver: Receiver) -> None:
    receiver.sandbox.answer_with(202, {"candidate_id": "ats-77"})
    receipt = receiver.sink().deliver(payload(candidate_id="c-1"))
    assert receipt.candidate_id == "ats-77"


def test_a_stale_signature_is_refused_by_the_receiver(receiver: Receiver) -> None:
    sink = receiver.sink(clock=lambda: time.time() - 1000)
    with pytest.raises(AtsError) as caught:
        sink.deliver(payload(mapped_writes()))
    assert (caught.value.status, caught.value.retryable) == (401, False)
    assert "stale" in caught.value.message
    assert receiver.sandbox.received() == []


def test_a_wrong_secret_is_refused_without_showing_it(receiver: Receiver) -> None:
    other = "whsec-not-the-shared-one"
    with pytest.raises(AtsError) as caught:
        receiver.sink(secret=other).deliver(payload(mapped_writes()))
    assert (caught.value.status, caught.value.retryable) == (401, False)
    assert "signature mismatch" in caught.value.message
    assert other not in str(caught.value)
    assert SECRET not in str(caught.value)
    assert EMAIL not in str(caught.value)


def test_a_gone_receiver_needs_a_person(receiver: Receiver) -> None:
    receiver.sandbox.answer_with(410, {"error": "endpoint retired"})
    with pytest.raises(AtsError) as caught:
        receiver.sink().deliver(payload())
    assert (caught.value.status, caught.value.retryable) == (410, False)
    assert "receiver gone" in caught.value.message


@pytest.mark.parametrize("status", [408, 429, 500, 502])
def test_busy_or_failing_receivers_are_retryable(receiver: Receiver, status: int) -> None:
    receiver.sandbox.answer_with(status, {"error": "busy"})
    with pytest.raises(AtsError) as caught:
        receiver.sink().deliver(payload())
    assert (caught.value.status, caught.value.retryable) == (status, True)


def test_retry_after_is_honoured(receiver: Receiver) -> None:
    receiver.sandbox.set_faults(error_rate=1.0, retry_after=42)
    with pytest.raises(AtsError) as caught:
        receiver.sink().deliver(payload())
    assert caught.value.retryable
    assert caught.value.retry_after == 42


def test_other_refusals_quote_the_answer(receiver: Receiver) -> None:
    receiver.sandbox.answer_with(400, {"error": f"bad field level; key {SECRET}"})
    with pytest.raises(AtsError) as caught:
        receiver.sink().deliver(payload())
    assert (caught.value.status, caught.value.retryable) == (400, False)
    assert "bad field level" in caught.value.message
    assert SECRET not in caught.value.message


def test_an_unreachable_receiver_is_retryable(receiver: Receiver) -> None:
    sink = receiver.sink()
    receiver.served.shutdown()
    with pytest.raises(AtsError) as caught:
        sink.deliver(payload())
    assert caught.value.retryable
    assert caught.value.status is None


def test_writes_for_another_target_are_refused(receiver: Receiver) -> None:
    writes = (FieldWrite("workable", "score", "score", "numeric", 3),)
    with pytest.raises(AtsError, match="workable"):
        receiver.sink().deliver(payload(writes))
    assert receiver.sandbox.stats()["statuses"] == {}


def test_check_connection_pings(receiver: Receiver) -> None:
    sink = receiver.sink()
    assert sink.check_connection() == "receiver answered HTTP 200 to a signed ping"
    assert sink.list_fields() == []
    assert receiver.sandbox.stats()["counts"] == {"pings": 1}
    assert receiver.sandbox.received() == []


def test_check_connection_with_a_wrong_secret_fails(receiver: Receiver) -> None:
    with pytest.raises(AtsError) as caught:
        receiver.sink(secret="whsec-not-the-shared-one").check_connection()
    assert caught.value.status == 401
