"""StartExam "Get Session Report V2" -> :class:`AssessmentResult`.

Source: https://api.startexam.com/Methods/GetSessionReportV2
(``docs/vendors/startexam.md#results``). An
unfinished session leaves ``elapsedTime``, ``score``, ``maxScore``, ``percent``,
``scaleLevel`` and ``outcomes`` absent or null.

Readings chosen where the documentation is silent:

- Status: ``isFinished`` -> completed; not finished but ``autoClosed`` (closed by
  timeout) -> expired; not finished and never ``started`` -> not started; otherwise
  in progress.
- The report has no finish time; ``finished_at`` is ``started + elapsedTime`` for a
  finished session.
- A question with a null score needs manual grading (essays, video interviews),
  except question types that are never scored (:data:`UNSCORED_QUESTION_TYPES`).
- Proctoring: ``conclusion`` is the reviewer's verdict, so its presence means the
  review is done and it is the integrity score; ``evaluation`` (the automatic
  estimate) stands in while the review is pending.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from marshmallow import ValidationError
from marshmallow import fields

from mappings.common import Record
from mappings.common import RecordList
from mappings.common import VendorSchema
from mappings.common import check_not_above
from mappings.common import learner_from_fields
from mappings.common import percent_of
from mappings.common import round_percent
from mappings.fields import ZERO
from mappings.fields import Amount
from mappings.fields import Count
from mappings.fields import Flag
from mappings.fields import HttpUrl
from mappings.fields import Ident
from mappings.fields import Percent
from mappings.fields import Text
from mappings.result import AssessmentResult
from mappings.result import Outcome
from mappings.result import Proctoring
from mappings.result import ProctoringStatus
from mappings.result import Question
from mappings.result import ResultStatus
from mappings.result import Section
from mappings.time_fields import Duration
from mappings.time_fields import IsoDateTime

VENDOR = "startexam"

#: Question types that carry no score by design (survey scales), so a null score on
#: them does not mean "awaiting a grader".
UNSCORED_QUESTION_TYPES = frozenset({"Likert"})


def _list(schema: type[VendorSchema]) -> RecordList:
    return RecordList(schema, load_default=(), allow_none=True)


class StartExamQuestionSchema(VendorSchema):
    num = Count(load_default=None)
    kind = Text(data_key="type", load_default=None)
    score = Amount(load_default=None)
    max_score = Amount(data_key="max", low=ZERO, load_default=None)
    duration = Duration(data_key="elapsedTime", load_default=None)
    code = Text(load_default=None)

    def make(self, data: dict[str, t.Any]) -> Question:
        num, code, kind, score = data["num"], data["code"], data["kind"], data["score"]
        if code is None and num is None:
            raise ValidationError("A question needs a num or a code.", "num")
        # Positional: this runs once per question and keywords cost twice as much.
        return Question(
            code if code is not None else str(num),  # ref
            kind,
            score,
            data["max_score"],
            data["duration"],
            score is None and kind not in UNSCORED_QUESTION_TYPES,  # needs_manual_grading
        )


class StartExamSectionSchema(VendorSchema):
    title = Text(load_default=None)
    score = Amount(load_default=None)
    max_score = Amount(data_key="max", low=ZERO, load_default=None)
    level = Text(load_default=None)
    duration = Duration(data_key="elapsedTime", load_default=None)

    def make(self, data: dict[str, t.Any]) -> Section:
        return Section(**{**data, "title": data["title"] or "Untitled section"})


class StartExamOutcomeSchema(VendorSchema):
    ref = Ident(data_key="id", load_default=None)
    name = Text(load_default=None)
    score = Amount(load_default=None)
    max_score = Amount(data_key="max", low=ZERO, load_default=None)
    level = Text(load_default=None)

    def make(self, data: dict[str, t.Any]) -> Outcome:
        return Outcome(**{**data, "name": data["name"] or data["ref"] or "Outcome"})


class StartExamParticipantFieldSchema(VendorSchema):
    name = Text(required=True)
    value = fields.Raw(load_default=None)

    def make(self, data: dict[str, t.Any]) -> tuple[str, t.Any]:
        return data["name"], data["value"]


class StartExamProctoringSchema(VendorSchema):
    conclusion = Amount(low=ZERO, load_default=None)
    evaluation = Amount(low=ZERO, load_default=None)
    comment = Text(load_default=None)
    protocol_url = HttpUrl(data_key="protocolUrl", load_default=None)

    def make(self, data: dict[str, t.Any]) -> Proctoring:
        conclusion = data["conclusion"]
        return Proctoring(
            source=VENDOR,
            status=ProctoringStatus.PENDING if conclusion is None else ProctoringStatus.REVIEWED,
            integrity_score=data["evaluation"] if conclusion is None else conclusion,
            comment=data["comment"],
            report_url=data["protocol_url"],
        )


class StartExamSessionSchema(VendorSchema):
    participant_id = Ident(data_key="participantId", required=True)
    test_id = Ident(data_key="testId", load_default=None)
    started = IsoDateTime(load_default=None)
    is_finished = Flag(data_key="isFinished", required=True)
    auto_closed = Flag(data_key="autoClosed", load_default=False)
    elapsed = Duration(data_key="elapsedTime", load_default=None)
    score = Amount(load_default=None)
    max_score = Amount(data_key="maxScore", low=ZERO, load_default=None)
    percent = Percent(load_default=None)
    scale_level = Text(data_key="scaleLevel", load_default=None)
    outcomes = _list(StartExamOutcomeSchema)
    participant_data = RecordList(
        StartExamParticipantFieldSchema,
        data_key="participantData",
        load_default=(),
        allow_none=True,
    )
    sections = _list(StartExamSectionSchema)
    questions = _list(StartExamQuestionSchema)
    proctoring = Record(StartExamProctoringSchema, load_default=None)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        score, max_score = data["score"], data["max_score"]
        check_not_above(score, max_score, "score")
        status = _status(data)
        started, elapsed = data["started"], data["elapsed"]
        finished = status is ResultStatus.COMPLETED and started is not None and elapsed is not None
        questions: tuple[Question, ...] = data["questions"] or ()
        percent = data["percent"]
        return AssessmentResult(
            vendor=VENDOR,
            attempt_ref=data["participant_id"],
            status=status,
            test_ref=data["test_id"],
            started_at=started,
            finished_at=started + elapsed if finished else None,
            duration=elapsed,
            score=score,
            max_score=max_score,
            percent=percent_of(score, max_score) if percent is None else round_percent(percent),
            level=data["scale_level"],
            completion_mode="autoClosed" if data["auto_closed"] else None,
            needs_manual_grading=status is ResultStatus.COMPLETED
            and any(question.needs_manual_grading for question in questions),
            sections=data["sections"] or (),
            questions=questions,
            outcomes=data["outcomes"] or (),
            proctoring=data["proctoring"],
            learner=learner_from_fields(data["participant_data"] or (), "participantData"),
        )


def _status(data: Mapping[str, t.Any]) -> ResultStatus:
    if data["is_finished"]:
        return ResultStatus.COMPLETED
    if data["auto_closed"]:
        return ResultStatus.EXPIRED
    if data["started"] is None:
        return ResultStatus.NOT_STARTED
    return ResultStatus.IN_PROGRESS


_SESSION_SCHEMA = StartExamSessionSchema()


def load_result(raw: Mapping[str, t.Any]) -> AssessmentResult:
    """Map a session report to a canonical result.

    :raises marshmallow.ValidationError: when the payload is not a valid report.
    """
    result: AssessmentResult = _SESSION_SCHEMA.load(raw)
    return result
