"""iMocha report sections and skills (report types 1, 2 and 3)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t
from collections.abc import Iterable
from collections.abc import Mapping

from mappings.common import RecordList
from mappings.common import VendorSchema
from mappings.common import aliased
from mappings.common import check_not_above
from mappings.fields import ZERO
from mappings.fields import Amount
from mappings.fields import Count
from mappings.fields import Ident
from mappings.fields import Text
from mappings.result import Section
from mappings.result import SubScore
from mappings.time_fields import Seconds

_SECTION_ALIASES = {"sectionID": "sectionId", "Skills": "skills"}


class _Skill(t.NamedTuple):
    section_key: str | None
    section_name: str | None
    part: SubScore


class _Section(t.NamedTuple):
    key: str | None
    section: Section


class IMochaSkillSchema(VendorSchema):
    score = Amount(data_key="candidateQbScore", load_default=None)
    max_score = Amount(data_key="qbScore", low=ZERO, load_default=None)
    question_count = Count(data_key="noOfQue", load_default=None)
    skill_id = Ident(data_key="qbId", load_default=None)
    name = Text(data_key="qbName", load_default=None)
    section_id = Ident(data_key="sectionId", load_default=None)
    section_name = Text(data_key="sectionName", load_default=None)

    def normalise(self, data: Mapping[str, t.Any]) -> Mapping[str, t.Any]:
        return aliased(data, _SECTION_ALIASES)

    def make(self, data: dict[str, t.Any]) -> _Skill:
        check_not_above(data["score"], data["max_score"], "candidateQbScore")
        part = SubScore(
            name=data["name"] or data["skill_id"] or "Unnamed skill",
            score=data["score"],
            max_score=data["max_score"],
            question_count=data["question_count"],
        )
        return _Skill(data["section_id"] or data["section_name"], data["section_name"], part)


class IMochaSectionSchema(VendorSchema):
    score = Amount(data_key="candidateScore", load_default=None)
    max_score = Amount(data_key="sectionScore", low=ZERO, load_default=None)
    question_count = Count(data_key="noOfQue", load_default=None)
    section_id = Ident(data_key="sectionId", load_default=None)
    title = Text(data_key="sectionName", load_default=None)
    duration = Seconds(data_key="sectionTimeTaken", load_default=None)
    skills = RecordList(IMochaSkillSchema, load_default=(), allow_none=True)

    def normalise(self, data: Mapping[str, t.Any]) -> Mapping[str, t.Any]:
        return aliased(data, _SECTION_ALIASES)

    def make(self, data: dict[str, t.Any]) -> _Section:
        check_not_above(data["score"], data["max_score"], "candidateScore")
        skills: tuple[_Skill, ...] = data["skills"] or ()
        section = Section(
            title=data["title"] or data["section_id"] or "Untitled section",
            score=data["score"],
            max_score=data["max_score"],
            duration=data["duration"],
            question_count=data["question_count"],
            skills=tuple(skill.part for skill in skills),
        )
        return _Section(data["section_id"] or data["title"], section)


def group_sections(
    sections: Iterable[_Section], skills: Iterable[_Skill]
) -> tuple[tuple[Section, ...], dt.timedelta | None]:
    """Attach top-level skills (report type 2) to their sections; sum the time taken.

    A skill whose section is not listed opens a section of its own, without a score.
    """
    built: list[Section] = []
    index: dict[str | None, int] = {}
    for entry in sections:
        index.setdefault(entry.key, len(built))
        built.append(entry.section)
    for skill in skills:
        position = index.get(skill.section_key)
        if position is None:
            index[skill.section_key] = len(built)
            title = skill.section_name or skill.section_key or "Untitled section"
            built.append(Section(title=title, skills=(skill.part,)))
        elif skill.part not in built[position].skills:
            current = built[position]
            built[position] = dataclasses.replace(current, skills=(*current.skills, skill.part))
    times = [section.duration for section in built if section.duration is not None]
    return tuple(built), sum(times, dt.timedelta()) if times else None
