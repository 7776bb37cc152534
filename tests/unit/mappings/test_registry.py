from __future__ import annotations

import pytest
from marshmallow import ValidationError

import mappings
from mappings.registry import KNOWN_KINDS
from mappings.registry import load_result
from tests.unit.mappings.helpers import sample

SAMPLES = {
    "startexam": "startexam_session_finished",
    "examspark": "examspark_exam_session",
    "mettl": "mettl_candidates_completed",
    "imocha": "imocha_report_type3",
    "proctorexam": "proctorexam_student_sessions",
}


def test_known_kinds() -> None:
    assert KNOWN_KINDS == ("examspark", "imocha", "mettl", "proctorexam", "startexam")
    assert mappings.KNOWN_KINDS == KNOWN_KINDS


@pytest.mark.parametrize("kind", KNOWN_KINDS)
def test_each_kind_loads_its_sample(kind: str) -> None:
    result = load_result(kind, sample(SAMPLES[kind]))
    assert result.vendor == kind


def test_only_proctorexam_results_carry_a_proctorexam_review() -> None:
    result = load_result("proctorexam", sample(SAMPLES["proctorexam"]))
    assert result.proctoring is not None
    assert result.proctoring.source == "proctorexam"


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(
        ValueError, match="known kinds: examspark, imocha, mettl, proctorexam, startexam"
    ):
        load_result("codility", {})


@pytest.mark.parametrize("kind", KNOWN_KINDS)
@pytest.mark.parametrize("raw", [[], "text", 5, None, {}])
def test_non_payloads_are_validation_errors(kind: str, raw: object) -> None:
    with pytest.raises(ValidationError):
        load_result(kind, raw)  # type: ignore[arg-type]
