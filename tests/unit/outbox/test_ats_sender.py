"""The ATS sender: who the result belongs to, remembering the candidate, and what the sink
is handed (the sink faked, the store real)."""

from __future__ import annotations

import typing as t

import pytest
from sqlalchemy import select
from sqlalchemy import update

from mappings.ats import FieldWrite
from plugin.ats.base import AtsError
from plugin.ats.base import CandidateRef
from plugin.outbox.deliveries import Claim
from plugin.outbox.deliveries import ats_target
from plugin.outbox.senders.ats import AtsSender
from plugin.services import services
from plugin.store.models import AtsCandidate
from plugin.store.models import Attempt
from plugin.store.models import LtiUser
from plugin.store.models import utcnow
from tests.unit.factories import make_attempt
from tests.unit.outbox.fakes import FakeAtsConnections
from tests.unit.outbox.fakes import FakeAtsSink
from tests.unit.outbox.fakes import add_ats_connection
from tests.unit.outbox.fakes import ats_payload

if t.TYPE_CHECKING:
    from flask import Flask

    from plugin.ats.connections import AtsConnectionService

EMAIL = "ada@example.edu"
SCORE_WRITE: dict[str, t.Any] = {
    "target": "webhook",
    "field": "assessment_score",
    "key": "score",
    "type": "number",
    "value": 80,
    "clear": False,
}


@pytest.fixture
def connection_id(app: Flask) -> int:
    return add_ats_connection(app)


@pytest.fixture
def sink() -> FakeAtsSink:
    return FakeAtsSink({EMAIL: "cand-1"})


@pytest.fixture
def sender(app: Flask, connection_id: int, sink: FakeAtsSink) -> AtsSender:
    connections = FakeAtsConnections({connection_id: sink})
    return AtsSender(services(app).sessions, t.cast("AtsConnectionService", connections))


def claim(payload: dict[str, t.Any], connection_id: int | None, version: int = 1) -> Claim:
    return Claim(
        delivery_id=version,
        attempt_id=1,
        target=ats_target(connection_id or 0),
        ats_connection_id=connection_id,
        version=version,
        payload=payload,
        tries=1,
        token="token",
        started_at=utcnow(),
    )


def learner(app: Flask, attempt_id: int) -> int:
    with services(app).sessions() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return attempt.lti_user_id


def set_email(app: Flask, user_id: int, email: str) -> None:
    with services(app).sessions.begin() as session:
        session.execute(update(LtiUser).where(LtiUser.id == user_id).values(email=email))


def remember(app: Flask, connection_id: int, user_id: int, candidate_id: str) -> None:
    with services(app).sessions.begin() as session:
        session.add(
            AtsCandidate(
                ats_connection_id=connection_id, lti_user_id=user_id, candidate_id=candidate_id
            )
        )


def candidates(app: Flask) -> list[tuple[int, int, str]]:
    with services(app).sessions() as session:
        rows = session.scalars(select(AtsCandidate))
        return [(x.ats_connection_id, x.lti_user_id, x.candidate_id) for x in rows]


def test_the_field_writes_and_the_result_are_handed_to_the_sink(
    app: Flask, connection_id: int, sink: FakeAtsSink, sender: AtsSender
) -> None:
    attempt = make_attempt(app, email=EMAIL)
    payload = ats_payload(app, attempt, [SCORE_WRITE])

    receipt = sender.send(claim(payload, connection_id))

    (sent,) = sink.delivered
    assert sent.writes == (FieldWrite(**SCORE_WRITE),)
    assert sent.result_id == payload["result_id"] and sent.result == payload["result"]
    assert sent.candidate == CandidateRef(email=EMAIL, candidate_id=None)
    assert receipt == "1 fields written"


def test_the_learners_email_is_read_from_the_store_at_send_time(
    app: Flask, connection_id: int, sink: FakeAtsSink, sender: AtsSender
) -> None:
    attempt = make_attempt(app, email=EMAIL)
    payload = ats_payload(app, attempt)
    set_email(app, learner(app, attempt), "ada.lovelace@example.edu")
    sink.candidates["ada.lovelace@example.edu"] = "cand-2"

    sender.send(claim(payload, connection_id))

    assert sink.lookups == ["ada.lovelace@example.edu"]
    assert candidates(app) == [(connection_id, learner(app, attempt), "cand-2")]


def test_the_candidate_found_is_remembered_so_a_later_result_skips_the_lookup(
    app: Flask, connection_id: int, sink: FakeAtsSink, sender: AtsSender
) -> None:
    attempt = make_attempt(app, email=EMAIL)
    payload = ats_payload(app, attempt)

    sender.send(claim(payload, connection_id))
    sender.send(claim(payload, connection_id, version=2))

    assert sink.lookups == [EMAIL]
    assert [sent.candidate for sent in sink.delivered] == [
        CandidateRef(EMAIL, None),
        CandidateRef(EMAIL, "cand-1"),
    ]
    assert candidates(app) == [(connection_id, learner(app, attempt), "cand-1")]


def test_candidates_are_remembered_per_connection(
    app: Flask, connection_id: int, sink: FakeAtsSink
) -> None:
    other_id = add_ats_connection(app, "other ats")
    other = FakeAtsSink({EMAIL: "other-7"})
    connections = FakeAtsConnections({connection_id: sink, other_id: other})
    sender = AtsSender(services(app).sessions, t.cast("AtsConnectionService", connections))
    attempt = make_attempt(app, email=EMAIL)
    payload = ats_payload(app, attempt)

    sender.send(claim(payload, connection_id))
    sender.send(claim(payload, other_id))

    assert sink.lookups == [EMAIL] and other.lookups == [EMAIL]
    user = learner(app, attempt)
    assert sorted(candidates(app)) == sorted(
        [(connection_id, user, "cand-1"), (other_id, user, "other-7")]
    )


def test_a_known_candidate_is_written_to_even_when_the_lms_shares_no_email(
    app: Flask, connection_id: int, sink: FakeAtsSink, sender: AtsSender
) -> None:
    attempt = make_attempt(app, email="")
    remember(app, connection_id, learner(app, attempt), "cand-9")

    sender.send(claim(ats_payload(app, attempt), connection_id))

    assert [sent.candidate for sent in sink.delivered] == [CandidateRef("", "cand-9")]
    assert sink.lookups == []


def test_a_learner_without_email_or_known_candidate_is_refused_with_what_to_do(
    app: Flask, connection_id: int, sink: FakeAtsSink, sender: AtsSender
) -> None:
    attempt = make_attempt(app, email="")

    with pytest.raises(AtsError, match="share e-mail") as raised:
        sender.send(claim(ats_payload(app, attempt), connection_id))

    assert raised.value.retryable is False
    assert sink.delivered == [] and sink.lookups == []


def test_a_connection_that_is_gone_is_refused_for_good(
    app: Flask, connection_id: int, sink: FakeAtsSink
) -> None:
    sender = AtsSender(services(app).sessions, t.cast("AtsConnectionService", FakeAtsConnections()))
    attempt = make_attempt(app, email=EMAIL)

    with pytest.raises(AtsError, match=f"no ATS connection with id {connection_id}") as raised:
        sender.send(claim(ats_payload(app, attempt), connection_id))

    assert raised.value.retryable is False
    assert sink.delivered == []


def test_a_delivery_naming_no_connection_is_refused_for_good(
    app: Flask, sink: FakeAtsSink, sender: AtsSender
) -> None:
    attempt = make_attempt(app, email=EMAIL)

    with pytest.raises(AtsError, match="names no ATS connection") as raised:
        sender.send(claim(ats_payload(app, attempt), None))

    assert raised.value.retryable is False
    assert sink.delivered == []


def test_a_failure_of_the_sink_reaches_the_caller_and_remembers_nothing(
    app: Flask, connection_id: int, sink: FakeAtsSink, sender: AtsSender
) -> None:
    attempt = make_attempt(app, email=EMAIL)
    outage = AtsError("the ATS answered HTTP 503", status=503, retryable=True, retry_after=5)
    sink.fail(outage)

    with pytest.raises(AtsError) as raised:
        sender.send(claim(ats_payload(app, attempt), connection_id))

    assert raised.value is outage
    assert candidates(app) == []


def test_a_different_candidate_id_the_ats_answers_replaces_the_remembered_one(
    app: Flask, connection_id: int, sink: FakeAtsSink, sender: AtsSender
) -> None:
    """A receiver may answer another id than the one remembered (docs/ats/webhook.md):
    the new one is stored and sent from then on."""
    attempt = make_attempt(app, email=EMAIL)
    user = learner(app, attempt)
    remember(app, connection_id, user, "cand-old")
    sink.answer_id = "cand-new"
    payload = ats_payload(app, attempt)

    sender.send(claim(payload, connection_id))
    sender.send(claim(payload, connection_id, version=2))

    assert candidates(app) == [(connection_id, user, "cand-new")]
    assert sink.delivered[-1].candidate.candidate_id == "cand-new"
