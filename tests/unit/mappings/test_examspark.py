from __future__ import annotations

import decimal

import pytest
from marshmallow import ValidationError

from mappings.examspark import load_result
from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import Outcome
from mappings.result import Question
from mappings.result import ResultStatus
from tests.unit.mappings.helpers import reordered
from tests.unit.mappings.helpers import sample

D = decimal.Decimal
ONE = (D(1), D(1))


def errors_of(raw: object) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_result(raw)  # type: ignore[arg-type]
    return caught.value.messages  # type: ignore[return-value]


def test_exam_session_maps_field_by_field() -> None:
    result = load_result(sample("examspark_exam_session"))

    assert result == AssessmentResult(
        vendor="examspark",
        attempt_ref="23a0c913-c61d-51fe-9b64-32096b7b84bf",
        status=ResultStatus.COMPLETED,
        test_ref="00722246-e417-475a-b1ae-994d65fd5cc2",
        score=D(3),
        max_score=D(3),
        percent=D("100.00"),
        questions=(
            Question("b842bb5e-9957-403e-bc54-9a054b290158", None, *ONE),
            Question("cdf02148-7888-4e4b-97ff-0003846baa4d", None, *ONE),
            Question("993d673c-5c8d-43aa-99ea-8e417d1300dc", None, *ONE),
        ),
        outcomes=(
            Outcome(
                "92de756d-f455-595c-a2f6-18fb18c4461a", "92de756d-f455-595c-a2f6-18fb18c4461a", *ONE
            ),
            Outcome(
                "e5fac3cc-aa4c-5aaa-b5aa-178bcc60a366", "e5fac3cc-aa4c-5aaa-b5aa-178bcc60a366", *ONE
            ),
            Outcome(
                "f10e8b11-7da6-568d-a6ea-d87b3bb35c83", "f10e8b11-7da6-568d-a6ea-d87b3bb35c83", *ONE
            ),
        ),
        learner=Learner(name="Kevin Campbell", external_id="******"),
    )


def test_results_route_reads_results_beside_the_session() -> None:
    result = load_result(sample("examspark_exam_session_results"))

    assert result.attempt_ref == "23a0c913-c61d-51fe-9b64-32096b7b84bf"
    assert (result.score, result.max_score, result.percent) == (D(3), D(3), D("100.00"))
    assert result.questions == (Question("b842bb5e-9957-403e-bc54-9a054b290158", "choice", *ONE),)
    assert result.outcomes == (
        Outcome(
            "explain that saving is an alternative to spending;",
            "92de756d-f455-595c-a2f6-18fb18c4461a",
            *ONE,
            level="2.11.B",
        ),
    )
    assert result.learner == Learner(name="Kevin Campbell", external_id="kevin@examspark.com")
    assert result.test_ref == "00722246-e417-475a-b1ae-994d65fd5cc2"


def test_objective_order_does_not_depend_on_key_order() -> None:
    raw = sample("examspark_exam_session")
    assert load_result(reordered(raw)) == load_result(raw)


@pytest.mark.parametrize(
    ("maturity", "status"),
    [
        ("COMPLETE", ResultStatus.COMPLETED),
        ("IN_PROGRESS", ResultStatus.IN_PROGRESS),
        ("NOT_STARTED", ResultStatus.NOT_STARTED),
        ("SUBMITTED", ResultStatus.SUBMITTED),
        ("EXPIRED", ResultStatus.EXPIRED),
        ("CANCELLED", ResultStatus.CANCELLED),
    ],
)
def test_maturity_values(maturity: str, status: ResultStatus) -> None:
    raw = sample("examspark_exam_session")
    raw["examSession"]["maturity"] = maturity
    assert load_result(raw).status is status


def test_unknown_maturity_is_rejected_on_its_path() -> None:
    raw = sample("examspark_exam_session")
    raw["examSession"]["maturity"] = "ARCHIVED"
    messages = errors_of(raw)
    assert "expected one of" in messages["examSession"]["maturity"][0]


def test_scorable_item_without_actual_score_awaits_manual_grading() -> None:
    raw = sample("examspark_exam_session")
    raw["examSession"]["results"]["items"][0]["score"]["actual"] = None
    result = load_result(raw)
    assert result.questions[0].needs_manual_grading is True
    assert result.needs_manual_grading is True


def test_unscorable_item_without_score_needs_no_grader() -> None:
    raw = sample("examspark_exam_session")
    raw["examSession"]["results"]["items"][0]["score"].update(actual=None, isScorable=False)
    assert load_result(raw).needs_manual_grading is False


def test_session_without_results_uses_score_actual() -> None:
    raw = sample("examspark_exam_session")
    del raw["examSession"]["results"]
    raw["examSession"]["scoreActual"] = 80
    result = load_result(raw)
    assert (result.score, result.max_score, result.percent) == (D(80), D(100), D("80.00"))
    assert result.questions == ()


def test_percent_uses_the_minimum_of_the_scale() -> None:
    raw = sample("examspark_exam_session")
    raw["examSession"].update(scoreActual=60, scoreMin=20, scoreMax=100)
    assert load_result(raw).percent == D("50.00")


@pytest.mark.parametrize(
    ("session_change", "path"),
    [
        ({"scoreActual": 101}, "examSession.scoreActual"),
        ({"id": ""}, "examSession"),
        ({"results": {"points": {"actual": 4, "max": 3}}}, "results.points"),
        ({"results": {"items": [{"score": {"actual": 1}}]}}, "examSession"),
    ],
)
def test_invalid_sessions_name_the_field(session_change: dict, path: str) -> None:
    raw = sample("examspark_exam_session")
    raw["examSession"].update(session_change)
    assert path in errors_of(raw)


def test_missing_session_is_rejected() -> None:
    assert errors_of({"examConfig": {"id": "x"}}) == {
        "examSession": ["Missing data for required field."]
    }
