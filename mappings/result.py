"""The canonical assessment result every vendor payload is mapped to.

:class:`AssessmentResult` is a tree of frozen dataclasses. Vendor schemas build it;
:mod:`mappings.ags` and :mod:`mappings.ats` read it. :class:`AssessmentResultSchema`
is its wire form (stored results, the preview command): decimals as strings, times as
ISO 8601 UTC with a ``Z``, durations as seconds (a decimal string).

:attr:`AssessmentResult.digest` is a SHA-256 over the canonical JSON of the result
(sorted keys, no whitespace), so the same vendor data always gives the same digest
whatever the key order of the vendor's JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import functools
import hashlib
import json
import typing as t

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load

from mappings.canonical_fields import DurationSeconds
from mappings.canonical_fields import UtcTimestamp

Amount = decimal.Decimal


class ResultStatus(enum.StrEnum):
    """Where an attempt stands, in vendor-neutral terms."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    #: Finished by the learner, awaiting the vendor's grading.
    SUBMITTED = "submitted"
    COMPLETED = "completed"
    EXPIRED = "expired"
    #: Stopped by the vendor or a proctor before the learner finished.
    TERMINATED = "terminated"
    CANCELLED = "cancelled"


class ProctoringStatus(enum.StrEnum):
    PENDING = "pending"
    REVIEWED = "reviewed"


@dataclasses.dataclass(frozen=True)
class Learner:
    email: str | None = None
    name: str | None = None
    external_id: str | None = None


@dataclasses.dataclass(frozen=True)
class SubScore:
    """A named part of a section's score: a skill, or a difficulty level."""

    name: str
    score: Amount | None = None
    max_score: Amount | None = None
    duration: dt.timedelta | None = None
    question_count: int | None = None


@dataclasses.dataclass(frozen=True)
class Section:
    title: str
    score: Amount | None = None
    max_score: Amount | None = None
    level: str | None = None
    duration: dt.timedelta | None = None
    question_count: int | None = None
    skills: tuple[SubScore, ...] = ()
    difficulty_levels: tuple[SubScore, ...] = ()


@dataclasses.dataclass(frozen=True)
class Question:
    ref: str
    kind: str | None = None
    score: Amount | None = None
    max_score: Amount | None = None
    duration: dt.timedelta | None = None
    needs_manual_grading: bool = False


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A custom outcome: a personality type, an objective, a recommendation."""

    name: str
    ref: str | None = None
    score: Amount | None = None
    max_score: Amount | None = None
    level: str | None = None


@dataclasses.dataclass(frozen=True)
class Incident:
    ref: str | None = None
    comment: str | None = None
    at: dt.datetime | None = None
    #: Time into the recording at which the incident was placed.
    offset: dt.timedelta | None = None


@dataclasses.dataclass(frozen=True)
class Proctoring:
    #: Vendor that produced the proctoring outcome (``startexam``, ``proctorexam``).
    source: str
    status: ProctoringStatus
    integrity_score: Amount | None = None
    incidents_count: int | None = None
    incidents: tuple[Incident, ...] = ()
    comment: str | None = None
    report_url: str | None = None


@dataclasses.dataclass(frozen=True)
class AssessmentResult:
    vendor: str
    attempt_ref: str
    status: ResultStatus
    test_ref: str | None = None
    test_name: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    duration: dt.timedelta | None = None
    score: Amount | None = None
    max_score: Amount | None = None
    percent: Amount | None = None
    passed: bool | None = None
    level: str | None = None
    #: The vendor's own word for how the attempt ended (Mettl ``completionMode``).
    completion_mode: str | None = None
    needs_manual_grading: bool = False
    sections: tuple[Section, ...] = ()
    questions: tuple[Question, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    proctoring: Proctoring | None = None
    report_url: str | None = None
    learner: Learner = Learner()

    @functools.cached_property
    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of this result."""
        content = _CONTENT_SCHEMA.dump(self)
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _CanonicalSchema(Schema):
    class Meta:
        unknown = RAISE


def _amount() -> fields.Decimal:
    return fields.Decimal(as_string=True, load_default=None)


def _text() -> fields.String:
    return fields.String(load_default=None)


class LearnerSchema(_CanonicalSchema):
    email = _text()
    name = _text()
    external_id = _text()

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> Learner:
        return Learner(**data)


class SubScoreSchema(_CanonicalSchema):
    name = fields.String(required=True)
    score = _amount()
    max_score = _amount()
    duration = DurationSeconds(data_key="duration_seconds", load_default=None)
    question_count = fields.Integer(strict=True, load_default=None)

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> SubScore:
        return SubScore(**data)


class SectionSchema(_CanonicalSchema):
    title = fields.String(required=True)
    score = _amount()
    max_score = _amount()
    level = _text()
    duration = DurationSeconds(data_key="duration_seconds", load_default=None)
    question_count = fields.Integer(strict=True, load_default=None)
    skills = fields.List(fields.Nested(SubScoreSchema), load_default=())
    difficulty_levels = fields.List(fields.Nested(SubScoreSchema), load_default=())

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> Section:
        skills, levels = tuple(data.pop("skills")), tuple(data.pop("difficulty_levels"))
        return Section(**data, skills=skills, difficulty_levels=levels)


class QuestionSchema(_CanonicalSchema):
    ref = fields.String(required=True)
    kind = _text()
    score = _amount()
    max_score = _amount()
    duration = DurationSeconds(data_key="duration_seconds", load_default=None)
    needs_manual_grading = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> Question:
        return Question(**data)


class OutcomeSchema(_CanonicalSchema):
    name = fields.String(required=True)
    ref = _text()
    score = _amount()
    max_score = _amount()
    level = _text()

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> Outcome:
        return Outcome(**data)


class IncidentSchema(_CanonicalSchema):
    ref = _text()
    comment = _text()
    at = UtcTimestamp(load_default=None)
    offset = DurationSeconds(data_key="offset_seconds", load_default=None)

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> Incident:
        return Incident(**data)


class ProctoringSchema(_CanonicalSchema):
    source = fields.String(required=True)
    status = fields.Enum(ProctoringStatus, by_value=True, required=True)
    integrity_score = _amount()
    incidents_count = fields.Integer(strict=True, load_default=None)
    incidents = fields.List(fields.Nested(IncidentSchema), load_default=())
    comment = _text()
    report_url = _text()

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> Proctoring:
        return Proctoring(**{**data, "incidents": tuple(data["incidents"])})


class AssessmentResultSchema(_CanonicalSchema):
    """(De)serialises :class:`AssessmentResult`; ``digest`` is checked on load."""

    vendor = fields.String(required=True)
    attempt_ref = fields.String(required=True)
    status = fields.Enum(ResultStatus, by_value=True, required=True)
    test_ref = _text()
    test_name = _text()
    started_at = UtcTimestamp(load_default=None)
    finished_at = UtcTimestamp(load_default=None)
    duration = DurationSeconds(data_key="duration_seconds", load_default=None)
    score = _amount()
    max_score = _amount()
    percent = _amount()
    passed = fields.Boolean(load_default=None)
    level = _text()
    completion_mode = _text()
    needs_manual_grading = fields.Boolean(load_default=False)
    sections = fields.List(fields.Nested(SectionSchema), load_default=())
    questions = fields.List(fields.Nested(QuestionSchema), load_default=())
    outcomes = fields.List(fields.Nested(OutcomeSchema), load_default=())
    proctoring = fields.Nested(ProctoringSchema, load_default=None)
    report_url = _text()
    learner = fields.Nested(LearnerSchema, load_default=Learner)
    digest = fields.String(load_default=None)

    @post_load
    def make(self, data: dict[str, t.Any], **kwargs: t.Any) -> AssessmentResult:
        digest = data.pop("digest")
        for name in ("sections", "questions", "outcomes"):
            data[name] = tuple(data[name])
        result = AssessmentResult(**data)
        if digest is not None and digest != result.digest:
            raise ValidationError("Does not match the result's content.", "digest")
        return result


_CONTENT_SCHEMA = AssessmentResultSchema(exclude=("digest",))
