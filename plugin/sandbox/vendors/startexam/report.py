"""Scoring and the "Get Session Report V2" document (``docs/vendors/startexam.md#results``).

Sections split the questions in two halves; time is spread evenly over the
questions, since the simulator does not watch the candidate per question.
"""

from __future__ import annotations

import typing as t

from plugin.sandbox.vendors.startexam.timefmt import elapsed
from plugin.sandbox.vendors.startexam.timefmt import iso

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    from plugin.sandbox.vendors.startexam.state import Participant
    from plugin.sandbox.vendors.startexam.state import Question
    from plugin.sandbox.vendors.startexam.state import SimTest

#: Scale levels of the test settings: (lowest percent, level), highest first.
SCALE = ((85.0, "Perfect Knowledge"), (60.0, "Good Knowledge"), (0.0, "Insufficient Knowledge"))


def score_answers(test: SimTest, chosen: dict[int, int | None]) -> dict[int, float]:
    """Full marks for the right option of each question, none otherwise."""
    return {q.num: q.max_score if chosen.get(q.num) == q.correct else 0.0 for q in test.questions}


def spread_score(test: SimTest, score: float) -> dict[int, float]:
    """Per-question scores adding up to ``score``, filling questions in order.

    :raises ValueError: ``score`` outside ``0..maxScore``.
    """
    if not 0 <= score <= test.max_score:
        raise ValueError(f"score must be between 0 and {test.max_score:g}")
    remaining, scores = score, {}
    for question in test.questions:
        part = min(question.max_score, remaining)
        scores[question.num] = round(part, 2)
        remaining -= part
    return scores


def session_report(test: SimTest, participant: Participant) -> dict[str, t.Any]:
    """The session report of ``participant`` as StartExam returns it."""
    report: dict[str, t.Any] = {
        "participantId": participant.participant_id,
        "testId": test.test_id,
        "started": iso(participant.started) if participant.started is not None else None,
        "isFinished": participant.is_finished,
        "autoClosed": participant.auto_closed,
        "elapsedTime": None,
        "score": None,
        "maxScore": None,
        "percent": None,
        "scaleLevel": None,
        "outcomes": None,
        "participantData": [dict(item) for item in participant.data],
        "sections": [],
        "questions": [],
        "proctoring": _proctoring(participant),
    }
    if participant.is_finished:
        report.update(_results(test, participant))
    return report


def _results(test: SimTest, participant: Participant) -> dict[str, t.Any]:
    assert participant.started is not None and participant.finished is not None
    seconds = participant.finished - participant.started
    each = seconds / max(1, len(test.questions))
    score = round(sum(participant.scores.values()), 2)
    percent = round(100 * score / test.max_score, 2) if test.max_score else 0.0
    half = (len(test.questions) + 1) // 2
    parts = (test.questions[:half], test.questions[half:])
    return {
        "elapsedTime": elapsed(seconds),
        "score": score,
        "maxScore": test.max_score,
        "percent": percent,
        "scaleLevel": _level(percent),
        "outcomes": [],
        "sections": [
            _section(f"Section #{index} Arithmetic", part, participant, each * len(part))
            for index, part in enumerate(parts, start=1)
            if part
        ],
        "questions": [
            {
                "num": q.num,
                "type": "SingleChoice",
                "score": participant.scores.get(q.num, 0.0),
                "max": q.max_score,
                "answer": participant.answers.get(q.num),
                "elapsedTime": elapsed(each),
                "prompt": None,
                "code": q.code,
                "reviews": None,
            }
            for q in test.questions
        ],
    }


def _section(
    title: str, questions: Sequence[Question], participant: Participant, seconds: float
) -> dict[str, t.Any]:
    score = round(sum(participant.scores.get(q.num, 0.0) for q in questions), 2)
    top = sum(q.max_score for q in questions)
    return {
        "title": title,
        "score": score,
        "max": top,
        "level": "passed" if top and score / top >= 0.5 else "failed",
        "elapsedTime": elapsed(seconds),
    }


def _level(percent: float) -> str:
    return next(level for lowest, level in SCALE if percent >= lowest)


def _proctoring(participant: Participant) -> dict[str, t.Any] | None:
    if not participant.proctoring or participant.finished is None:
        return None
    return {
        "conclusion": None,
        "evaluation": 100.0 if participant.is_finished else 0.0,
        "comment": None,
        "protocolUrl": f"https://proctoring.sandbox.invalid/{participant.participant_id}",
    }
