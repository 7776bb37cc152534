"""What happens to a candidate: start, finish (notify), grade (notify)."""

from __future__ import annotations

import typing as t

from plugin.sandbox.vendors.mettl import exam
from plugin.sandbox.vendors.mettl.errors import SimulatorError
from plugin.sandbox.vendors.mettl.notifications import finish_payload
from plugin.sandbox.vendors.mettl.notifications import graded_payload

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

    from plugin.sandbox.vendors.mettl.notifications import Notifier
    from plugin.sandbox.vendors.mettl.state import Candidate
    from plugin.sandbox.vendors.mettl.state import MettlState
    from plugin.sandbox.vendors.mettl.state import Schedule

#: Attempt length assumed when a candidate is finished without having been started.
ASSUMED_ATTEMPT_S = 300.0


class Flows:
    def __init__(self, state: MettlState, notifier: Notifier, clock: Callable[[], float]) -> None:
        self.state = state
        self.notifier = notifier
        self.clock = clock

    def start(self, schedule: Schedule, candidate: Candidate, *, at: float | None = None) -> None:
        """``ToBeTaken`` -> ``InProgress``; starting again is harmless while in progress."""
        with self.state.lock:
            if candidate.status == "InProgress":
                return
            if candidate.status != "ToBeTaken":
                raise SimulatorError("E400", "Candidate has already taken this test")
            expires = candidate.link_expires_at
            if expires is not None and self.clock() > expires:
                raise SimulatorError("E400", "The test link of this candidate has expired")
            candidate.started_at = self.clock() if at is None else at
            self.state.set_status(
                schedule, candidate, exam.status_in_progress(candidate.started_at)
            )

    def finish(
        self,
        schedule: Schedule,
        candidate: Candidate,
        answers: Mapping[int, int],
        *,
        mode: str = "Completed",
        graded: bool = True,
    ) -> None:
        """Submit the test: ``InProcessing`` and the finish notification, then grading."""
        if mode not in exam.COMPLETION_MODES:
            raise SimulatorError("E400", f"Unknown completion mode {mode}")
        with self.state.lock:
            if candidate.status == "ToBeTaken":
                self.start(schedule, candidate, at=self.clock() - ASSUMED_ATTEMPT_S)
            if candidate.status != "InProgress":
                raise SimulatorError("E400", "Candidate has already finished this test")
            assert candidate.started_at is not None
            candidate.answers, candidate.mode, candidate.ended_at = (
                dict(answers),
                mode,
                self.clock(),
            )
            self.state.set_status(
                schedule,
                candidate,
                exam.status_finished(candidate.started_at, candidate.ended_at, mode, None),
            )
            if schedule.finish_url:
                self.notifier.send(
                    schedule.finish_url,
                    finish_payload(schedule, candidate, schedule.finish_url, self.clock()),
                )
            if graded:
                self.grade(schedule, candidate)

    def grade(self, schedule: Schedule, candidate: Candidate) -> None:
        """``InProcessing`` -> ``Completed`` with the result; the graded notification."""
        with self.state.lock:
            if candidate.status != "InProcessing":
                raise SimulatorError("E400", "Candidate has no test awaiting grading")
            assert candidate.started_at is not None and candidate.ended_at is not None
            result = exam.result_document(
                schedule.sections,
                candidate.answers or {},
                candidate.ended_at - candidate.started_at,
            )
            result["percentile"] = self.state.percentile(schedule, result["totalMarks"])
            self.state.set_status(
                schedule,
                candidate,
                exam.status_finished(
                    candidate.started_at, candidate.ended_at, candidate.mode, result
                ),
            )
            if schedule.graded_url:
                self.notifier.send(
                    schedule.graded_url, graded_payload(schedule, candidate, self.clock())
                )
