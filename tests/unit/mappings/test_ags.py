from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import typing as t

import pytest

from mappings.ags import CANVAS_SUBMISSION
from mappings.ags import ScorePolicy
from mappings.ags import build_score
from mappings.registry import load_result
from mappings.result import AssessmentResult
from mappings.result import Proctoring
from mappings.result import ProctoringStatus
from mappings.result import ResultStatus
from tests.unit.mappings.helpers import sample

D = decimal.Decimal
UTC = dt.UTC
STARTED = dt.datetime(2025, 1, 16, 3, 9, 50, tzinfo=UTC)
FINISHED = dt.datetime(2025, 1, 16, 3, 42, 50, 250_000, tzinfo=UTC)
PENDING_REVIEW = Proctoring(source="proctorexam", status=ProctoringStatus.PENDING)


def result(status: ResultStatus, **changes: t.Any) -> AssessmentResult:
    base = AssessmentResult(vendor="startexam", attempt_ref="p-1", status=status)
    return dataclasses.replace(base, **changes)


SCORED = {"score": D(17), "max_score": D(20), "percent": D("85.00"), "started_at": STARTED}

# One row per line of the table in mappings/ags.py.
TABLE = [
    ("not_started", result(ResultStatus.NOT_STARTED), {}, "Initialized", "NotReady", False),
    ("cancelled", result(ResultStatus.CANCELLED), {}, "Initialized", "NotReady", False),
    (
        "in_progress, start unknown",
        result(ResultStatus.IN_PROGRESS),
        {},
        "Started",
        "NotReady",
        False,
    ),
    (
        "in_progress, start known",
        result(ResultStatus.IN_PROGRESS, started_at=STARTED),
        {},
        "InProgress",
        "NotReady",
        False,
    ),
    ("submitted", result(ResultStatus.SUBMITTED, **SCORED), {}, "Submitted", "Pending", False),
    ("completed, no score", result(ResultStatus.COMPLETED), {}, "Completed", "Pending", False),
    ("expired, no score", result(ResultStatus.EXPIRED), {}, "Completed", "NotReady", False),
    ("terminated, no score", result(ResultStatus.TERMINATED), {}, "Completed", "Failed", False),
    (
        "completed, scored",
        result(ResultStatus.COMPLETED, **SCORED),
        {},
        "Completed",
        "FullyGraded",
        True,
    ),
    (
        "expired, scored",
        result(ResultStatus.EXPIRED, **SCORED),
        {},
        "Completed",
        "FullyGraded",
        True,
    ),
    (
        "terminated, scored",
        result(ResultStatus.TERMINATED, **SCORED),
        {},
        "Completed",
        "FullyGraded",
        True,
    ),
    (
        "manual grading, held",
        result(ResultStatus.COMPLETED, needs_manual_grading=True, **SCORED),
        {},
        "Completed",
        "PendingManual",
        False,
    ),
    (
        "manual grading, not held",
        result(ResultStatus.COMPLETED, needs_manual_grading=True, **SCORED),
        {"hold_for_manual_grading": False},
        "Completed",
        "PendingManual",
        True,
    ),
    (
        "proctoring review pending, held",
        result(ResultStatus.COMPLETED, proctoring=PENDING_REVIEW, **SCORED),
        {"hold_for_proctoring_review": True},
        "Completed",
        "Pending",
        False,
    ),
    (
        "proctoring review pending, not held",
        result(ResultStatus.COMPLETED, proctoring=PENDING_REVIEW, **SCORED),
        {},
        "Completed",
        "FullyGraded",
        True,
    ),
    (
        "proctoring reviewed, held",
        result(
            ResultStatus.COMPLETED,
            proctoring=Proctoring(source="proctorexam", status=ProctoringStatus.REVIEWED),
            **SCORED,
        ),
        {"hold_for_proctoring_review": True},
        "Completed",
        "FullyGraded",
        True,
    ),
]


@pytest.mark.parametrize(
    ("outcome", "policy", "activity", "grading", "gives"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_status_to_progress_table(
    outcome: AssessmentResult, policy: dict, activity: str, grading: str, gives: bool
) -> None:
    score = build_score(outcome, ScorePolicy(**policy), user_id="u-1")
    assert (score["activityProgress"], score["gradingProgress"]) == (activity, grading)
    assert ("scoreGiven" in score) is gives
    assert ("scoreMaximum" in score) is gives
    if gives:
        assert (score["scoreGiven"], score["scoreMaximum"]) == (85.0, 100.0)


def test_full_score_document() -> None:
    finished = result(ResultStatus.COMPLETED, finished_at=FINISHED, **SCORED)
    policy = ScorePolicy(comment_template="$percent% ($score/$max_score), $status")
    assert build_score(finished, policy, user_id="u-1") == {
        "userId": "u-1",
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "scoreGiven": 85.0,
        "scoreMaximum": 100.0,
        "comment": "85% (17/20), completed",
        "submission": {
            "startedAt": "2025-01-16T03:09:50Z",
            "submittedAt": "2025-01-16T03:42:50.250000Z",
        },
        CANVAS_SUBMISSION: {"submitted_at": "2025-01-16T03:42:50.250000Z"},
    }


def test_the_score_has_no_timestamp_and_the_finish_time_travels_in_submission() -> None:
    """The sender stamps the score as it sends it: Moodle keeps a score without
    ``scoreGiven`` at its arrival time, so a finish-time ``timestamp`` on the next one is
    refused as older.  Without a build time, the same result gives the same payload."""
    held = result(ResultStatus.COMPLETED, finished_at=FINISHED, needs_manual_grading=True, **SCORED)
    score = build_score(held, ScorePolicy(), user_id="u")
    assert "timestamp" not in score
    assert score["submission"]["submittedAt"] == "2025-01-16T03:42:50.250000Z"
    assert score[CANVAS_SUBMISSION] == {"submitted_at": "2025-01-16T03:42:50.250000Z"}
    assert build_score(held, ScorePolicy(), user_id="u") == score


def test_times_unknown_leave_submission_and_the_canvas_extension_out() -> None:
    score = build_score(result(ResultStatus.NOT_STARTED), ScorePolicy(), user_id="u")
    assert "timestamp" not in score
    assert "submission" not in score and CANVAS_SUBMISSION not in score
    assert "comment" not in score
    started = build_score(
        result(ResultStatus.IN_PROGRESS, started_at=STARTED), ScorePolicy(), user_id="u"
    )
    assert started["submission"] == {"startedAt": "2025-01-16T03:09:50Z"}
    assert CANVAS_SUBMISSION not in started


@pytest.mark.parametrize(
    ("policy", "given", "maximum"),
    [
        (ScorePolicy(), 85.0, 100.0),
        (ScorePolicy(max_points=D(10)), 8.5, 10.0),
        (ScorePolicy(score_mode="points"), 17.0, 20.0),
        (ScorePolicy(score_mode="points", max_points=D(50)), 42.5, 50.0),
        (ScorePolicy(score_mode="points", max_points=D(7), rounding_places=0), 6.0, 7.0),
        (ScorePolicy(score_mode="points", max_points=D(7), rounding_places=3), 5.95, 7.0),
        (ScorePolicy(score_mode="points", max_points=D(9), rounding_places=1), 7.7, 9.0),
    ],
)
def test_score_scaling_and_rounding(policy: ScorePolicy, given: float, maximum: float) -> None:
    score = build_score(result(ResultStatus.COMPLETED, **SCORED), policy, user_id="u")
    assert (score["scoreGiven"], score["scoreMaximum"]) == (given, maximum)


def test_rounding_never_lifts_the_score_above_the_maximum() -> None:
    full = result(ResultStatus.COMPLETED, score=D(3), max_score=D(3), percent=D(100))
    policy = ScorePolicy(score_mode="points", max_points=D("1.45"), rounding_places=1)
    score = build_score(full, policy, user_id="u")
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.4, 1.45)


def test_percent_mode_uses_the_vendor_percentage_not_the_points() -> None:
    weighted = result(ResultStatus.COMPLETED, score=D(1), max_score=D(4), percent=D("40"))
    assert build_score(weighted, ScorePolicy(), user_id="u")["scoreGiven"] == 40.0
    points = build_score(weighted, ScorePolicy(score_mode="points"), user_id="u")
    assert (points["scoreGiven"], points["scoreMaximum"]) == (1.0, 4.0)


def test_points_mode_without_a_maximum_falls_back_to_the_percentage() -> None:
    only_percent = result(ResultStatus.COMPLETED, percent=D("72.5"))
    score = build_score(only_percent, ScorePolicy(score_mode="points"), user_id="u")
    assert (score["scoreGiven"], score["scoreMaximum"]) == (72.5, 100.0)


def test_negative_scores_are_clamped_to_zero() -> None:
    negative = result(ResultStatus.COMPLETED, score=D(-3), max_score=D(20), percent=D(0))
    score = build_score(negative, ScorePolicy(score_mode="points"), user_id="u")
    assert score["scoreGiven"] == 0.0


def test_startexam_sample_is_held_for_its_essay() -> None:
    finished = load_result("startexam", sample("startexam_session_finished"))
    held = build_score(finished, ScorePolicy(), user_id="u")
    assert held["gradingProgress"] == "PendingManual"
    assert "scoreGiven" not in held
    sent = build_score(finished, ScorePolicy(hold_for_manual_grading=False), user_id="u")
    assert (sent["scoreGiven"], sent["scoreMaximum"]) == (85.0, 100.0)
    assert sent["submission"]["submittedAt"] == "2025-01-16T03:42:50Z"
    assert sent[CANVAS_SUBMISSION] == {"submitted_at": "2025-01-16T03:42:50Z"}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"score_mode": "letters"}, "score_mode"),
        ({"max_points": D(0)}, "max_points"),
        ({"max_points": D("NaN")}, "max_points"),
        ({"max_points": True}, "max_points"),
        ({"rounding_places": 7}, "rounding_places"),
        ({"rounding_places": 1.5}, "rounding_places"),
        ({"comment_template": "$grade"}, "Unknown placeholders ['grade']"),
        ({"comment_template": "100$"}, "not a valid template"),
    ],
)
def test_invalid_policies_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ScorePolicy(**settings)


PLACEHOLDER_LIST = "$level, $max_score, $passed, $percent, $score, $status, $test_name, $vendor"


@pytest.mark.parametrize(
    ("template", "named"),
    [
        ("{score}/{max_score}", "{max_score}, {score}"),
        ("Score: {{ score }}", "{{ score }}"),
        ("{{percent}}%", "{{percent}}"),
        ("$score {grade}", "{grade}"),
        ("$${score}", "{score}"),  # an escaped $ leaves a literal {score}
    ],
)
def test_brace_placeholders_are_refused_with_the_syntax_to_use(template: str, named: str) -> None:
    with pytest.raises(ValueError) as caught:
        ScorePolicy(comment_template=template)
    assert str(caught.value) == (
        f"comment_template uses brace placeholders ({named}), which are not filled in;"
        f" write $name or ${{name}} (string.Template). Placeholders: {PLACEHOLDER_LIST}."
    )


def test_braces_that_hold_no_name_alone_are_literal_text() -> None:
    policy = ScorePolicy(comment_template="${score} {} { note: } {1} {a b}")
    score = build_score(result(ResultStatus.COMPLETED, score=D(3)), policy, user_id="u")
    assert score["comment"] == "3 {} { note: } {1} {a b}"


def test_max_points_accepts_plain_numbers() -> None:
    assert ScorePolicy(max_points=10).max_points == D(10)  # type: ignore[arg-type]
    assert ScorePolicy(max_points=2.5).max_points == D("2.5")  # type: ignore[arg-type]


def test_user_id_is_checked() -> None:
    with pytest.raises(ValueError, match="user_id"):
        build_score(result(ResultStatus.COMPLETED), ScorePolicy(), user_id=" ")


def test_comment_placeholders_without_values_are_empty() -> None:
    policy = ScorePolicy(comment_template="[$level][$passed][$test_name][$vendor]")
    score = build_score(result(ResultStatus.COMPLETED, passed=False), policy, user_id="u")
    assert score["comment"] == "[][no][][startexam]"
