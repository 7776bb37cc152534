"""The simulated iMocha test: questions, grading, the report and the callback payload.

Report shapes follow ``docs/vendors/imocha.md#results`` ("Retrieve candidate test report",
example for
``reportType=3``: ``sectionID`` and ``Skills`` spelled as there); the callback follows
https://developer.imocha.io/api/callback-notification.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t
from collections.abc import Mapping

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.imocha.state import Invitation


@dataclasses.dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[str, ...]
    answer: int
    skill: str
    points: float = 1.0


@dataclasses.dataclass(frozen=True)
class Section:
    section_id: int
    name: str
    minutes: int
    questions: tuple[Question, ...]


@dataclasses.dataclass(frozen=True)
class Test:
    test_id: int
    name: str
    sections: tuple[Section, ...]
    skill_ids: Mapping[str, int]

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.questions]

    @property
    def duration(self) -> int:
        return sum(section.minutes for section in self.sections)

    @property
    def total_points(self) -> float:
        return float(sum(q.points for q in self.questions))


DEFAULT_SECTIONS: list[dict[str, t.Any]] = [
    {
        "name": "Python",
        "minutes": 10,
        "questions": [
            {
                "text": "What does len([1, 2, 3]) return?",
                "choices": ["2", "3", "6"],
                "answer": 1,
                "skill": "Python Basics",
            },
            {
                "text": "Which keyword defines a function?",
                "choices": ["func", "def", "lambda"],
                "answer": 1,
                "skill": "Python Basics",
                "points": 2,
            },
        ],
    },
    {
        "name": "SQL",
        "minutes": 8,
        "questions": [
            {
                "text": "Which clause filters rows?",
                "choices": ["WHERE", "ORDER BY", "GROUP BY"],
                "answer": 0,
                "skill": "SQL Queries",
            },
            {
                "text": "Which join keeps all rows of the left table?",
                "choices": ["INNER", "LEFT", "CROSS"],
                "answer": 1,
                "skill": "SQL Joins",
            },
        ],
    },
]


def build_test(test_id: int, name: str, sections: t.Any, first_id: int) -> Test:
    """A test from control-API JSON (``[{"name", "minutes", "questions": [{"text",
    "choices", "answer", "skill", "points"}]}]``); the default content when None.

    :raises ValueError: malformed sections.
    """
    data = DEFAULT_SECTIONS if sections is None else sections
    if not isinstance(data, list) or not data:
        raise ValueError("sections must be a non-empty list")
    try:
        built = tuple(
            Section(
                first_id + index,
                str(part["name"]),
                int(part.get("minutes", 10)),
                tuple(
                    Question(
                        str(q["text"]),
                        tuple(str(c) for c in q["choices"]),
                        int(q["answer"]),
                        str(q.get("skill", part["name"])),
                        float(q.get("points", 1.0)),
                    )
                    for q in part["questions"]
                ),
            )
            for index, part in enumerate(data)
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed sections: {exc}") from exc
    skills = dict.fromkeys(q.skill for section in built for q in section.questions)
    skill_ids = {skill: first_id + 1000 + index for index, skill in enumerate(skills)}
    return Test(test_id, name, built, skill_ids)


def answers_for_percent(test: Test, percent: float) -> dict[int, int]:
    """Answers getting the first ``percent`` % of the questions right, the rest wrong."""
    questions = test.questions
    right = round(len(questions) * max(0.0, min(100.0, percent)) / 100)
    return {
        index: q.answer if index < right else (q.answer + 1) % len(q.choices)
        for index, q in enumerate(questions)
    }


def points(test: Test, answers: Mapping[int, int]) -> float:
    return float(sum(q.points for i, q in enumerate(test.questions) if answers.get(i) == q.answer))


def category(scored: float, total: float) -> str:
    ratio = scored / total if total else 0.0
    return "Expert" if ratio >= 0.75 else "Intermediate" if ratio >= 0.4 else "Beginner"


def iso_utc(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-4] + "Z"


def _skill_docs(
    test: Test, section: Section, marked: list[tuple[Question, bool]]
) -> list[dict[str, t.Any]]:
    docs = []
    for skill in dict.fromkeys(q.skill for q, _ in marked):
        chosen = [(q, right) for q, right in marked if q.skill == skill]
        docs.append(
            {
                "candidateQbScore": float(sum(q.points for q, right in chosen if right)),
                "qbScore": float(sum(q.points for q, _ in chosen)),
                "noOfQue": len(chosen),
                "qbId": test.skill_ids[skill],
                "qbName": skill,
                "sectionId": section.section_id,
                "sectionName": section.name,
            }
        )
    return docs


def _sections(invitation: Invitation) -> list[tuple[Section, list[tuple[Question, bool]], int]]:
    test, answers = invitation.test, invitation.answers or {}
    seconds = max(0.0, (invitation.finished_at or 0.0) - (invitation.attempted_at or 0.0))
    parts, index = [], 0
    for section in test.sections:
        marked = []
        for question in section.questions:
            marked.append((question, answers.get(index) == question.answer))
            index += 1
        parts.append((section, marked, round(seconds * len(marked) / len(test.questions))))
    return parts


def report(invitation: Invitation, report_type: int, pdf_url: str | None) -> dict[str, t.Any]:
    """The report of one invitation for ``reportType`` 1, 2 or 3."""
    test = invitation.test
    graded = invitation.answers is not None
    scored = points(test, invitation.answers or {}) if graded else 0.0
    doc: dict[str, t.Any] = {
        "testInvitationId": invitation.invitation_id,
        "testId": test.test_id,
        "candidateEmail": invitation.email,
        "attemptedOn": iso_utc(invitation.attempted_at) if invitation.attempted_at else None,
        "status": invitation.status,
        "score": scored,
        "scorePercentage": round(100 * scored / test.total_points) if test.total_points else 0,
        "candidatePoints": scored,
        "totalTestPoints": test.total_points,
        "testName": test.name,
        "pdfReportUrl": pdf_url if graded else None,
        "performanceCategory": category(scored, test.total_points) if graded else None,
    }
    parts = _sections(invitation) if graded else []
    if report_type in (1, 3):
        doc["sections"] = [
            {
                "candidateScore": float(sum(q.points for q, right in marked if right)),
                "sectionScore": float(sum(q.points for q, _ in marked)),
                "noOfQue": len(marked),
                "sectionID": section.section_id,
                "sectionName": section.name,
                "sectionTime": section.minutes,
                "sectionTimeTaken": taken,
                **({"Skills": _skill_docs(test, section, marked)} if report_type == 3 else {}),
            }
            for section, marked, taken in parts
        ]
    if report_type == 2:
        doc["skills"] = [
            skill for section, marked, _ in parts for skill in _skill_docs(test, section, marked)
        ]
    return doc


def callback_payload(invitation: Invitation, pdf_url: str | None) -> dict[str, t.Any]:
    """The callback iMocha posts at In Progress and at Complete/Terminated/Test Left."""
    test = invitation.test
    graded = invitation.answers is not None
    scored = points(test, invitation.answers or {}) if graded else 0.0
    attempted = invitation.attempted_at or 0.0
    moment = dt.datetime.fromtimestamp(attempted, tz=dt.UTC)
    return {
        "CandidateEmailId": invitation.email,
        "AttemptedOn": moment.strftime("%d-%b-%Y %I:%M %p"),
        "TotalScore": test.total_points,
        "CandidateScore": scored,
        "ReportPDFUrl": pdf_url if graded else None,
        "TestInvitationId": invitation.invitation_id,
        "Status": invitation.status,
        "AttemptedOnUtc": moment.strftime("%Y-%m-%dT%H:%M:%S"),
        "PerformanceCategory": category(scored, test.total_points) if graded else None,
    }
