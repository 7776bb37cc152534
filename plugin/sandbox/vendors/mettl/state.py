"""In-memory state of the simulated Mettl account (thread-safe).

Candidates keep their wire document (``email``, ``registration``, ``testStatus``,
``proctoringDetails``) as a plain dict that is replaced, never edited in place, so a
page of results is a list of existing dicts serialised once per request. Sorted views
of a schedule are cached until the schedule changes.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import random
import secrets
import threading
import typing as t

from plugin.sandbox.vendors.mettl import exam
from plugin.sandbox.vendors.mettl.errors import SimulatorError

SORTS = ("testStartTime", "name")


@dataclasses.dataclass
class Candidate:
    email: str
    token: str
    instance_id: int
    doc: dict[str, t.Any]
    link_expires_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    mode: str = "Completed"
    answers: dict[int, int] | None = None

    @property
    def status(self) -> str:
        return str(self.doc["testStatus"]["status"])

    @property
    def name(self) -> str:
        registration = self.doc["registration"]
        return " ".join(
            filter(None, (registration.get("First Name"), registration.get("Last Name")))
        )


@dataclasses.dataclass
class Schedule:
    access_key: str
    schedule_id: int
    name: str
    assessment_id: int
    assessment_name: str
    sections: tuple[exam.Section, ...]
    finish_url: str | None = None
    graded_url: str | None = None
    exit_url: str | None = None
    candidates: dict[str, Candidate] = dataclasses.field(default_factory=dict)
    views: dict[tuple[str, str], list[Candidate]] = dataclasses.field(default_factory=dict)
    bulk_serial: int = 0

    def changed(self) -> None:
        self.views.clear()

    def view(self, sort: str, order: str) -> list[Candidate]:
        key = (sort, order)
        if key not in self.views:
            if sort == "name":

                def by(c: Candidate) -> t.Any:
                    return (c.name.lower(), c.email)
            else:

                def by(c: Candidate) -> t.Any:
                    return (c.started_at or 0.0, c.instance_id)

            self.views[key] = sorted(self.candidates.values(), key=by, reverse=order == "desc")
        return self.views[key]


class MettlState:
    """Schedules and candidates of one account; every method holds :attr:`lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.schedules: dict[str, Schedule] = {}
        self.by_token: dict[str, tuple[Schedule, Candidate]] = {}
        self._ids = itertools.count(136419634)
        self.default_notification_url: str | None = None

    def add_schedule(
        self,
        *,
        name: str,
        assessment_name: str,
        sections: tuple[exam.Section, ...],
        access_key: str | None = None,
        **urls: str | None,
    ) -> Schedule:
        with self.lock:
            key = access_key or secrets.token_hex(5)
            if key in self.schedules or not key.isalnum():
                raise ValueError(f"access key {key!r} is taken or not alphanumeric")
            default = self.default_notification_url
            schedule = Schedule(
                key,
                next(self._ids),
                name,
                next(self._ids),
                assessment_name,
                sections,
                urls.get("finish_url") or default,
                urls.get("graded_url") or default,
                urls.get("exit_url"),
            )
            self.schedules[key] = schedule
            return schedule

    def schedule(self, access_key: str) -> Schedule:
        schedule = self.schedules.get(access_key)
        if schedule is None:
            raise SimulatorError("E404", f"No schedule found with access key {access_key}")
        return schedule

    def candidate(self, access_key: str, email: str) -> tuple[Schedule, Candidate]:
        with self.lock:
            schedule = self.schedule(access_key)
            found = schedule.candidates.get(email.strip().lower())
            if found is None:
                raise SimulatorError("E404", f"No candidate {email} in schedule {access_key}")
            return schedule, found

    def register(
        self, schedule: Schedule, registration: dict[str, str], expires_at: float | None
    ) -> Candidate:
        """The candidate for the e-mail; an e-mail already registered keeps its link."""
        with self.lock:
            address = registration["Email Address"].strip().lower()
            existing = schedule.candidates.get(address)
            if existing is not None:
                return existing
            doc = {
                "email": address,
                "registration": registration,
                "testStatus": exam.status_to_be_taken(),
                "proctoringDetails": None,
            }
            candidate = Candidate(
                address, secrets.token_urlsafe(12), next(self._ids), doc, expires_at
            )
            self._add(schedule, candidate)
            return candidate

    def _add(self, schedule: Schedule, candidate: Candidate) -> None:
        schedule.candidates[candidate.email] = candidate
        self.by_token[candidate.token] = (schedule, candidate)
        schedule.changed()

    def set_status(
        self, schedule: Schedule, candidate: Candidate, status: dict[str, t.Any]
    ) -> None:
        with self.lock:
            candidate.doc = {**candidate.doc, "testStatus": status}
            schedule.changed()

    def delete(self, schedule: Schedule, candidate: Candidate) -> None:
        with self.lock:
            if candidate.status != "Completed":
                raise SimulatorError(
                    "E400", "Result can only be deleted for a completed or expired test"
                )
            del schedule.candidates[candidate.email]
            self.by_token.pop(candidate.token, None)
            schedule.changed()

    def percentile(self, schedule: Schedule, marks: float) -> float:
        with self.lock:
            scores = [
                c.doc["testStatus"]["result"]["totalMarks"]
                for c in schedule.candidates.values()
                if c.status == "Completed"
            ]
            return round(100.0 * (sum(1 for s in scores if s <= marks) + 1) / (len(scores) + 1), 2)

    def bulk(self, schedule: Schedule, count: int, completed_ratio: float, now: float) -> int:
        """Add ``count`` candidates, the first ``completed_ratio`` of them graded."""
        rng = random.Random(schedule.schedule_id + schedule.bulk_serial)
        completed = round(count * completed_ratio)
        results = []
        with self.lock:
            for offset in range(count):
                serial = schedule.bulk_serial + offset
                address = f"bulk{serial:06d}@sandbox.test"
                registration = {"Email Address": address, "First Name": f"Candidate {serial}"}
                doc = {
                    "email": address,
                    "registration": registration,
                    "testStatus": exam.status_to_be_taken(),
                    "proctoringDetails": None,
                }
                candidate = Candidate(address, secrets.token_urlsafe(12), next(self._ids), doc)
                if offset < completed:
                    candidate.started_at = now - 3600 - serial
                    candidate.answers = exam.answers_for_percent(
                        schedule.sections, rng.uniform(0, 100)
                    )
                    result = exam.result_document(
                        schedule.sections, candidate.answers, rng.uniform(60, 1800)
                    )
                    results.append(result)
                    candidate.ended_at = candidate.started_at + result["attemptTime"]
                    doc["testStatus"] = exam.status_finished(
                        candidate.started_at, candidate.ended_at, "Completed", result
                    )
                self._add(schedule, candidate)
            schedule.bulk_serial += count
            marks = sorted(result["totalMarks"] for result in results)
            for result in results:
                rank = bisect.bisect_right(marks, result["totalMarks"])
                result["percentile"] = round(100.0 * rank / len(marks), 2)
        return count
