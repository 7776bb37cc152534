"""Values and payloads shared by the Greenhouse sink and simulator tests."""

from __future__ import annotations

import datetime as dt
import decimal
import typing as t

from mappings.ats import FieldWrite
from mappings.ats import build_field_writes
from mappings.ats import plan_field_writes
from mappings.result import AssessmentResult
from mappings.result import ResultStatus
from plugin.ats.base import AtsPayload
from plugin.ats.base import CandidateRef

if t.TYPE_CHECKING:
    from plugin.sandbox.ats.greenhouse import SandboxGreenhouse

CLIENT_ID = "gh-client-1"
CLIENT_SECRET = "gh-secret-do-not-leak-8f3a"
USER_ID = 77
EMAIL = "ada@example.org"


def write(key: str | int, value: t.Any, type_: str = "number", field: str = "score") -> FieldWrite:
    return FieldWrite("greenhouse", field, key, type_, value)


def payload(*writes: FieldWrite, email: str = EMAIL, candidate_id: str | None = None) -> AtsPayload:
    return AtsPayload(
        result_id="result-1",
        candidate=CandidateRef(email=email, candidate_id=candidate_id),
        writes=writes,
        result={},
    )


def standard_fields(sim: SandboxGreenhouse) -> dict[str, dict[str, t.Any]]:
    """Define the fields the standard map writes; return them by name_key."""
    fields = [
        sim.add_field("Assessment score", "number", name_key="assessment_score"),
        sim.add_field("Assessment passed", "yes_no", name_key="assessment_passed"),
        sim.add_field("Assessment report", "url", name_key="assessment_report"),
        sim.add_field("Assessment date", "date", name_key="assessment_date"),
        sim.add_field(
            "Assessment status",
            "single_select",
            name_key="assessment_status",
            options=["Completed", "Expired"],
        ),
    ]
    return {field["name_key"]: field for field in fields}


STANDARD_MAP = {
    "target": "greenhouse",
    "fields": {
        "score_percent": {"key": "assessment_score", "type": "number"},
        "passed": {"key": "assessment_passed", "type": "yes_no"},
        "report_url": {"key": "assessment_report", "type": "url"},
        "completed_at": {"key": "assessment_date", "type": "date"},
        "status": {
            "key": "assessment_status",
            "type": "single_select",
            "options": {"completed": "Completed", "expired": "Expired"},
        },
    },
}


def standard_writes() -> tuple[FieldWrite, ...]:
    """The writes the standard map plans for a completed, passed result of 81.5 %."""
    result = AssessmentResult(
        vendor="mettl",
        attempt_ref="a-1",
        status=ResultStatus.COMPLETED,
        finished_at=dt.datetime(2025, 3, 4, 23, 30, tzinfo=dt.UTC),
        percent=decimal.Decimal("81.5"),
        passed=True,
        report_url="https://reports.example.org/r/1",
    )
    return tuple(build_field_writes(result, plan_field_writes(STANDARD_MAP)))
