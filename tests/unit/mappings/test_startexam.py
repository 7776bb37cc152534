from __future__ import annotations

import datetime as dt
import decimal

import pytest
from marshmallow import ValidationError

from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import Outcome
from mappings.result import Proctoring
from mappings.result import ProctoringStatus
from mappings.result import Question
from mappings.result import ResultStatus
from mappings.result import Section
from mappings.startexam import load_result
from tests.unit.mappings.helpers import sample
from tests.unit.mappings.helpers import with_changes
from tests.unit.mappings.helpers import without

D = decimal.Decimal
STARTED = dt.datetime(2025, 1, 16, 3, 9, 50, tzinfo=dt.UTC)


def errors_of(raw: object) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_result(raw)  # type: ignore[arg-type]
    return caught.value.messages  # type: ignore[return-value]


def test_finished_session_maps_field_by_field() -> None:
    result = load_result(sample("startexam_session_finished"))

    assert result == AssessmentResult(
        vendor="startexam",
        attempt_ref="bbb0c166-fd80-4ec8-9d54-0a19ffb2ff12",
        status=ResultStatus.COMPLETED,
        test_ref="9b39cd63-9727-4a9d-ae14-54b4dfae4587",
        started_at=STARTED,
        finished_at=STARTED + dt.timedelta(minutes=33),
        duration=dt.timedelta(minutes=33),
        score=D("17.0"),
        max_score=D("20.0"),
        percent=D("85.00"),
        level="Perfect Knowledge",
        needs_manual_grading=True,
        sections=(
            Section("Section #1 Title", D("10.0"), D("12.0"), "passed", dt.timedelta(seconds=13)),
            Section("Section #2 Title", D("7.0"), D("8.0"), "passed", None),
            Section(
                "Personality type section", D("0.0"), D("0.0"), None, dt.timedelta(seconds=102)
            ),
        ),
        questions=(
            Question("abc_zyx", "SingleChoice", D("10.0"), D("12.0"), dt.timedelta(seconds=25)),
            Question("2", "VideoInterview", D("7.0"), D("8.0"), dt.timedelta(seconds=65)),
            Question("3", "Essay", None, None, None, needs_manual_grading=True),
            Question("cov_Id", "Likert", None, None, None, needs_manual_grading=False),
        ),
        outcomes=(Outcome("Personality type", "914", D("1.0"), D("1.0"), "Melancholic"),),
        proctoring=Proctoring(
            source="startexam",
            status=ProctoringStatus.REVIEWED,
            integrity_score=D("90"),
            comment="Looked away from the screen.",
            report_url="https://proctoring.corp/ae78a5ac-609e-4b64-9049-663e60dea417",
        ),
        learner=Learner(email="lennon@gmail.com", name="John Lennon"),
    )


@pytest.mark.parametrize(
    "name", ["startexam_session_unfinished_null", "startexam_session_unfinished_absent"]
)
def test_unfinished_session_has_no_score_and_no_finish(name: str) -> None:
    result = load_result(sample(name))

    assert result.status is ResultStatus.IN_PROGRESS
    assert (result.score, result.max_score, result.percent, result.level) == (None,) * 4
    assert result.duration is None
    assert result.finished_at is None
    assert result.outcomes == ()
    assert result.started_at == STARTED
    # Essays without a score are not "awaiting a grader" until the session is finished.
    assert result.needs_manual_grading is False


def test_session_never_started_is_not_started() -> None:
    raw = without(sample("startexam_session_unfinished_absent"), "started")
    assert load_result(raw).status is ResultStatus.NOT_STARTED


def test_session_closed_by_timeout_before_finishing_is_expired() -> None:
    raw = with_changes(sample("startexam_session_unfinished_null"), autoClosed=True)
    result = load_result(raw)
    assert result.status is ResultStatus.EXPIRED
    assert result.completion_mode == "autoClosed"


def test_finished_session_closed_by_timeout_is_completed() -> None:
    raw = with_changes(sample("startexam_session_finished"), autoClosed=True)
    result = load_result(raw)
    assert result.status is ResultStatus.COMPLETED
    assert result.completion_mode == "autoClosed"


def test_graded_essays_clear_the_manual_grading_flag() -> None:
    raw = sample("startexam_session_finished")
    raw["questions"][2].update(score=4.0, max=5.0)
    assert load_result(raw).needs_manual_grading is False


def test_percent_is_derived_when_absent() -> None:
    raw = without(sample("startexam_session_finished"), "percent")
    assert load_result(raw).percent == D("85.00")


def test_pending_proctoring_review_uses_the_automatic_evaluation() -> None:
    raw = sample("startexam_session_finished")
    raw["proctoring"]["conclusion"] = None
    proctoring = load_result(raw).proctoring
    assert proctoring is not None
    assert proctoring.status is ProctoringStatus.PENDING
    assert proctoring.integrity_score == D("82")


def test_unknown_extra_fields_are_tolerated() -> None:
    raw = with_changes(sample("startexam_session_finished"), newField={"a": [1, 2]}, version=3)
    raw["questions"][0]["hint"] = "x"
    assert load_result(raw) == load_result(sample("startexam_session_finished"))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"percent": 150.0}, ["percent"]),
        ({"score": 21.0}, ["score"]),
        ({"isFinished": "yes"}, ["isFinished"]),
        ({"elapsedTime": "33 minutes"}, ["elapsedTime"]),
        ({"started": "16/01/2025"}, ["started"]),
        ({"participantId": None}, ["participantId"]),
        ({"maxScore": -1}, ["maxScore"]),
        ({"sections": {"title": "x"}}, ["sections"]),
        ({"proctoring": {"protocolUrl": "javascript:alert(1)"}}, ["proctoring", "protocolUrl"]),
    ],
)
def test_wrong_types_and_impossible_values_name_the_field(change: dict, path: list) -> None:
    messages = errors_of(with_changes(sample("startexam_session_finished"), **change))
    for key in path:
        messages = messages[key]
    assert messages


def test_errors_inside_questions_name_the_index() -> None:
    raw = sample("startexam_session_finished")
    raw["questions"][2]["score"] = "abc"
    raw["questions"][3]["elapsedTime"] = 12
    messages = errors_of(raw)
    assert messages == {
        "questions": {
            2: {"score": ["Not a valid number."]},
            3: {"elapsedTime": ["Not a valid [d.]HH:MM:SS duration."]},
        }
    }


def test_a_question_needs_a_number_or_a_code() -> None:
    raw = sample("startexam_session_finished")
    raw["questions"][1]["num"] = None
    assert errors_of(raw) == {"questions": {1: {"num": ["A question needs a num or a code."]}}}


def test_missing_required_flag_and_non_object_payload() -> None:
    assert errors_of(without(sample("startexam_session_finished"), "isFinished")) == {
        "isFinished": ["Missing data for required field."]
    }
    assert errors_of([1, 2]) == {"_schema": ["Invalid input type."]}


def test_participant_email_must_be_an_address() -> None:
    raw = sample("startexam_session_finished")
    raw["participantData"][2]["value"] = "not an address"
    assert "participantData" in errors_of(raw)
