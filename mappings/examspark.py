"""ExamSpark (Campfire Learning) exam session -> :class:`AssessmentResult`.

Source: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
(``docs/vendors/examspark.md#results``). Accepted shapes: ``GET /api/exam-session/:id``
and one ``items[]`` entry of ``POST /api/exam-sessions`` (``{"examSession": {...,
"results": ...}, "examConfig": ...}``), and ``GET /api/exam-session/:id/results``, where
``results`` sits beside ``examSession`` instead of inside it.

Readings chosen where the documentation is silent:

- Only ``COMPLETE`` and ``IN_PROGRESS`` (set by "reopen") are documented maturity
  values; the other spellings in :data:`MATURITY_STATUS` are assumed.
- ``results.points`` is the raw score; ``scoreActual`` on ``scoreMin..scoreMax`` gives
  the percentage. Without points, ``scoreActual``/``scoreMax`` is the score.
- An item whose score is scorable but has no ``actual`` value awaits manual grading.
- The learner's external id is the LTI ``userId`` when present, else ``studentId``.
"""

from __future__ import annotations

import decimal
import typing as t
from collections.abc import Mapping

from mappings.common import Record
from mappings.common import RecordList
from mappings.common import RecordMap
from mappings.common import VendorSchema
from mappings.common import check_not_above
from mappings.common import percent_of
from mappings.fields import ZERO
from mappings.fields import Amount
from mappings.fields import Choice
from mappings.fields import Flag
from mappings.fields import Ident
from mappings.fields import Text
from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import Outcome
from mappings.result import Question
from mappings.result import ResultStatus

VENDOR = "examspark"

#: ``maturity`` (normalised, see :func:`mappings.fields.token`) -> status.
MATURITY_STATUS: Mapping[str, ResultStatus] = {
    "complete": ResultStatus.COMPLETED,
    "completed": ResultStatus.COMPLETED,
    "inprogress": ResultStatus.IN_PROGRESS,
    "notstarted": ResultStatus.NOT_STARTED,
    "submitted": ResultStatus.SUBMITTED,
    "expired": ResultStatus.EXPIRED,
    "cancelled": ResultStatus.CANCELLED,
    "canceled": ResultStatus.CANCELLED,
}


class _Score(t.NamedTuple):
    actual: decimal.Decimal | None
    scorable: bool
    low: decimal.Decimal
    high: decimal.Decimal | None


class ExamSparkScoreSchema(VendorSchema):
    actual = Amount(load_default=None)
    is_scorable = Flag(data_key="isScorable", load_default=True)
    min = Amount(load_default=ZERO)
    max = Amount(load_default=None)

    def make(self, data: dict[str, t.Any]) -> _Score:
        return _Score(data["actual"], data["is_scorable"], data["min"], data["max"])


class ExamSparkInteractionSchema(VendorSchema):
    interaction_type = Text(data_key="interactionType", load_default=None)

    def make(self, data: dict[str, t.Any]) -> str | None:
        kind: str | None = data["interaction_type"]
        return kind


class ExamSparkItemSchema(VendorSchema):
    id = Ident(required=True)
    score = Record(ExamSparkScoreSchema, load_default=None)
    questions = RecordList(ExamSparkInteractionSchema, load_default=(), allow_none=True)

    def make(self, data: dict[str, t.Any]) -> Question:
        score: _Score | None = data["score"]
        kinds = [kind for kind in data["questions"] or () if kind]
        if score is None:
            return Question(data["id"], kinds[0] if kinds else None)
        # Positional: this runs once per item and keywords cost twice as much.
        return Question(
            data["id"],  # ref
            kinds[0] if kinds else None,  # kind
            score.actual,
            score.high,  # max_score
            None,  # duration
            score.scorable and score.actual is None,  # needs_manual_grading
        )


class ExamSparkObjectiveSchema(VendorSchema):
    id = Ident(load_default=None)
    score = Record(ExamSparkScoreSchema, load_default=None)
    text = Text(load_default=None)
    abbreviation = Text(load_default=None)

    def make(self, data: dict[str, t.Any]) -> Outcome:
        score: _Score | None = data["score"]
        return Outcome(
            name=data["text"] or data["abbreviation"] or data["id"] or "Objective",
            ref=data["id"],
            score=score.actual if score else None,
            max_score=score.high if score else None,
            level=data["abbreviation"],
        )


class ExamSparkResultsSchema(VendorSchema):
    items = RecordList(ExamSparkItemSchema, load_default=(), allow_none=True)
    objectives = RecordMap(ExamSparkObjectiveSchema, load_default=None)
    points = Record(ExamSparkScoreSchema, load_default=None)


class ExamSparkLtiSchema(VendorSchema):
    user_id = Text(data_key="userId", load_default=None)


class ExamSparkSessionDataSchema(VendorSchema):
    lti = Record(ExamSparkLtiSchema, load_default=None)


class ExamSparkSessionSchema(VendorSchema):
    id = Ident(required=True)
    student_id = Text(data_key="studentId", load_default=None)
    maturity = Choice(MATURITY_STATUS, required=True)
    name = Text(load_default=None)
    score_actual = Amount(data_key="scoreActual", load_default=None)
    score_min = Amount(data_key="scoreMin", load_default=ZERO)
    score_max = Amount(data_key="scoreMax", load_default=None)
    exam_id = Text(data_key="examId", load_default=None)
    session_data = Record(ExamSparkSessionDataSchema, data_key="examSessionData", load_default=None)
    results = Record(ExamSparkResultsSchema, load_default=None)


class ExamSparkConfigSchema(VendorSchema):
    id = Ident(load_default=None)


class ExamSparkEnvelopeSchema(VendorSchema):
    session = Record(ExamSparkSessionSchema, data_key="examSession", required=True)
    results = Record(ExamSparkResultsSchema, load_default=None)
    config = Record(ExamSparkConfigSchema, data_key="examConfig", load_default=None)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        session = data["session"]
        results = data["results"] or session["results"] or {}
        points: _Score | None = results.get("points")
        actual, low, high = session["score_actual"], session["score_min"], session["score_max"]
        check_not_above(actual, high, "examSession.scoreActual")
        if points is not None and points.scorable:
            score, max_score = points.actual, points.high
        else:
            score, max_score = actual, high
        check_not_above(score, max_score, "results.points")
        percent = percent_of(actual, high, low)
        if percent is None and points is not None:
            percent = percent_of(points.actual, points.high, points.low)
        questions: tuple[Question, ...] = results.get("items") or ()
        status: ResultStatus = session["maturity"]
        lti = (session["session_data"] or {}).get("lti") or {}
        objectives = results.get("objectives") or {}
        return AssessmentResult(
            vendor=VENDOR,
            attempt_ref=session["id"],
            status=status,
            test_ref=(data["config"] or {}).get("id") or session["exam_id"],
            score=score,
            max_score=max_score,
            percent=percent,
            needs_manual_grading=status is ResultStatus.COMPLETED
            and any(question.needs_manual_grading for question in questions),
            questions=questions,
            outcomes=tuple(objectives[key] for key in sorted(objectives)),
            learner=Learner(
                name=session["name"], external_id=lti.get("user_id") or session["student_id"]
            ),
        )


_ENVELOPE_SCHEMA = ExamSparkEnvelopeSchema()


def load_result(raw: Mapping[str, t.Any]) -> AssessmentResult:
    """Map an exam-session payload to a canonical result.

    :raises marshmallow.ValidationError: when the payload is not a valid exam session.
    """
    result: AssessmentResult = _ENVELOPE_SCHEMA.load(raw)
    return result
