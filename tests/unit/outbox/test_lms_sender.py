"""The LMS sender: which line item a score goes to, remembering it, and what is posted
(the AGS side faked, the store and the platform registrations real)."""

from __future__ import annotations

import typing as t

import pytest
from sqlalchemy import select

from lti.ags.errors import AgsError
from lti.ags.line_items import LineItemSpec
from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import Claim
from plugin.outbox.senders.lms import LmsSender
from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import LineItemLink
from plugin.store.models import utcnow
from tests.unit.factories import make_attempt
from tests.unit.outbox.fakes import FakeAgsClientFactory
from tests.unit.outbox.fakes import lms_payload

if t.TYPE_CHECKING:
    from flask import Flask

    from lti.ags.factory import AgsClientFactory

CONTAINER = "https://lms.example/lineitems"  # the lineitems URL make_attempt stores


@pytest.fixture
def gradebook() -> FakeAgsClientFactory:
    return FakeAgsClientFactory()


def sender(app: Flask, gradebook: FakeAgsClientFactory) -> LmsSender:
    """A sender as one process builds it (its memory of line items starts empty)."""
    clients = t.cast("AgsClientFactory", gradebook)
    return LmsSender(services(app).sessions, services(app).platforms, clients)


def claim(payload: dict[str, t.Any], version: int = 1) -> Claim:
    return Claim(
        delivery_id=version,
        attempt_id=1,
        target=LMS_TARGET,
        ats_connection_id=None,
        version=version,
        payload=payload,
        tries=1,
        token="token",
        started_at=utcnow(),
    )


def spec(payload: t.Mapping[str, t.Any]) -> LineItemSpec:
    item = payload["line_item"]
    return LineItemSpec(
        label=item["label"],
        score_maximum=item["score_maximum"],
        resource_link_id=item["resource_link_id"],
        tag=item["tag"],
        resource_id=item["resource_id"],
    )


def links(app: Flask) -> dict[tuple[int, int], str]:
    with services(app).sessions() as session:
        rows = session.scalars(select(LineItemLink))
        return {(x.resource_link_id, x.assessment_id): x.url for x in rows}


def test_the_launchs_own_line_item_gets_the_deliverys_score_without_a_lookup(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    own = "https://lms.example/lineitems/own"
    payload = lms_payload(app, make_attempt(app), lineitem_url=own)

    receipt = sender(app, gradebook).send(claim(payload))

    assert gradebook.scores == [(own, payload["score"])]
    assert gradebook.lookups == [] and gradebook.created == []
    assert receipt == f"score posted to {own} (timestamp 2024-05-01T10:00:00.000+00:00)"
    assert links(app) == {(payload["resource_link"], payload["assessment_id"]): own}


def test_scores_go_to_the_platform_the_grade_belongs_to(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    make_attempt(app)  # another platform, registered first
    payload = lms_payload(app, make_attempt(app))

    sender(app, gradebook).send(claim(payload))

    (platform,) = gradebook.platforms
    assert platform.id == payload["platform_id"]
    assert platform == services(app).platforms.record(payload["platform_id"])


def test_an_existing_line_item_is_found_by_resource_link_and_tag(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    payload = lms_payload(app, make_attempt(app))
    ours = spec(payload)
    theirs = LineItemSpec("Quiz", 10, ours.resource_link_id, tag="someone-else")
    gradebook.add_line_item(CONTAINER, theirs, f"{CONTAINER}/theirs")
    gradebook.add_line_item(CONTAINER, ours, f"{CONTAINER}/ours")

    sender(app, gradebook).send(claim(payload))

    assert gradebook.lookups == [(CONTAINER, ours)]
    assert gradebook.created == []
    assert gradebook.scores == [(f"{CONTAINER}/ours", payload["score"])]


def test_a_missing_line_item_is_created_from_the_deliverys_spec(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    payload = lms_payload(app, make_attempt(app))

    sender(app, gradebook).send(claim(payload))

    assert gradebook.created == [
        (
            CONTAINER,
            LineItemSpec(
                label="Final",
                score_maximum=100.0,
                resource_link_id=payload["line_item"]["resource_link_id"],
                tag=f"assessment-bridge:{payload['assessment_id']}",
                resource_id=str(payload["assessment_id"]),
            ),
        )
    ]
    ((url, score),) = gradebook.scores
    assert url == gradebook.line_items[CONTAINER][0].url and score == payload["score"]


def test_the_line_item_is_remembered_so_a_later_score_skips_the_lookup(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    payload = lms_payload(app, make_attempt(app))
    sender(app, gradebook).send(claim(payload))
    later = {**payload, "score": {**payload["score"], "scoreGiven": 95.0}}

    # Another process: nothing in memory, the stored link answers.
    sender(app, gradebook).send(claim(later, version=2))

    assert len(gradebook.lookups) == 1 and len(gradebook.created) == 1
    (first, second) = gradebook.scores
    assert first[0] == second[0] and second[1]["scoreGiven"] == 95.0
    assert links(app) == {(payload["resource_link"], payload["assessment_id"]): first[0]}


def test_each_assessment_at_a_placement_gets_its_own_line_item(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    payload = lms_payload(app, make_attempt(app))
    with services(app).sessions.begin() as session:
        first = session.get(Assessment, payload["assessment_id"])
        assert first is not None
        other = Assessment(connection_id=first.connection_id, test_id="t2", title="Midterm")
        session.add(other)
        session.flush()
        other_id = other.id
    item = {**payload["line_item"], "label": "Midterm", "tag": f"assessment-bridge:{other_id}"}
    midterm = {**payload, "assessment_id": other_id, "line_item": item}
    send = sender(app, gradebook)

    send.send(claim(payload))
    send.send(claim(midterm))

    assert [created.tag for _, created in gradebook.created] == [
        f"assessment-bridge:{payload['assessment_id']}",
        f"assessment-bridge:{other_id}",
    ]
    urls = [url for url, _ in gradebook.scores]
    assert len(set(urls)) == 2
    assert set(links(app).values()) == set(urls)


def test_a_platform_that_is_no_longer_registered_is_refused_for_good(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    payload = {**lms_payload(app, make_attempt(app)), "platform_id": 999_999}

    with pytest.raises(AgsError, match="no longer registered") as raised:
        sender(app, gradebook).send(claim(payload))

    assert raised.value.retryable is False and raised.value.status is None
    assert gradebook.platforms == [] and gradebook.scores == []


def test_a_failed_lookup_remembers_nothing_and_the_next_score_looks_again(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    payload = lms_payload(app, make_attempt(app))
    outage = AgsError("listing line items failed (HTTP 503)", status=503, retryable=True)
    gradebook.fail("find_line_item", outage)
    send = sender(app, gradebook)

    with pytest.raises(AgsError) as raised:
        send.send(claim(payload))
    assert raised.value is outage
    assert links(app) == {} and gradebook.scores == []

    send.send(claim(payload))
    assert len(gradebook.lookups) == 2 and len(gradebook.scores) == 1


def test_a_refused_score_reaches_the_caller_and_the_line_item_stays_known(
    app: Flask, gradebook: FakeAgsClientFactory
) -> None:
    payload = lms_payload(app, make_attempt(app))
    refusal = AgsError("posting a score failed (HTTP 403)", status=403, retryable=False)
    gradebook.fail("post_score", refusal)

    with pytest.raises(AgsError) as raised:
        sender(app, gradebook).send(claim(payload))

    assert raised.value is refusal
    assert gradebook.scores == []
    assert list(links(app).values()) == [gradebook.line_items[CONTAINER][0].url]
