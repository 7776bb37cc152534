"""The simulated Mettl assessment: questions, grading and the ``testStatus`` documents.

Documents follow ``docs/vendors/mettl.md#results`` (KB "16. Get Results of All Candidates in
Schedule"): the
four candidate states, ``result.sectionMarks[].skillMarks[].difficultyMarks[]``, the
overall/detailed status table and the completion modes.
"""

from __future__ import annotations

import dataclasses
import email.utils
import typing as t
from collections.abc import Mapping

#: completionMode -> (overallStatus, detailedStatus, finish_mode of the notification).
COMPLETION_MODES: Mapping[str, tuple[str, str, str]] = {
    "Completed": ("Completed", "Test-taker Completed", "NormalSubmission"),
    "AutoCompleted": ("Completed", "Time Over", "AutoSubmission"),
    "ProctoredFinish": ("Test Stopped", "Proctor Stopped", "ProctoredFinish"),
    "BrowsingToleranceExceeded": (
        "Test Stopped",
        "Browsing Tolerance Limit Exceeded",
        "BrowsingToleranceExceeded",
    ),
    "SuspiciousSoftwareFinish": (
        "Test Stopped",
        "Suspicious Software Detected",
        "SuspiciousSoftwareFinish",
    ),
    "Expired": ("Disconnected", "Disconnected from Server", "Expired"),
    "CandidateClosed": ("Disconnected", "Test Window Closed", "CandidateClosed"),
}


@dataclasses.dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[str, ...]
    answer: int
    skill: str
    marks: float = 1.0
    difficulty: str = "EASY"


@dataclasses.dataclass(frozen=True)
class Section:
    name: str
    questions: tuple[Question, ...]


DEFAULT_SECTIONS = (
    Section(
        "Aptitude",
        (
            Question("What is 12 x 12?", ("124", "144", "148"), 1, "Numerical Reasoning"),
            Question(
                "Which number comes next: 2, 4, 8, ...?",
                ("12", "14", "16"),
                2,
                "Numerical Reasoning",
                2.0,
                "MEDIUM",
            ),
        ),
    ),
    Section(
        "Verbal",
        (
            Question("Pick the synonym of 'rapid'.", ("slow", "quick", "late"), 1, "Vocabulary"),
            Question(
                "Pick the antonym of 'scarce'.",
                ("plentiful", "rare", "sparse"),
                0,
                "Vocabulary",
                1.0,
                "HARD",
            ),
        ),
    ),
)


def sections_from_json(data: t.Any) -> tuple[Section, ...]:
    """Sections from the control API (``[{"name", "questions": [{"text", "choices",
    "answer", "skill", "marks", "difficulty"}]}]``); the default exam when absent.

    :raises ValueError: malformed sections.
    """
    if data is None:
        return DEFAULT_SECTIONS
    if not isinstance(data, list) or not data:
        raise ValueError("sections must be a non-empty list")
    try:
        return tuple(
            Section(
                str(part["name"]),
                tuple(
                    Question(
                        str(q["text"]),
                        tuple(str(c) for c in q["choices"]),
                        int(q["answer"]),
                        str(q.get("skill", part["name"])),
                        float(q.get("marks", 1.0)),
                        str(q.get("difficulty", "EASY")),
                    )
                    for q in part["questions"]
                ),
            )
            for part in data
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed sections: {exc}") from exc


def questions_of(sections: tuple[Section, ...]) -> list[Question]:
    return [question for section in sections for question in section.questions]


def answers_for_percent(sections: tuple[Section, ...], percent: float) -> dict[int, int]:
    """Answers getting the first ``percent`` % of the questions right, the rest wrong."""
    questions = questions_of(sections)
    right = round(len(questions) * max(0.0, min(100.0, percent)) / 100)
    return {
        index: q.answer if index < right else (q.answer + 1) % len(q.choices)
        for index, q in enumerate(questions)
    }


def rfc1123(moment: float) -> str:
    return email.utils.formatdate(moment, usegmt=True)


def _tally(items: list[tuple[Question, int | None]], seconds: float) -> dict[str, t.Any]:
    correct = sum(1 for q, given in items if given == q.answer)
    return {
        "totalMarks": float(sum(q.marks for q, given in items if given == q.answer)),
        "maxMarks": float(sum(q.marks for q, _ in items)),
        "timeTaken": round(seconds, 3),
        "totalQuestion": float(len(items)),
        "totalCorrectAnswers": float(correct),
        "totalUnAnswered": float(sum(1 for _, given in items if given is None)),
    }


def _by_difficulty(
    items: list[tuple[Question, int | None]], seconds: float, *, with_questions: bool
) -> list[dict[str, t.Any]]:
    levels = sorted({q.difficulty for q, _ in items})
    docs = []
    for level in levels:
        chosen = [(q, given) for q, given in items if q.difficulty == level]
        doc = {"level": level, **_tally(chosen, seconds * len(chosen) / len(items))}
        for key in ("totalQuestion", "totalUnAnswered", "totalCorrectAnswers"):
            doc[key] = int(doc[key])
        doc["timeTaken"] = round(doc["timeTaken"])
        if with_questions:
            doc["questions"] = None
        docs.append(doc)
    return docs


def _section_doc(section: Section, answers: list[int | None], seconds: float) -> dict[str, t.Any]:
    items = list(zip(section.questions, answers, strict=True))
    skills = []
    for skill in dict.fromkeys(q.skill for q in section.questions):
        chosen = [(q, given) for q, given in items if q.skill == skill]
        share = seconds * len(chosen) / len(items)
        skills.append(
            {
                "skillName": skill,
                **_tally(chosen, share),
                "questions": None,
                "difficultyMarks": _by_difficulty(chosen, share, with_questions=True),
            }
        )
    return {
        "sectionName": section.name,
        **_tally(items, seconds),
        "skillMarks": skills,
        "difficultyMarks": _by_difficulty(items, seconds, with_questions=False),
        "questionWiseResponse": None,
    }


def result_document(
    sections: tuple[Section, ...], answers: Mapping[int, int], attempt_seconds: float
) -> dict[str, t.Any]:
    """``testStatus.result`` for the given answers (question index -> choice index)."""
    given: list[int | None] = [answers.get(i) for i in range(len(questions_of(sections)))]
    total = len(given)
    docs, position = [], 0
    for section in sections:
        count = len(section.questions)
        docs.append(
            _section_doc(
                section, given[position : position + count], attempt_seconds * count / total
            )
        )
        position += count
    items = list(zip(questions_of(sections), given, strict=True))
    tally = _tally(items, attempt_seconds)
    del tally["timeTaken"]
    return {
        **tally,
        "percentile": None,
        "attemptTime": round(attempt_seconds, 3),
        "candidateCredibilityIndex": "Not Applicable",
        "sectionMarks": docs,
        "analysis": None,
        "difficultyMarks": _by_difficulty(items, attempt_seconds, with_questions=False),
        "codePlagiarism": "NA",
    }


def status_to_be_taken() -> dict[str, t.Any]:
    return {"status": "ToBeTaken", "overallStatus": "Yet to start", "detailedStatus": "Mapped"}


def status_in_progress(started: float) -> dict[str, t.Any]:
    return {
        "status": "InProgress",
        "overallStatus": "In-progress",
        "detailedStatus": "In-progress",
        "startTime": rfc1123(started),
        "lastResponseTime": "",
    }


def status_finished(
    started: float, ended: float, mode: str, result: dict[str, t.Any] | None
) -> dict[str, t.Any]:
    """``InProcessing`` while ``result`` is None (grading pending), else ``Completed``."""
    overall, detailed, _ = COMPLETION_MODES[mode]
    doc: dict[str, t.Any] = {
        "status": "InProcessing" if result is None else "Completed",
        "overallStatus": overall,
        "detailedStatus": detailed,
        "startTime": rfc1123(started),
        "endTime": rfc1123(ended),
    }
    if result is not None:
        doc.update(
            completionMode=mode,
            result=result,
            performanceCategory=None,
            performanceCategoryVersion=None,
        )
    return doc
