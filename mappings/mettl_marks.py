"""Mettl ``testStatus.result``: marks by section, skill and difficulty, essay responses.

Source: ``docs/vendors/mettl.md#results`` (KB "16. Get Results of All Candidates in
Schedule"), responses 4.1 (marks), 4.2 (``ir``: recommendation) and 4.3 (``qr``: essay
responses).

Questions appear both under ``skillMarks[].questions`` and under
``skillMarks[].difficultyMarks[].questions``; only the former are read, so each
question is counted once. Mettl gives questions no id, so their ``ref`` is
``section/skill/position``. A question with a null ``marksScored`` awaits manual
grading (a ``0.0`` is a grade).
"""

from __future__ import annotations

import decimal
import typing as t

from marshmallow import ValidationError
from marshmallow import fields

from mappings.common import Record
from mappings.common import RecordList
from mappings.common import VendorSchema
from mappings.common import check_not_above
from mappings.fields import ZERO
from mappings.fields import Amount
from mappings.fields import Count
from mappings.fields import Percent
from mappings.fields import Text
from mappings.fields import token
from mappings.result import Outcome
from mappings.result import Proctoring
from mappings.result import ProctoringStatus
from mappings.result import Question
from mappings.result import Section
from mappings.result import SubScore
from mappings.time_fields import Seconds

#: ``candidateCredibilityIndex`` values meaning "no proctoring" (normalised).
NO_CREDIBILITY_INDEX = frozenset({"notapplicable", "na", ""})

_INDEX_FIELD = Amount(low=ZERO)


class _Question(t.NamedTuple):
    kind: str | None
    score: decimal.Decimal | None
    max_score: decimal.Decimal | None


class _Skill(t.NamedTuple):
    part: SubScore
    questions: tuple[_Question, ...]


class MarkedSection(t.NamedTuple):
    section: Section
    questions: tuple[Question, ...]


def _records(schema: type[VendorSchema], key: str | None = None) -> RecordList:
    return RecordList(schema, data_key=key, load_default=(), allow_none=True)


class _MarksSchema(VendorSchema):
    score = Amount(data_key="totalMarks", load_default=None)
    max_score = Amount(data_key="maxMarks", low=ZERO, load_default=None)
    duration = Seconds(data_key="timeTaken", load_default=None)
    question_count = Count(data_key="totalQuestion", load_default=None)

    def part(self, data: dict[str, t.Any], name: str) -> SubScore:
        check_not_above(data["score"], data["max_score"], "totalMarks")
        # Positional: this runs for every skill and difficulty level.
        return SubScore(
            name,
            data["score"],
            data["max_score"],
            data["duration"],
            data["question_count"],
        )


class MettlQuestionSchema(VendorSchema):
    kind = Text(data_key="questionType", load_default=None)
    short_kind = Text(data_key="type", load_default=None)
    score = Amount(data_key="marksScored", load_default=None)
    max_score = Amount(data_key="maxMarks", low=ZERO, load_default=None)

    def make(self, data: dict[str, t.Any]) -> _Question:
        return _Question(data["kind"] or data["short_kind"], data["score"], data["max_score"])


class MettlDifficultySchema(_MarksSchema):
    level = Text(load_default=None)

    def make(self, data: dict[str, t.Any]) -> SubScore:
        return self.part(data, data["level"] or "Unspecified")


class MettlSkillSchema(_MarksSchema):
    name = Text(data_key="skillName", load_default=None)
    questions = _records(MettlQuestionSchema)

    def make(self, data: dict[str, t.Any]) -> _Skill:
        return _Skill(self.part(data, data["name"] or "Unnamed skill"), data["questions"] or ())


class MettlSectionSchema(_MarksSchema):
    title = Text(data_key="sectionName", load_default=None)
    skills = _records(MettlSkillSchema, "skillMarks")
    difficulty_levels = _records(MettlDifficultySchema, "difficultyMarks")

    def make(self, data: dict[str, t.Any]) -> MarkedSection:
        title = data["title"] or "Untitled section"
        part = self.part(data, title)
        skills: tuple[_Skill, ...] = data["skills"] or ()
        section = Section(
            title=title,
            score=part.score,
            max_score=part.max_score,
            duration=part.duration,
            question_count=part.question_count,
            skills=tuple(skill.part for skill in skills),
            difficulty_levels=data["difficulty_levels"] or (),
        )
        questions = tuple(
            Question(
                ref=f"{title}/{skill.part.name}/{position}",
                kind=question.kind,
                score=question.score,
                max_score=question.max_score,
                needs_manual_grading=question.score is None,
            )
            for skill in skills
            for position, question in enumerate(skill.questions, start=1)
        )
        return MarkedSection(section, questions)


class MettlRecommendationSchema(VendorSchema):
    type = Text(load_default=None)
    value = Text(load_default=None)

    def make(self, data: dict[str, t.Any]) -> Outcome:
        return Outcome(name=data["type"] or "Recommendation", level=data["value"])


class MettlAnalysisSchema(VendorSchema):
    recommendation = _records(MettlRecommendationSchema)


class MettlResultSchema(VendorSchema):
    score = Amount(data_key="totalMarks", load_default=None)
    max_score = Amount(data_key="maxMarks", low=ZERO, load_default=None)
    percentile = Percent(load_default=None)
    duration = Seconds(data_key="attemptTime", load_default=None)
    credibility = fields.Raw(data_key="candidateCredibilityIndex", load_default=None)
    sections = _records(MettlSectionSchema, "sectionMarks")
    analysis = Record(MettlAnalysisSchema, load_default=None)

    def make(self, data: dict[str, t.Any]) -> dict[str, t.Any]:
        check_not_above(data["score"], data["max_score"], "totalMarks")
        analysis = data["analysis"] or {}
        return {
            **data,
            "sections": data["sections"] or (),
            "recommendations": analysis.get("recommendation") or (),
            "proctoring": credibility_proctoring(data["credibility"]),
        }


def credibility_proctoring(value: t.Any) -> Proctoring | None:
    """Read ``candidateCredibilityIndex`` as a proctoring outcome.

    The values are not documented beyond ``"Not Applicable"``; a number is taken as
    the integrity score, any other text is kept as the reviewer comment.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    if token(text) in NO_CREDIBILITY_INDEX:
        return None
    try:
        score: decimal.Decimal | None = _INDEX_FIELD.deserialize(value)
    except ValidationError:
        score = None
    return Proctoring(
        source="mettl",
        status=ProctoringStatus.REVIEWED,
        integrity_score=score,
        comment=None if score is not None else f"Candidate credibility index: {text[:200]}",
    )
