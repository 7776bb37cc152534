"""Which deliveries a result needs, and what the learner is shown."""

from __future__ import annotations

import decimal
import json
import typing as t

from mappings.result import AssessmentResult
from mappings.result import ResultStatus
from plugin.attempts.outcome import score_text
from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import AssessmentAts
from plugin.store.models import AtsConnection
from plugin.store.models import Attempt
from plugin.store.models import ResourceLink
from plugin.sync.targets import TargetPlanner
from tests.unit.factories import make_attempt

if t.TYPE_CHECKING:
    from flask import Flask

D = decimal.Decimal


def result(status: ResultStatus = ResultStatus.COMPLETED) -> AssessmentResult:
    return AssessmentResult(
        vendor="mettl",
        attempt_ref="ref",
        status=status,
        score=D(30),
        max_score=D(40),
        percent=D(75),
    )


def plan(app: Flask, attempt_id: int, outcome: AssessmentResult) -> list[t.Any]:
    with services(app).sessions.begin() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return TargetPlanner().plan(session, attempt, outcome)


def test_a_column_asked_for_at_a_placement_without_a_grade_service_is_held_with_the_reason(
    app: Flask,
) -> None:
    (lms,) = plan(app, make_attempt(app, lineitems=False), result())
    assert lms.target == "lms" and lms.dead_reason and "no AGS claim" in lms.dead_reason


def test_points_mode_scales_the_line_item_to_the_result_maximum(app: Flask) -> None:
    attempt_id = make_attempt(app)
    with services(app).sessions.begin() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        assessment = session.get(Assessment, attempt.assessment_id)
        assert assessment is not None
        assessment.score_policy_json = json.dumps({"score_mode": "points"})
    (lms,) = plan(app, attempt_id, result())
    assert lms.dead_reason is None
    assert lms.payload["line_item"]["score_maximum"] == 40.0
    assert (lms.payload["score"]["scoreGiven"], lms.payload["score"]["scoreMaximum"]) == (30, 40)
    assert lms.payload["line_item"]["tag"] == f"assessment-bridge:{assessment.id}"


def test_ats_deliveries_wait_for_a_final_result_and_need_a_field_map(app: Flask) -> None:
    attempt_id = make_attempt(app)
    with services(app).sessions.begin() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        connection = AtsConnection(name="gh", kind="greenhouse", config_encrypted=b"-")
        session.add(connection)
        session.flush()
        session.add(
            AssessmentAts(assessment_id=attempt.assessment_id, ats_connection_id=connection.id)
        )
    assert [d.target for d in plan(app, attempt_id, result(ResultStatus.IN_PROGRESS))] == ["lms"]

    _, ats = plan(app, attempt_id, result())
    assert ats.target == f"ats:{connection.id}" and ats.dead_reason
    assert "has no field map" in ats.dead_reason and "ats fields gh" in ats.dead_reason
    assert "email" not in json.dumps(ats.payload["writes"])


def test_the_learner_sees_points_and_percent_when_both_are_known() -> None:
    assert score_text({"score": "30", "max_score": "40.0", "percent": "75.00"}) == "30 / 40 (75%)"
    assert score_text({"score": None, "max_score": None, "percent": "62.5"}) == "62.5%"
    assert score_text({"score": "3", "max_score": "4", "percent": None}) == "3 / 4"
    assert score_text({}) is None


def _set_placement(app: Flask, attempt_id: int, *, lineitem_url: str, create: bool) -> None:
    with services(app).sessions.begin() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        link = session.get(ResourceLink, attempt.resource_link_id)
        assessment = session.get(Assessment, attempt.assessment_id)
        assert link is not None and assessment is not None
        link.lineitem_url = lineitem_url
        assessment.create_line_item = create


def test_an_activity_that_accepts_no_grades_gets_no_gradebook_delivery(app: Flask) -> None:
    """A launch with the line item container but no line item of its own (Moodle with
    "Accept grades from the tool" unticked): no column is created that nobody asked for."""
    attempt_id = make_attempt(app)
    _set_placement(app, attempt_id, lineitem_url="", create=False)

    assert plan(app, attempt_id, result()) == []


def test_the_launchs_own_line_item_is_graded_whatever_the_policy(app: Flask) -> None:
    attempt_id = make_attempt(app)
    own = "https://lms.example/lineitems/7/lineitem?type_id=2"
    _set_placement(app, attempt_id, lineitem_url=own, create=False)

    (lms,) = plan(app, attempt_id, result())
    assert lms.dead_reason is None and lms.payload["lineitem_url"] == own


def test_an_assessment_that_asks_for_its_own_column_gets_one_found_or_created(app: Flask) -> None:
    attempt_id = make_attempt(app)
    _set_placement(app, attempt_id, lineitem_url="", create=True)

    (lms,) = plan(app, attempt_id, result())
    assert lms.dead_reason is None and lms.payload["lineitem_url"] == ""
    assert lms.payload["lineitems_url"] == "https://lms.example/lineitems"
