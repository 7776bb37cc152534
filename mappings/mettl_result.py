"""Mettl ``testStatus`` -> status and canonical result (shared by results and notifications).

Status: ``testStatus.status`` first (:data:`STATUS`), else ``detailedStatus`` /
``overallStatus`` (:data:`DETAILED_STATUS`, :data:`OVERALL_STATUS`); a completed test is
refined by ``completionMode`` (:data:`COMPLETION_STATUS`): stopped by a proctor or a
rule -> terminated, disconnected without resuming -> expired, resume allowed -> in
progress. Only ``ToBeTaken``, ``InProgress``, ``InProcessing`` and ``Completed`` are
shown in the seed; the overall/detailed tables follow its status table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t
from collections.abc import Mapping

from marshmallow import ValidationError
from marshmallow import fields

from mappings.common import VendorSchema
from mappings.common import check_order
from mappings.common import percent_of
from mappings.fields import HttpUrl
from mappings.fields import Text
from mappings.fields import token
from mappings.mettl_marks import MarkedSection
from mappings.mettl_marks import MettlResultSchema
from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import Outcome
from mappings.result import ResultStatus
from mappings.time_fields import Rfc1123DateTime

VENDOR = "mettl"

STATUS: Mapping[str, ResultStatus] = {
    "tobetaken": ResultStatus.NOT_STARTED,
    "inprogress": ResultStatus.IN_PROGRESS,
    "inprocessing": ResultStatus.SUBMITTED,
    "completed": ResultStatus.COMPLETED,
}
OVERALL_STATUS: Mapping[str, ResultStatus] = {
    "yettostart": ResultStatus.NOT_STARTED,
    "notstarted": ResultStatus.EXPIRED,
    "inprogress": ResultStatus.IN_PROGRESS,
    "completed": ResultStatus.COMPLETED,
    "teststopped": ResultStatus.TERMINATED,
    "blocked": ResultStatus.TERMINATED,
    "disconnected": ResultStatus.EXPIRED,
}
DETAILED_STATUS: Mapping[str, ResultStatus] = {
    "awaitingtesttakerresume": ResultStatus.IN_PROGRESS,
    "awaitingresumepermission": ResultStatus.IN_PROGRESS,
}
COMPLETION_STATUS: Mapping[str, ResultStatus] = {
    "proctoredfinish": ResultStatus.TERMINATED,
    "suspicioussoftwarefinish": ResultStatus.TERMINATED,
    "browsingtoleranceexceeded": ResultStatus.TERMINATED,
    "na": ResultStatus.TERMINATED,
    "expired": ResultStatus.EXPIRED,
    "resumeenabled": ResultStatus.IN_PROGRESS,
}


def resolve_status(
    status: str | None, overall: str | None, detailed: str | None, mode: str | None
) -> ResultStatus:
    """Combine Mettl's status words into one canonical status.

    :raises ValidationError: (on ``status``) when none of the words is known.
    """
    resolved = STATUS.get(token(status or ""))
    if resolved is None:
        resolved = DETAILED_STATUS.get(token(detailed or "")) or OVERALL_STATUS.get(
            token(overall or "")
        )
    if resolved is None:
        raise ValidationError(f"Unknown test status {status!r} / {overall!r}.", "status")
    if resolved is ResultStatus.COMPLETED:
        stopped = OVERALL_STATUS.get(token(overall or "")) is ResultStatus.TERMINATED
        resolved = COMPLETION_STATUS.get(token(mode or "")) or (
            ResultStatus.TERMINATED if stopped else resolved
        )
    return resolved


class MettlTestStatusSchema(VendorSchema):
    status = Text(load_default=None)
    overall_status = Text(data_key="overallStatus", load_default=None)
    detailed_status = Text(data_key="detailedStatus", load_default=None)
    start_time = Rfc1123DateTime(data_key="startTime", load_default=None)
    end_time = Rfc1123DateTime(data_key="endTime", load_default=None)
    completion_mode = Text(data_key="completionMode", load_default=None)
    result = fields.Nested(MettlResultSchema, load_default=None)
    performance_category = Text(data_key="performanceCategory", load_default=None)
    pdf_report = HttpUrl(data_key="pdfReport", load_default=None)
    html_report = HttpUrl(data_key="htmlReport", load_default=None)

    def make(self, data: dict[str, t.Any]) -> dict[str, t.Any]:
        check_order(data["start_time"], data["end_time"], "endTime")
        resolved = resolve_status(
            data["status"],
            data["overall_status"],
            data["detailed_status"],
            data["completion_mode"],
        )
        return {**data, "resolved": resolved}


def build_from_test_status(
    test_status: Mapping[str, t.Any],
    learner: Learner,
    email: str | None,
    *,
    test_ref: str | None = None,
    test_name: str | None = None,
) -> AssessmentResult:
    """Build the canonical result of one candidate from a loaded ``testStatus``."""
    result = test_status["result"] or {}
    recommendations: tuple[Outcome, ...] = result.get("recommendations", ())
    category = test_status["performance_category"] or next(
        (outcome.level for outcome in recommendations if outcome.level), None
    )
    return build_result(
        status=test_status["resolved"],
        started=test_status["start_time"],
        finished=test_status["end_time"],
        mode=test_status["completion_mode"],
        marks=result,
        learner=learner,
        email=email,
        extra={
            "test_ref": test_ref,
            "test_name": test_name,
            "level": category,
            "outcomes": recommendations,
            "proctoring": result.get("proctoring"),
            "report_url": test_status["html_report"] or test_status["pdf_report"],
        },
    )


def build_result(
    *,
    status: ResultStatus,
    started: dt.datetime | None,
    finished: dt.datetime | None,
    mode: str | None,
    marks: Mapping[str, t.Any],
    learner: Learner,
    email: str | None,
    extra: Mapping[str, t.Any],
) -> AssessmentResult:
    """Assemble a Mettl result; ``marks`` is a loaded ``testStatus.result`` (or alike).

    :raises ValidationError: (on ``email``) when no e-mail identifies the candidate.
    """
    address = email or learner.email
    if address is None:
        raise ValidationError("A candidate needs an e-mail address.", "email")
    marked: tuple[MarkedSection, ...] = marks.get("sections", ())
    questions = tuple(question for part in marked for question in part.questions)
    score, max_score = marks.get("score"), marks.get("max_score")
    return AssessmentResult(
        vendor=VENDOR,
        attempt_ref=address,
        status=status,
        started_at=started,
        finished_at=finished,
        duration=marks.get("duration"),
        score=score,
        max_score=max_score,
        percent=percent_of(score, max_score),
        completion_mode=mode,
        needs_manual_grading=status is ResultStatus.COMPLETED
        and any(question.needs_manual_grading for question in questions),
        sections=tuple(part.section for part in marked),
        questions=questions,
        learner=dataclasses.replace(learner, email=address),
        **extra,
    )
