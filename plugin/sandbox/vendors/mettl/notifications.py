"""Mettl's test notifications: payloads and their delivery.

Payloads follow ``docs/vendors/mettl.md#notification-fields`` (field names of a third-party
fixture):
``finishTest`` to the schedule's ``testFinishNotificationUrl`` when the candidate
finishes, ``gradedAssessment`` to ``testGradedNotificationUrl`` once graded. The finish
payload carries ``invitation_key`` = the schedule's access key (the fixture shows the
field; its meaning is this simulator's reading); the graded one, like the fixture, does
not: it names the candidate and ``assessmentId`` only. Mettl signs neither.

Mettl documents no retry behaviour. This simulator's choice: a JSON POST from one
background thread, in the order the events happened; an answer other than 2xx or a
failed connection is retried after each of ``retry_delays`` (default 1 s and 5 s: three
tries in all), then the notification is dropped. Every try is recorded.
"""

from __future__ import annotations

import json
import time
import typing as t

from plugin.sandbox.vendors.delivery import JsonPoster
from plugin.sandbox.vendors.mettl.exam import COMPLETION_MODES
from plugin.sandbox.vendors.mettl.exam import rfc1123

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from plugin.sandbox.vendors.mettl.state import Candidate
    from plugin.sandbox.vendors.mettl.state import Schedule

DEFAULT_RETRY_DELAYS = (1.0, 5.0)


def finish_payload(
    schedule: Schedule, candidate: Candidate, url: str, now: float
) -> dict[str, t.Any]:
    return {
        "EVENT_TYPE": "finishTest",
        "invitation_key": schedule.access_key,
        "assessment_id": schedule.assessment_id,
        "candidate_instance_id": candidate.instance_id,
        "context_data": None,
        "timestamp_GMT": rfc1123(now),
        "source_app": "sandbox",
        "notification_url": url,
        "name": candidate.name,
        "email": candidate.email,
        "finish_mode": COMPLETION_MODES[candidate.mode][2],
    }


def graded_payload(schedule: Schedule, candidate: Candidate, now: float) -> dict[str, t.Any]:
    status = candidate.doc["testStatus"]
    result = status["result"]
    report = f"https://tests.mettl.com/report/{candidate.token}"
    sectional = [
        {"sectionName": s["sectionName"], "marksScored": s["totalMarks"], "maxMarks": s["maxMarks"]}
        for s in result["sectionMarks"]
    ]
    return {
        "EVENT_TYPE": "gradedAssessment",
        "assessmentId": schedule.assessment_id,
        "candidate_instance_id": candidate.instance_id,
        "context_data": None,
        "timestamp_GMT": rfc1123(now),
        "finish_mode": COMPLETION_MODES[candidate.mode][2],
        "start_time_GMT": status["startTime"],
        "end_time_GMT": status["endTime"],
        "start_time": status["startTime"],
        "end_time": status["endTime"],
        "marks_scored": result["totalMarks"],
        "max_marks": result["maxMarks"],
        "total_attempt_time": result["attemptTime"],
        "percentile": result["percentile"],
        "assessment_name": schedule.assessment_name,
        "client_id": schedule.schedule_id,
        "schedule_title": schedule.name,
        "sectional_scores": json.dumps(sectional),
        "grading_type": "NormalGrading",
        "registrationDetails": candidate.doc["registration"],
        "proctoringDetails": None,
        "testStatus": {**status, "pdfReport": report + ".pdf", "htmlReport": report},
    }


class Notifier(JsonPoster):
    """Posts notifications from one daemon thread, retrying as described above."""

    def __init__(
        self,
        *,
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            thread_name="mettl-notifier", retry_delays=retry_delays, timeout=timeout, clock=clock
        )

    def describe(self, payload: dict[str, t.Any]) -> dict[str, t.Any]:
        return {"event": payload["EVENT_TYPE"]}
