from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json

import pytest
from marshmallow import ValidationError

from mappings.registry import load_result
from mappings.result import AssessmentResult
from mappings.result import AssessmentResultSchema
from mappings.result import ResultStatus
from tests.unit.mappings.helpers import merged
from tests.unit.mappings.helpers import reordered
from tests.unit.mappings.helpers import sample

SCHEMA = AssessmentResultSchema()
CASES = [
    ("startexam", "startexam_session_finished"),
    ("startexam", "startexam_session_unfinished_null"),
    ("examspark", "examspark_exam_session_results"),
    ("mettl", "mettl_candidates_completed"),
    ("mettl", "mettl_notification_graded"),
    ("imocha", "imocha_report_type3"),
    ("imocha", "imocha_callback_legacy"),
    ("proctorexam", "proctorexam_student_sessions"),
]


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_dump_then_load_gives_back_the_same_result(kind: str, name: str) -> None:
    result = load_result(kind, sample(name))
    text = json.dumps(SCHEMA.dump(result))
    assert SCHEMA.load(json.loads(text)) == result


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_digest_ignores_the_key_order_of_the_vendor_json(kind: str, name: str) -> None:
    raw = sample(name)
    assert load_result(kind, reordered(raw)).digest == load_result(kind, raw).digest


def test_digest_is_the_sha256_of_the_canonical_json() -> None:
    result = load_result("startexam", sample("startexam_session_finished"))
    dumped = SCHEMA.dump(result)
    assert dumped["digest"] == result.digest
    assert len(result.digest) == 64
    assert int(result.digest, 16) >= 0


def test_digest_changes_with_meaningful_content() -> None:
    raw = sample("mettl_candidates_completed")
    before = load_result("mettl", raw)
    after = load_result("mettl", merged(raw, sample("mettl_extra_ir")))
    assert before.digest != after.digest
    assert dataclasses.replace(before, level="x").digest != before.digest


def test_wire_form_uses_strings_for_decimals_and_utc_z_times() -> None:
    dumped = SCHEMA.dump(load_result("mettl", sample("mettl_candidates_completed")))
    assert dumped["score"] == "1.0"
    assert dumped["percent"] == "50.00"
    assert dumped["started_at"] == "2022-02-18T01:09:52Z"
    assert dumped["duration_seconds"] == "45.078"
    assert dumped["status"] == "completed"
    assert dumped["sections"][0]["skills"][0]["duration_seconds"] == "45"


def test_load_rejects_a_digest_that_does_not_match() -> None:
    dumped = SCHEMA.dump(load_result("startexam", sample("startexam_session_finished")))
    dumped["score"] = "18.0"
    with pytest.raises(ValidationError) as caught:
        SCHEMA.load(dumped)
    assert caught.value.messages == {"digest": ["Does not match the result's content."]}


def test_load_without_digest_computes_it() -> None:
    result = load_result("imocha", sample("imocha_report_type3"))
    dumped = SCHEMA.dump(result)
    del dumped["digest"]
    assert SCHEMA.load(dumped).digest == result.digest


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"unexpected": 1}, "unexpected"),
        ({"status": "done"}, "status"),
        ({"started_at": "2025-01-16T03:09:50"}, "started_at"),
        ({"score": "many"}, "score"),
        ({"duration_seconds": 5}, "duration_seconds"),
    ],
)
def test_load_is_strict_about_its_own_format(change: dict, path: str) -> None:
    dumped = SCHEMA.dump(load_result("startexam", sample("startexam_session_finished")))
    del dumped["digest"]
    dumped.update(change)
    with pytest.raises(ValidationError) as caught:
        SCHEMA.load(dumped)
    assert path in caught.value.messages


def test_minimal_result_round_trips() -> None:
    result = AssessmentResult(vendor="x", attempt_ref="1", status=ResultStatus.NOT_STARTED)
    loaded = SCHEMA.load({"vendor": "x", "attempt_ref": "1", "status": "not_started"})
    assert loaded == result
    assert SCHEMA.load(SCHEMA.dump(result)) == result


def test_results_are_frozen() -> None:
    result = AssessmentResult(
        vendor="x",
        attempt_ref="1",
        status=ResultStatus.COMPLETED,
        score=decimal.Decimal(1),
        started_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = decimal.Decimal(2)  # type: ignore[misc]
