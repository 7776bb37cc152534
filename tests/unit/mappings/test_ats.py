from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import typing as t

import pytest

from mappings.ats import FieldMapError
from mappings.ats import FieldValueError
from mappings.ats import FieldWrite
from mappings.ats import build_field_writes
from mappings.ats import plan_field_writes
from mappings.ats import proctoring_flag
from mappings.ats import summary_text
from mappings.registry import load_result
from mappings.result import AssessmentResult
from mappings.result import Proctoring
from mappings.result import ProctoringStatus
from mappings.result import ResultStatus
from tests.unit.mappings.helpers import sample

D = decimal.Decimal
# 23:30 on the 16th at UTC-2 is the 17th in UTC.
FINISHED = dt.datetime(2025, 1, 16, 23, 30, tzinfo=dt.timezone(-dt.timedelta(hours=2)))
RESULT = AssessmentResult(
    vendor="imocha",
    attempt_ref="225634",
    status=ResultStatus.COMPLETED,
    test_name="Backend test",
    finished_at=FINISHED,
    score=D("17.0"),
    max_score=D("20.0"),
    percent=D("85.50"),
    passed=True,
    level="Perfect Knowledge",
    report_url="https://app.imocha.io/PDFReport?id=1",
)


def field(key: t.Any, type_: str, **extra: t.Any) -> dict[str, t.Any]:
    return {"key": key, "type": type_, **extra}


def plan(target: str, **fields: dict[str, t.Any]) -> t.Any:
    return plan_field_writes({"target": target, "fields": fields})


def write(target: str, name: str, spec: dict, result: AssessmentResult = RESULT) -> FieldWrite:
    (only,) = build_field_writes(result, plan(target, **{name: spec}))
    return only


def refused(document: t.Any) -> list[str]:
    with pytest.raises(FieldMapError) as caught:
        plan_field_writes(document)
    return caught.value.messages


# Planning: every invalid map is refused up front, with its path.


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"fields": {}}, "target: Missing data for required field."),
        (
            {"target": "lever", "fields": {}},
            "target: Must be one of: greenhouse, webhook, workable.",
        ),
        ({"target": "webhook"}, "fields: Missing data for required field."),
        ({"target": "webhook", "fields": {}}, "fields: Map at least one field."),
        (
            {"target": "webhook", "fields": {"score": {"key": "s"}}},
            "fields.score.value.type: Missing",
        ),
        (
            {"target": "webhook", "fields": {"score": {"key": "s", "type": "number", "x": 1}}},
            "fields.score.value.x: Unknown field.",
        ),
        (
            {"target": "webhook", "fields": {"grade": field("g", "string")}},
            "fields.grade: Unknown logical field",
        ),
        (
            {"target": "greenhouse", "fields": {"score": field("s", "numeric")}},
            "fields.score.type: Not a greenhouse field type",
        ),
        (
            {"target": "workable", "fields": {"completed_at": field("c", "numeric")}},
            "fields.completed_at.type: A datetime value cannot be written to a numeric field.",
        ),
        (
            {"target": "greenhouse", "fields": {"summary": field("s", "yes_no")}},
            "fields.summary.type: A text value cannot be written to a yes_no field.",
        ),
        (
            {"target": "workable", "fields": {"score": field(12, "numeric")}},
            "fields.score.key: Must be a non-blank string",
        ),
        (
            {"target": "greenhouse", "fields": {"score": field(" ", "number")}},
            "fields.score.key: Must be a field name_key (string) or a field id",
        ),
        (
            {"target": "greenhouse", "fields": {"level": field("l", "single_select")}},
            "fields.level.options: A select field needs options",
        ),
        (
            {
                "target": "greenhouse",
                "fields": {"level": field("l", "short_text", options={"a": 1})},
            },
            "fields.level.options: Options apply only to select fields.",
        ),
        (
            {
                "target": "greenhouse",
                "fields": {"passed": field("p", "single_select", options={"yes": 1})},
            },
            "fields.passed.options: Unknown values ['yes']; expected: false, true.",
        ),
        (
            {
                "target": "workable",
                "fields": {"status": field("s", "dropdown", options={"done": "c1"})},
            },
            "fields.status.options: Unknown values ['done']",
        ),
        (
            {"target": "workable", "fields": {"level": field("l", "dropdown", options={"A": 5})}},
            "fields.level.options: Option 5 is not an option id or name.",
        ),
        (
            {
                "target": "workable",
                "fields": {"score": field("s", "numeric", when_missing="clear")},
            },
            "fields.score.when_missing: Workable documents no way to clear",
        ),
        (
            {"target": "webhook", "fields": {"score": field("s", "number", when_missing="erase")}},
            "fields.score.value.when_missing: Must be one of: skip, clear.",
        ),
        (
            {
                "target": "webhook",
                "fields": {"score": field("s", "number"), "max_score": field("s", "number")},
            },
            "fields.score.key: Already used by 'max_score'.",
        ),
    ],
)
def test_invalid_maps_are_refused_when_planned(document: t.Any, message: str) -> None:
    messages = refused(document)
    assert any(line.startswith(message) for line in messages), messages


def test_planning_reports_every_problem_at_once() -> None:
    messages = refused(
        {
            "target": "greenhouse",
            "fields": {"score": field("s", "numeric"), "passed": field("", "yes_no")},
        }
    )
    assert len(messages) == 2


def test_a_valid_map_is_planned_in_logical_order() -> None:
    planned = plan(
        "greenhouse",
        summary=field("summary", "long_text"),
        passed=field(4411, "single_select", options={"true": 91, "false": 92}),
    )
    assert planned.target == "greenhouse"
    assert [(spec.logical, spec.category) for spec in planned.fields] == [
        ("passed", "select"),
        ("summary", "long_text"),
    ]


# Coercion, one rule at a time.


@pytest.mark.parametrize(
    ("target", "type_", "name", "value", "wire"),
    [
        ("greenhouse", "number", "score_percent", 85.5, {"name_key": "k", "value": 85.5}),
        ("greenhouse", "number", "max_score", 20, {"name_key": "k", "value": 20}),
        ("workable", "numeric", "score", 17, {"custom_attribute_key": "k", "value": 17}),
        ("webhook", "number", "score_percent", 85.5, {"k": 85.5}),
        ("greenhouse", "short_text", "score_percent", "85.5", {"name_key": "k", "value": "85.5"}),
        ("greenhouse", "yes_no", "passed", True, {"name_key": "k", "value": True}),
        ("workable", "boolean", "passed", True, {"custom_attribute_key": "k", "checked": True}),
        ("webhook", "boolean", "passed", True, {"k": True}),
        ("workable", "short_text", "passed", "yes", {"custom_attribute_key": "k", "value": "yes"}),
        (
            "greenhouse",
            "date",
            "completed_at",
            "2025-01-17",
            {"name_key": "k", "value": "2025-01-17"},
        ),
        (
            "workable",
            "date",
            "completed_at",
            "2025-01-17",
            {"custom_attribute_key": "k", "value": "2025-01-17"},
        ),
        ("webhook", "date", "completed_at", "2025-01-17", {"k": "2025-01-17"}),
        (
            "webhook",
            "datetime",
            "completed_at",
            "2025-01-17T01:30:00Z",
            {"k": "2025-01-17T01:30:00Z"},
        ),
        (
            "webhook",
            "string",
            "completed_at",
            "2025-01-17T01:30:00Z",
            {"k": "2025-01-17T01:30:00Z"},
        ),
        (
            "greenhouse",
            "url",
            "report_url",
            RESULT.report_url,
            {"name_key": "k", "value": RESULT.report_url},
        ),
        (
            "workable",
            "free_text",
            "report_url",
            RESULT.report_url,
            {"custom_attribute_key": "k", "value": RESULT.report_url},
        ),
        ("webhook", "url", "report_url", RESULT.report_url, {"k": RESULT.report_url}),
        (
            "greenhouse",
            "short_text",
            "level",
            "Perfect Knowledge",
            {"name_key": "k", "value": "Perfect Knowledge"},
        ),
        ("webhook", "string", "status", "completed", {"k": "completed"}),
    ],
)
def test_values_are_coerced_to_the_wire_type(
    target: str, type_: str, name: str, value: t.Any, wire: dict
) -> None:
    written = write(target, name, field("k", type_))
    assert written.value == value
    assert type(written.value) is type(value)
    assert written.wire() == wire


def test_numbers_are_never_numeric_strings() -> None:
    assert write("greenhouse", "score", field("k", "number")).value == 17
    assert type(write("greenhouse", "score", field("k", "number")).value) is int


@pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), float("inf"), float("nan")])
def test_non_finite_numbers_are_rejected(bad: t.Any) -> None:
    broken = dataclasses.replace(RESULT, score=bad)
    with pytest.raises(FieldValueError, match="score: non-finite numbers cannot be written"):
        build_field_writes(broken, plan("workable", score=field("k", "numeric")))


def test_workable_short_text_is_cut_to_128_characters() -> None:
    long_level = dataclasses.replace(RESULT, level="L" * 300)
    written = write("workable", "level", field("k", "short_text"), long_level)
    assert len(written.value) == 128
    assert written.value.endswith("L…")
    roomy = write("workable", "level", field("k", "free_text"), long_level)
    assert roomy.value == "L" * 300
    greenhouse = write("greenhouse", "level", field("k", "short_text"), long_level)
    assert greenhouse.value == "L" * 300


def test_a_url_too_long_for_workable_short_text_is_rejected_not_cut() -> None:
    long_url = dataclasses.replace(RESULT, report_url="https://a.example/" + "x" * 200)
    with pytest.raises(FieldValueError, match="longer than 128 characters"):
        build_field_writes(long_url, plan("workable", report_url=field("k", "short_text")))


@pytest.mark.parametrize(
    ("target", "type_"),
    [
        ("greenhouse", "url"),
        ("greenhouse", "short_text"),
        ("workable", "free_text"),
        ("webhook", "url"),
    ],
)
def test_plain_http_urls_are_rejected(target: str, type_: str) -> None:
    insecure = dataclasses.replace(RESULT, report_url="http://app.imocha.io/PDFReport?id=1")
    with pytest.raises(FieldValueError, match="only absolute https URLs"):
        build_field_writes(insecure, plan(target, report_url=field("k", type_)))


def test_select_fields_take_the_mapped_option() -> None:
    greenhouse = plan(
        "greenhouse",
        passed=field("passed", "single_select", options={"true": 91, "false": 92}),
        status=field(77, "single_select", options={"completed": "Done"}),
    )
    writes = build_field_writes(RESULT, greenhouse)
    assert [w.wire() for w in writes] == [
        {"name_key": "passed", "value": 91},
        {"id": 77, "value": "Done"},
    ]
    workable = plan("workable", level=field("lvl", "dropdown", options={"Perfect Knowledge": "c7"}))
    assert build_field_writes(RESULT, workable)[0].wire() == {
        "custom_attribute_key": "lvl",
        "value": "c7",
    }


def test_a_value_without_an_option_is_rejected() -> None:
    unmapped = plan("greenhouse", level=field("lvl", "single_select", options={"Beginner": 3}))
    with pytest.raises(FieldValueError, match="level: no option is mapped for 'Perfect Knowledge'"):
        build_field_writes(RESULT, unmapped)


def test_missing_values_are_skipped_or_cleared() -> None:
    empty = AssessmentResult(vendor="x", attempt_ref="1", status=ResultStatus.IN_PROGRESS)
    skipped = plan("greenhouse", score=field("score", "number"))
    assert build_field_writes(empty, skipped) == []
    cleared = plan("greenhouse", score=field("score", "number", when_missing="clear"))
    (greenhouse,) = build_field_writes(empty, cleared)
    assert greenhouse.clear is True
    assert greenhouse.wire() == {"name_key": "score", "delete_value": "true"}
    webhook = plan("webhook", score=field("score", "number", when_missing="clear"))
    assert build_field_writes(empty, webhook)[0].wire() == {"score": None}


def test_all_rejections_are_reported_together() -> None:
    bad = dataclasses.replace(RESULT, report_url="http://x.example", score=D("NaN"))
    with pytest.raises(FieldValueError) as caught:
        build_field_writes(
            bad, plan("webhook", report_url=field("u", "url"), score=field("s", "number"))
        )
    assert len(caught.value.messages) == 2


def test_target_must_match_the_plan() -> None:
    planned = plan("workable", score=field("k", "numeric"))
    assert build_field_writes(RESULT, planned, "workable")
    with pytest.raises(FieldMapError, match="the map is for 'workable', not 'greenhouse'"):
        build_field_writes(RESULT, planned, "greenhouse")


def test_value_hash_follows_the_wire_value() -> None:
    first = write("webhook", "score", field("k", "number"))
    again = write("webhook", "score", field("k", "number"))
    other = write(
        "webhook", "score", field("k", "number"), dataclasses.replace(RESULT, score=D(18))
    )
    assert first.value_hash == again.value_hash != other.value_hash


def test_summary_text() -> None:
    assert summary_text(RESULT) == (
        "Backend test: completed; score 17/20; 85.5%; passed; level Perfect Knowledge"
    )
    started = AssessmentResult(vendor="mettl", attempt_ref="a", status=ResultStatus.IN_PROGRESS)
    assert summary_text(started) == "mettl: in progress"
    flagged = dataclasses.replace(
        RESULT,
        passed=False,
        needs_manual_grading=True,
        proctoring=Proctoring("proctorexam", ProctoringStatus.PENDING, incidents_count=2),
    )
    assert summary_text(flagged).endswith(
        "not passed; level Perfect Knowledge; awaiting manual grading;"
        " proctoring incidents recorded"
    )


@pytest.mark.parametrize(
    ("proctoring", "flag"),
    [
        (None, None),
        (Proctoring("proctorexam", ProctoringStatus.PENDING), None),
        (Proctoring("proctorexam", ProctoringStatus.PENDING, incidents_count=1), True),
        (Proctoring("proctorexam", ProctoringStatus.REVIEWED, incidents_count=0), False),
        (Proctoring("startexam", ProctoringStatus.REVIEWED), False),
    ],
)
def test_proctoring_flag(proctoring: Proctoring | None, flag: bool | None) -> None:
    assert proctoring_flag(dataclasses.replace(RESULT, proctoring=proctoring)) is flag


def test_sample_result_written_to_a_full_greenhouse_map() -> None:
    result = load_result("proctorexam", sample("proctorexam_student_sessions"))
    planned = plan(
        "greenhouse",
        proctoring_flag=field("flagged", "yes_no"),
        completed_at=field("done_on", "date"),
        status=field("state", "short_text"),
    )
    assert [w.wire() for w in build_field_writes(result, planned)] == [
        {"name_key": "done_on", "value": "2018-11-17"},
        {"name_key": "flagged", "value": True},
        {"name_key": "state", "value": "completed"},
    ]
