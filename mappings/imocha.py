"""iMocha candidate test report and callback -> :class:`AssessmentResult`.

Sources: "Retrieve candidate test report" (``GET /v3/reports/{id}``,
``docs/vendors/imocha.md#results``) and https://developer.imocha.io/api/callback-notification
(``docs/vendors/imocha.md#completion-signals``).

- Report types: 1 = sections, 2 = skills, 3 = sections each with their ``Skills``.
  Type 2 is documented only by its skill fields (which name their section); its
  skills are read from a top-level ``skills``/``Skills`` list and grouped into
  sections by ``sectionId``.
- Spellings vary (``Status``/``status``, ``sectionID``/``sectionId``,
  ``Skills``/``skills``, legacy callback keys with trailing spaces); they are
  resolved in ``normalise``. Status words are matched loosely (:data:`STATUS`).
- ``attemptedOn``/``AttemptedOnUtc`` is when the attempt started. ``AttemptedOn`` in
  the callback is local text of an unknown zone (``09-Oct-2020 06:51 PM``) and is not read.
- The percentage is ``candidatePoints``/``totalTestPoints`` when both are given (the
  documented ``scorePercentage`` is rounded to an integer), else ``scorePercentage``.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from marshmallow import ValidationError

from mappings.common import RecordList
from mappings.common import VendorSchema
from mappings.common import aliased
from mappings.common import check_not_above
from mappings.common import percent_of
from mappings.common import pick
from mappings.common import round_percent
from mappings.fields import ZERO
from mappings.fields import Amount
from mappings.fields import EmailAddress
from mappings.fields import HttpUrl
from mappings.fields import Ident
from mappings.fields import Percent
from mappings.fields import Text
from mappings.fields import token
from mappings.imocha_sections import IMochaSectionSchema
from mappings.imocha_sections import IMochaSkillSchema
from mappings.imocha_sections import group_sections
from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import ResultStatus
from mappings.time_fields import IsoDateTime

VENDOR = "imocha"

#: Status spellings (normalised, see :func:`mappings.fields.token`) -> status.
STATUS: Mapping[str, ResultStatus] = {
    "pending": ResultStatus.NOT_STARTED,
    "reset": ResultStatus.NOT_STARTED,
    "inprogress": ResultStatus.IN_PROGRESS,
    "complete": ResultStatus.COMPLETED,
    "completed": ResultStatus.COMPLETED,
    "generated": ResultStatus.COMPLETED,
    "testleft": ResultStatus.COMPLETED,
    "terminated": ResultStatus.TERMINATED,
    "expired": ResultStatus.EXPIRED,
    "cancelled": ResultStatus.CANCELLED,
    "canceled": ResultStatus.CANCELLED,
}

_REPORT_ALIASES = {
    "Status": "status",
    "PerformanceCategory": "performanceCategory",
    "Skills": "skills",
}


def _status(text: str | None, field_name: str) -> tuple[ResultStatus, str | None]:
    """Return the status and, for a learner who left the test, the completion mode."""
    if text is None:
        raise ValidationError("A status is required.", field_name)
    status = pick(STATUS, text, field_name)
    return status, "Test Left" if token(text) == "testleft" else None


class IMochaReportSchema(VendorSchema):
    invitation_id = Ident(data_key="testInvitationId", required=True)
    test_id = Ident(data_key="testId", load_default=None)
    email = EmailAddress(data_key="candidateEmail", load_default=None)
    attempted_on = IsoDateTime(data_key="attemptedOn", load_default=None)
    status = Text(required=True)
    score = Amount(load_default=None)
    score_percentage = Percent(data_key="scorePercentage", load_default=None)
    points = Amount(data_key="candidatePoints", load_default=None)
    total_points = Amount(data_key="totalTestPoints", low=ZERO, load_default=None)
    test_name = Text(data_key="testName", load_default=None)
    report_url = HttpUrl(data_key="pdfReportUrl", load_default=None)
    category = Text(data_key="performanceCategory", load_default=None)
    sections = RecordList(IMochaSectionSchema, load_default=(), allow_none=True)
    skills = RecordList(IMochaSkillSchema, load_default=(), allow_none=True)

    def normalise(self, data: Mapping[str, t.Any]) -> Mapping[str, t.Any]:
        return aliased(data, _REPORT_ALIASES)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        status, mode = _status(data["status"], "status")
        points = data["points"] if data["points"] is not None else data["score"]
        total = data["total_points"]
        check_not_above(points, total, "candidatePoints")
        percent = percent_of(points, total)
        if percent is None and data["score_percentage"] is not None:
            percent = round_percent(data["score_percentage"])
        sections, duration = group_sections(data["sections"] or (), data["skills"] or ())
        return AssessmentResult(
            vendor=VENDOR,
            attempt_ref=data["invitation_id"],
            status=status,
            test_ref=data["test_id"],
            test_name=data["test_name"],
            started_at=data["attempted_on"],
            duration=duration,
            score=points,
            max_score=total,
            percent=percent,
            level=data["category"],
            completion_mode=mode,
            sections=sections,
            report_url=data["report_url"],
            learner=Learner(email=data["email"]),
        )


class IMochaCallbackSchema(VendorSchema):
    invitation_id = Ident(data_key="TestInvitationId", required=True)
    email = EmailAddress(data_key="CandidateEmailId", load_default=None)
    attempted_on = IsoDateTime(data_key="AttemptedOnUtc", load_default=None)
    total_score = Amount(data_key="TotalScore", low=ZERO, load_default=None)
    candidate_score = Amount(data_key="CandidateScore", load_default=None)
    report_url = HttpUrl(data_key="ReportPDFUrl", load_default=None)
    status = Text(data_key="Status", required=True)
    category = Text(data_key="PerformanceCategory", load_default=None)

    def normalise(self, data: Mapping[str, t.Any]) -> Mapping[str, t.Any]:
        padded = sorted(key for key in data if isinstance(key, str) and key != key.strip())
        if not padded:
            return data
        stripped = {key.strip(): data[key] for key in padded}
        return {**stripped, **{key: value for key, value in data.items() if key not in padded}}

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        status, mode = _status(data["status"], "Status")
        score, total = data["candidate_score"], data["total_score"]
        check_not_above(score, total, "CandidateScore")
        return AssessmentResult(
            vendor=VENDOR,
            attempt_ref=data["invitation_id"],
            status=status,
            started_at=data["attempted_on"],
            score=score,
            max_score=total,
            percent=percent_of(score, total),
            level=data["category"],
            completion_mode=mode,
            report_url=data["report_url"],
            learner=Learner(email=data["email"]),
        )


_REPORT = IMochaReportSchema()
_CALLBACK = IMochaCallbackSchema()


def _is_callback(raw: t.Any) -> bool:
    return isinstance(raw, Mapping) and any(
        isinstance(key, str) and key.strip() == "TestInvitationId" for key in raw
    )


def load_result(raw: Mapping[str, t.Any]) -> AssessmentResult:
    """Map a test report (types 1-3) or a callback payload to a canonical result.

    :raises marshmallow.ValidationError: when the payload is not valid.
    """
    result: AssessmentResult = (_CALLBACK if _is_callback(raw) else _REPORT).load(raw)
    return result
