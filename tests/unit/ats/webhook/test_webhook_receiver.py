"""The receiver simulator checks signatures with its own code, and is strict."""

from __future__ import annotations

import json
import time
import typing as t

import requests

from plugin.ats.webhook import sign
from tests.unit.ats.webhook.conftest import SECRET

if t.TYPE_CHECKING:
    from tests.unit.ats.webhook.conftest import Receiver

BODY = json.dumps({"result_id": "r-1", "fields": {}}, sort_keys=True, separators=(",", ":"))


def post(
    receiver: Receiver,
    body: str = BODY,
    *,
    signature: str | None = None,
    key: str | None = "r-1",
    content_type: str = "application/json",
) -> requests.Response:
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers["X-Bridge-Signature"] = signature
    if key is not None:
        headers["Idempotency-Key"] = key
    return requests.post(receiver.url, data=body.encode(), headers=headers, timeout=5)


def now() -> int:
    return int(time.time())


def test_a_signed_delivery_is_stored(receiver: Receiver) -> None:
    answer = post(receiver, signature=sign(SECRET, BODY, now()))
    assert answer.status_code == 200
    assert answer.json() == {"status": "accepted"}
    assert [entry["body"] for entry in receiver.sandbox.received()] == [json.loads(BODY)]


def test_missing_malformed_stale_or_tampered_signatures_are_401(receiver: Receiver) -> None:
    tampered = BODY.replace("r-1", "r-2")
    refusals = {
        "missing signature": post(receiver),
        "malformed signature header": post(receiver, signature="v1=abc"),
        "stale signature timestamp": post(receiver, signature=sign(SECRET, BODY, now() - 301)),
        "signature mismatch": post(receiver, tampered, signature=sign(SECRET, BODY, now())),
    }
    for reason, answer in refusals.items():
        assert answer.status_code == 401, reason
        assert answer.json() == {"error": reason}
    assert receiver.sandbox.received() == []
    assert receiver.sandbox.stats()["statuses"] == {"401": 4}


def test_a_future_signature_beyond_tolerance_is_401(receiver: Receiver) -> None:
    assert post(receiver, signature=sign(SECRET, BODY, now() + 301)).status_code == 401


def test_same_key_same_body_is_a_duplicate_other_body_a_conflict(receiver: Receiver) -> None:
    assert post(receiver, signature=sign(SECRET, BODY, now())).status_code == 200
    repeat = post(receiver, signature=sign(SECRET, BODY, now() - 5))
    assert (repeat.status_code, repeat.json()) == (200, {"status": "duplicate"})
    other = json.dumps({"result_id": "r-1", "fields": {"x": 1}})
    conflict = post(receiver, other, signature=sign(SECRET, other, now()))
    assert conflict.status_code == 409
    assert len(receiver.sandbox.received()) == 1
    assert receiver.sandbox.stats()["counts"] == {"accepted": 1, "duplicate": 1, "conflict": 1}


def test_a_delivery_needs_an_idempotency_key(receiver: Receiver) -> None:
    answer = post(receiver, signature=sign(SECRET, BODY, now()), key=None)
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["error"]


def test_only_json_is_accepted(receiver: Receiver) -> None:
    answer = post(receiver, signature=sign(SECRET, BODY, now()), content_type="text/plain")
    assert answer.status_code == 415


def test_a_signed_ping_is_answered_and_not_stored(receiver: Receiver) -> None:
    ping = '{"type":"ping"}'
    answer = post(receiver, ping, signature=sign(SECRET, ping, now()), key=None)
    assert (answer.status_code, answer.json()) == (200, {"status": "pong"})
    assert receiver.sandbox.received() == []


def test_reset_forgets_deliveries_and_the_forced_answer(receiver: Receiver) -> None:
    post(receiver, signature=sign(SECRET, BODY, now()))
    receiver.sandbox.answer_with(410)
    assert post(receiver, signature=sign(SECRET, BODY, now())).status_code == 410
    receiver.sandbox.reset()
    assert receiver.sandbox.received() == []
    answer = post(receiver, signature=sign(SECRET, BODY, now()))
    assert answer.json() == {"status": "accepted"}


def test_faults_spare_the_control_api(receiver: Receiver) -> None:
    receiver.sandbox.set_faults(rate_limit_rate=1.0, retry_after=3)
    answer = post(receiver, signature=sign(SECRET, BODY, now()))
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"
    assert receiver.sandbox.stats()["statuses"] == {"429": 1}
