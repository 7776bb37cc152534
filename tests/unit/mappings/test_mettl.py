from __future__ import annotations

import datetime as dt
import decimal

import pytest
from marshmallow import ValidationError

from mappings.mettl import load_candidates
from mappings.mettl import load_result
from mappings.mettl_result import resolve_status
from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import Outcome
from mappings.result import ProctoringStatus
from mappings.result import Question
from mappings.result import ResultStatus
from mappings.result import Section
from mappings.result import SubScore
from tests.unit.mappings.helpers import merged
from tests.unit.mappings.helpers import sample
from tests.unit.mappings.helpers import without

D = decimal.Decimal
UTC = dt.UTC
LEARNER = Learner(email="name@email.com", name="Name")


def at(hour: int, minute: int, second: int) -> dt.datetime:
    return dt.datetime(2022, 2, 18, hour, minute, second, tzinfo=UTC)


def completed() -> dict:
    return sample("mettl_candidates_completed")


def candidate(raw: dict) -> dict:
    return raw["candidates"][0]


def errors_of(raw: object) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_result(raw)  # type: ignore[arg-type]
    return caught.value.messages  # type: ignore[return-value]


def test_candidate_not_yet_started() -> None:
    (result,) = load_candidates(sample("mettl_candidates_to_be_taken"))
    assert result == AssessmentResult(
        vendor="mettl",
        attempt_ref="name@email.com",
        status=ResultStatus.NOT_STARTED,
        learner=LEARNER,
    )


def test_candidate_in_progress() -> None:
    (result,) = load_candidates(sample("mettl_candidates_in_progress"))
    assert result == AssessmentResult(
        vendor="mettl",
        attempt_ref="name@email.com",
        status=ResultStatus.IN_PROGRESS,
        started_at=at(2, 37, 24),
        learner=LEARNER,
    )


def test_candidate_finished_while_results_are_processed() -> None:
    (result,) = load_candidates(sample("mettl_candidates_in_processing"))
    assert result == AssessmentResult(
        vendor="mettl",
        attempt_ref="name@email.com",
        status=ResultStatus.SUBMITTED,
        started_at=at(2, 37, 24),
        finished_at=at(2, 39, 58),
        learner=LEARNER,
    )


def test_candidate_completed_maps_sections_skills_and_difficulty() -> None:
    (result,) = load_candidates(completed())
    easy = SubScore("EASY", D("1.0"), D("2.0"), dt.timedelta(seconds=45), 2)
    assert result == AssessmentResult(
        vendor="mettl",
        attempt_ref="name@email.com",
        status=ResultStatus.COMPLETED,
        started_at=at(1, 9, 52),
        finished_at=at(1, 10, 37),
        duration=dt.timedelta(seconds=45, microseconds=78_000),
        score=D("1.0"),
        max_score=D("2.0"),
        percent=D("50.00"),
        completion_mode="Completed",
        sections=(
            Section(
                "Section Name",
                D("1.0"),
                D("2.0"),
                None,
                dt.timedelta(0),
                2,
                skills=(SubScore("Skill Name", D("1.0"), D("2.0"), dt.timedelta(seconds=45), 2),),
                difficulty_levels=(easy,),
            ),
        ),
        learner=LEARNER,
    )


def test_recommendation_extra_becomes_an_outcome_and_the_level() -> None:
    result = load_result(merged(completed(), sample("mettl_extra_ir")))
    assert result.outcomes == (Outcome("Recommendation", level="Cautiously Recommended"),)
    assert result.level == "Cautiously Recommended"


def test_performance_category_wins_over_the_recommendation() -> None:
    raw = merged(completed(), sample("mettl_extra_ir"))
    candidate(raw)["testStatus"]["performanceCategory"] = "Expert"
    assert load_result(raw).level == "Expert"


def test_essay_responses_extra_becomes_questions() -> None:
    result = load_result(merged(completed(), sample("mettl_extra_qr")))
    assert result.questions == (
        Question("Section Name/Skill Name/1", "Long Answer", D("0.0"), D("1.0")),
    )
    assert result.needs_manual_grading is False


def test_essay_without_marks_awaits_manual_grading() -> None:
    raw = merged(completed(), sample("mettl_extra_qr"))
    skill = candidate(raw)["testStatus"]["result"]["sectionMarks"][0]["skillMarks"][0]
    skill["questions"][0]["marksScored"] = None
    result = load_result(raw)
    assert result.questions[0].needs_manual_grading is True
    assert result.needs_manual_grading is True


@pytest.mark.parametrize(
    ("mode", "status"),
    [
        ("Completed", ResultStatus.COMPLETED),
        ("AutoCompleted", ResultStatus.COMPLETED),
        ("ParentFinished", ResultStatus.COMPLETED),
        ("CandidateClosed", ResultStatus.COMPLETED),
        ("NA", ResultStatus.TERMINATED),
        ("BrowsingToleranceExceeded", ResultStatus.TERMINATED),
        ("ProctoredFinish", ResultStatus.TERMINATED),
        ("SuspiciousSoftwareFinish", ResultStatus.TERMINATED),
        ("Expired", ResultStatus.EXPIRED),
        ("ResumeEnabled", ResultStatus.IN_PROGRESS),
    ],
)
def test_completion_modes(mode: str, status: ResultStatus) -> None:
    raw = completed()
    candidate(raw)["testStatus"]["completionMode"] = mode
    result = load_result(raw)
    assert result.status is status
    assert result.completion_mode == mode


@pytest.mark.parametrize(
    ("overall", "detailed", "status"),
    [
        ("Yet to Start", "Invited", ResultStatus.NOT_STARTED),
        ("Not Started", "Access Expired", ResultStatus.EXPIRED),
        ("In-progress", "Awaiting Resume Permission", ResultStatus.IN_PROGRESS),
        ("Completed", "Time Over", ResultStatus.COMPLETED),
        ("Test Stopped", "Proctor Stopped", ResultStatus.TERMINATED),
        ("Blocked", "Authorizer Blocked", ResultStatus.TERMINATED),
        ("Disconnected", "Test Window Closed", ResultStatus.EXPIRED),
        ("Disconnected", "Awaiting Test-taker Resume", ResultStatus.IN_PROGRESS),
    ],
)
def test_overall_and_detailed_status_without_a_status_word(
    overall: str, detailed: str, status: ResultStatus
) -> None:
    assert resolve_status(None, overall, detailed, None) is status


def test_completed_test_stopped_by_a_proctor_is_terminated() -> None:
    assert resolve_status("Completed", "Test Stopped", "Proctor Stopped", None) is (
        ResultStatus.TERMINATED
    )


def test_unknown_status_is_rejected_on_the_status_path() -> None:
    raw = completed()
    candidate(raw)["testStatus"].update(status="Archived", overallStatus="Gone")
    messages = errors_of(raw)
    assert "Unknown test status" in messages["candidates"][0]["testStatus"]["status"][0]


def test_single_candidate_envelope_and_bare_candidate() -> None:
    expected = load_candidates(completed())[0]
    assert load_result({"status": "SUCCESS", "candidate": candidate(completed())}) == expected
    assert load_result(candidate(completed())) == expected


def test_page_of_several_candidates_needs_load_candidates() -> None:
    raw = completed()
    raw["candidates"].append(candidate(sample("mettl_candidates_to_be_taken")))
    assert len(load_candidates(raw)) == 2
    assert errors_of(raw) == {"candidates": ["Expected a list holding exactly one entry."]}


def test_error_body_is_a_validation_error() -> None:
    body = {"status": "ERROR", "error": {"code": "E401", "message": "Signature mismatch"}}
    assert errors_of(body) == {"error": ["Mettl returned an error: E401: Signature mismatch"]}
    with pytest.raises(ValidationError):
        load_candidates(body)


def test_finish_notification_is_a_submitted_attempt() -> None:
    result = load_result(sample("mettl_notification_finish"))
    assert result == AssessmentResult(
        vendor="mettl",
        attempt_ref="name@email.com",
        status=ResultStatus.SUBMITTED,
        test_ref="1225766",
        finished_at=dt.datetime(2024, 8, 16, 13, 14, 21, tzinfo=UTC),
        completion_mode="NormalSubmission",
        learner=LEARNER,
    )


def test_finish_notification_with_placeholder_email_is_rejected() -> None:
    raw = sample("mettl_notification_finish")
    raw["email"] = "..."
    assert errors_of(raw) == {"email": ["Not a valid e-mail address."]}


def test_graded_notification_reads_its_test_status() -> None:
    result = load_result(sample("mettl_notification_graded"))
    expected = load_candidates(completed())[0]
    assert result.score == expected.score == D("1.0")
    assert result.sections == expected.sections
    assert result.test_ref == "1225766"
    assert result.test_name == "Sample Assessment"
    assert result.report_url == "https://reports.mettl.com/html/136419634"
    assert result.learner == LEARNER


def test_graded_notification_without_test_status_reads_flat_fields() -> None:
    result = load_result(sample("mettl_notification_graded_flat"))
    assert result == AssessmentResult(
        vendor="mettl",
        attempt_ref="name@email.com",
        status=ResultStatus.COMPLETED,
        test_ref="1225766",
        test_name="Sample Assessment",
        started_at=at(1, 9, 52),
        finished_at=at(1, 10, 37),
        duration=dt.timedelta(seconds=45, microseconds=78_000),
        score=D("1.0"),
        max_score=D("2.0"),
        percent=D("50.00"),
        completion_mode="NormalSubmission",
        learner=LEARNER,
    )


def test_unsupported_event_is_rejected() -> None:
    raw = sample("mettl_notification_finish")
    raw["EVENT_TYPE"] = "startTest"
    assert "EVENT_TYPE" in errors_of(raw)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"startTime": "18/02/2022"}, "startTime"),
        ({"endTime": "Fri, 18 Feb 2022 01:00:00 GMT"}, "endTime"),
        ({"htmlReport": "file:///etc/passwd"}, "htmlReport"),
    ],
)
def test_bad_test_status_values_name_the_field(change: dict, path: str) -> None:
    raw = completed()
    candidate(raw)["testStatus"].update(change)
    assert path in errors_of(raw)["candidates"][0]["testStatus"]


def test_marks_above_maximum_are_rejected_where_they_occur() -> None:
    raw = completed()
    section = candidate(raw)["testStatus"]["result"]["sectionMarks"][0]
    section["skillMarks"][0]["totalMarks"] = 3.0
    messages = errors_of(raw)["candidates"][0]["testStatus"]["result"]["sectionMarks"][0]
    assert messages == {"skillMarks": {0: {"totalMarks": ["Greater than the maximum score."]}}}


def test_candidate_needs_an_email() -> None:
    raw = without(candidate(completed()), "email", "registration")
    assert errors_of(raw) == {"email": ["A candidate needs an e-mail address."]}


def test_numeric_credibility_index_is_an_integrity_score() -> None:
    raw = completed()
    candidate(raw)["testStatus"]["result"]["candidateCredibilityIndex"] = 87.5
    proctoring = load_result(raw).proctoring
    assert proctoring is not None
    assert (proctoring.source, proctoring.status) == ("mettl", ProctoringStatus.REVIEWED)
    assert proctoring.integrity_score == D("87.5")


def test_textual_credibility_index_is_kept_as_a_comment() -> None:
    raw = completed()
    candidate(raw)["testStatus"]["result"]["candidateCredibilityIndex"] = "High"
    proctoring = load_result(raw).proctoring
    assert proctoring is not None
    assert proctoring.integrity_score is None
    assert proctoring.comment == "Candidate credibility index: High"
