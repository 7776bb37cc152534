"""What the learner coming back is shown, read from the stored result and deliveries."""

from __future__ import annotations

import json
import typing as t

import pytest

from plugin.attempts.outcome import attempt_outcome
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from tests.support.tokens import attempt_token
from tests.unit.factories import make_attempt

if t.TYPE_CHECKING:
    from flask import Flask


def _finished(app: Flask, **canonical: t.Any) -> str:
    """A completed attempt with no gradebook delivery; returns its token."""
    attempt_id = make_attempt(app)
    document = {"status": "completed", "score": 30, "max_score": 40, "percent": 75, **canonical}
    with services(app).sessions.begin() as session:
        session.add(
            AttemptResult(
                attempt_id=attempt_id,
                digest="d",
                status="completed",
                raw_encrypted=b"-",
                canonical_json=json.dumps(document),
            )
        )
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return attempt_token(app, attempt)


def test_a_final_result_with_no_gradebook_delivery_is_shown_as_not_graded(app: Flask) -> None:
    outcome = attempt_outcome(services(app).sessions, _finished(app))
    assert outcome is not None
    assert (outcome.stage, outcome.score, outcome.gradebook) == (
        "graded",
        "30 / 40 (75%)",
        "not_graded",
    )


def test_the_vendors_report_link_is_offered(app: Flask) -> None:
    report = "https://vendor.example/reports/81.pdf"
    outcome = attempt_outcome(services(app).sessions, _finished(app, report_url=report))
    assert outcome is not None and outcome.report_url == report


@pytest.mark.parametrize(
    "report", ["javascript:alert(document.cookie)//", "data:text/html,hi", "/relative"]
)
def test_a_report_link_that_is_not_http_is_never_offered(app: Flask, report: str) -> None:
    outcome = attempt_outcome(services(app).sessions, _finished(app, report_url=report))
    assert outcome is not None and outcome.report_url is None
