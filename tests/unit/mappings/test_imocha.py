from __future__ import annotations

import datetime as dt
import decimal

import pytest
from marshmallow import ValidationError

from mappings.imocha import load_result
from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import ResultStatus
from mappings.result import Section
from mappings.result import SubScore
from tests.unit.mappings.helpers import sample
from tests.unit.mappings.helpers import without

D = decimal.Decimal
ATTEMPTED = dt.datetime(2020, 3, 12, 11, 33, 48, 40_000, tzinfo=dt.UTC)
YARN = SubScore("YARN", D("1.0"), D("4.0"), None, 4)
ESSAY = SubScore("Essay Writing", D("0.0"), D("20.0"), None, 4)


def report(sections: tuple[Section, ...], duration: dt.timedelta | None) -> AssessmentResult:
    return AssessmentResult(
        vendor="imocha",
        attempt_ref="225634",
        status=ResultStatus.COMPLETED,
        test_ref="11223",
        test_name="Test with All question types",
        started_at=ATTEMPTED,
        duration=duration,
        score=D("1.0"),
        max_score=D("89.0"),
        percent=D("1.12"),
        sections=sections,
        report_url="https://app.interviewmocha.com/PDFReport?id=Hp2MdRaTmBEnI7%2bbD2G%2f",
        learner=Learner(email="dave@yopmail.com"),
    )


def section(title: str, score: str, top: str, seconds: int, skills: tuple) -> Section:
    return Section(title, D(score), D(top), None, dt.timedelta(seconds=seconds), 4, skills)


def errors_of(raw: object) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_result(raw)  # type: ignore[arg-type]
    return caught.value.messages  # type: ignore[return-value]


def test_report_type_3_has_sections_with_skills() -> None:
    assert load_result(sample("imocha_report_type3")) == report(
        (
            section("YARN", "1.0", "4.0", 9, (YARN,)),
            section("Essay Writing", "0.0", "20.0", 15, (ESSAY,)),
        ),
        dt.timedelta(seconds=24),
    )


def test_report_type_1_has_sections_only() -> None:
    assert load_result(sample("imocha_report_type1")) == report(
        (section("YARN", "1.0", "4.0", 9, ()), section("Essay Writing", "0.0", "20.0", 15, ())),
        dt.timedelta(seconds=24),
    )


def test_report_type_2_groups_skills_by_section() -> None:
    assert load_result(sample("imocha_report_type2")) == report(
        (Section("YARN", skills=(YARN,)), Section("Essay Writing", skills=(ESSAY,))), None
    )


def test_top_level_skills_join_their_listed_section() -> None:
    raw = sample("imocha_report_type1")
    raw["Skills"] = sample("imocha_report_type2")["skills"][:1]
    result = load_result(raw)
    assert result.sections[0].skills == (YARN,)
    assert result.sections[1].skills == ()


def test_complete_callback() -> None:
    assert load_result(sample("imocha_callback_complete")) == AssessmentResult(
        vendor="imocha",
        attempt_ref="331469",
        status=ResultStatus.COMPLETED,
        started_at=dt.datetime(2020, 10, 9, 13, 21, 53, tzinfo=dt.UTC),
        score=D(6),
        max_score=D(115),
        percent=D("5.22"),
        level="Beginner",
        report_url="https://app.imocha.io/PDFReport?id=OXP5R5ayMu8nrHfnh2g%3d%3d",
        learner=Learner(email="candidate@example.com"),
    )


def test_legacy_callback_keys_with_trailing_spaces() -> None:
    assert load_result(sample("imocha_callback_legacy")) == load_result(
        sample("imocha_callback_complete")
    )


def test_exact_key_wins_over_a_padded_duplicate() -> None:
    raw = sample("imocha_callback_legacy")
    raw["TotalScore"] = 120
    assert load_result(raw).max_score == D(120)


def test_in_progress_callback_carries_no_grade() -> None:
    result = load_result(sample("imocha_callback_in_progress"))
    assert result.status is ResultStatus.IN_PROGRESS
    assert result.report_url is None
    assert result.level is None


def test_localised_attempted_on_is_not_read() -> None:
    raw = without(sample("imocha_callback_complete"), "AttemptedOnUtc")
    raw["AttemptedOn"] = "not a date at all"
    assert load_result(raw).started_at is None


@pytest.mark.parametrize(
    ("spelling", "status", "mode"),
    [
        ("Pending", ResultStatus.NOT_STARTED, None),
        ("Reset", ResultStatus.NOT_STARTED, None),
        ("In Progress", ResultStatus.IN_PROGRESS, None),
        ("Inprogress", ResultStatus.IN_PROGRESS, None),
        ("inprogress", ResultStatus.IN_PROGRESS, None),
        ("In progress", ResultStatus.IN_PROGRESS, None),
        ("Complete", ResultStatus.COMPLETED, None),
        ("Completed", ResultStatus.COMPLETED, None),
        ("Generated", ResultStatus.COMPLETED, None),
        ("Test Left", ResultStatus.COMPLETED, "Test Left"),
        ("Testleft", ResultStatus.COMPLETED, "Test Left"),
        ("Terminated", ResultStatus.TERMINATED, None),
        ("Expired", ResultStatus.EXPIRED, None),
        ("Cancelled", ResultStatus.CANCELLED, None),
        ("Canceled", ResultStatus.CANCELLED, None),
        ("cancelled", ResultStatus.CANCELLED, None),
    ],
)
def test_status_spellings(spelling: str, status: ResultStatus, mode: str | None) -> None:
    callback = sample("imocha_callback_complete")
    callback["Status"] = spelling
    result = load_result(callback)
    assert (result.status, result.completion_mode) == (status, mode)
    raw = sample("imocha_report_type3")
    raw["status"] = spelling
    assert load_result(raw).status is status


def test_capitalised_report_keys() -> None:
    raw = without(sample("imocha_report_type3"), "status")
    raw["Status"] = "Complete"
    raw["PerformanceCategory"] = "Expert"
    result = load_result(raw)
    assert (result.status, result.level) == (ResultStatus.COMPLETED, "Expert")


def test_score_percentage_is_used_without_points() -> None:
    raw = without(sample("imocha_report_type1"), "candidatePoints", "score", "totalTestPoints")
    raw["scorePercentage"] = 81
    result = load_result(raw)
    assert (result.score, result.percent) == (None, D("81.00"))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"status": "Archived"}, "status"),
        ({"status": ""}, "status"),
        ({"scorePercentage": 101}, "scorePercentage"),
        ({"candidatePoints": 90.0}, "candidatePoints"),
        ({"attemptedOn": "12-Mar-2020"}, "attemptedOn"),
        ({"testInvitationId": None}, "testInvitationId"),
        ({"pdfReportUrl": "app.imocha.io/PDFReport"}, "pdfReportUrl"),
    ],
)
def test_invalid_reports_name_the_field(change: dict, path: str) -> None:
    raw = sample("imocha_report_type3")
    raw.update(change)
    assert path in errors_of(raw)


def test_invalid_skill_names_its_path() -> None:
    raw = sample("imocha_report_type3")
    raw["sections"][1]["Skills"][0]["candidateQbScore"] = "lots"
    assert errors_of(raw) == {
        "sections": {1: {"skills": {0: {"candidateQbScore": ["Not a valid number."]}}}}
    }


def test_callback_with_unknown_status_names_the_field() -> None:
    raw = sample("imocha_callback_complete")
    raw["Status"] = "Archived"
    assert "Status" in errors_of(raw)
