"""In-memory state of the ProctorExam simulator: exams, student sessions, used nonces.

Every read and write goes through :attr:`ProctorExamState.lock`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import secrets
import threading
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable

NONCE_MEMORY_S = 24 * 3600
CHECKS = ("screenshare", "microphone", "speakers", "webcam", "mobile", "bandwidth")
#: How ``GET /exams`` may answer: the list under ``exams`` (our reading and the
#: default), under ``items``, ``data`` or ``result``, or ``bare``; the pagination
#: headers come with every form.
EXAM_LIST_SHAPES = ("exams", "items", "data", "result", "bare")


def stamp(timestamp: float | None) -> str | None:
    """A Rails-style timestamp, e.g. ``2018-11-17T17:01:25.788+00:00``."""
    if timestamp is None:
        return None
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return moment.isoformat(timespec="milliseconds")


@dataclasses.dataclass
class Exam:
    id: int
    name: str
    type: str
    status: str
    duration_minutes: int | None
    created: float
    updated: float

    def as_json(self) -> dict[str, t.Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "duration_minutes": self.duration_minutes,
            "institute_id": 1,
            "created_at": stamp(self.created),
            "updated_at": stamp(self.updated),
        }


@dataclasses.dataclass
class StudentSession:
    id: int
    exam_id: int
    name: str
    email: str
    individual_info: str | None
    skip_requirements: bool
    created: float
    updated: float
    status: str = "registered"
    token: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    reviewed: str = "00"
    review_commentary: str | None = None
    checks: dict[str, str] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(CHECKS, "not_started")
    )
    incidents: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict[str, t.Any]:
        """The student object as the v3 API shows it (``docs/vendors/proctorexam.md#results``)."""
        started = self.start_time is not None
        return {
            "id": self.id,
            "exam_id": self.exam_id,
            "session_id": None,
            "student_id": None,
            "external_id": None,
            "proctor_id": None,
            "created_at": stamp(self.created),
            "updated_at": stamp(self.updated),
            "name": self.name,
            "email": self.email,
            "status": self.status,
            "token": self.token,
            **{f"{name}_check": value for name, value in self.checks.items()},
            "skip_requirements": self.skip_requirements,
            "operating_system": "Linux" if started else None,
            "browser": "Chrome" if started else None,
            "start_time": stamp(self.start_time),
            "end_time": stamp(self.end_time),
            "entered_room": started,
            "recording_started_at": stamp(self.start_time),
            "recording_ended_at": stamp(self.end_time),
            "individual_info": self.individual_info,
            "is_individual_info_html": False,
            "is_email_sent": self.token is not None,
            "reviewed": self.reviewed,
            "review_commentary": self.review_commentary,
            "attempt": 0,
            "archived": False,
            "incidents": [dict(incident) for incident in self.incidents],
            "incidents_count": len(self.incidents),
        }


class ProctorExamState:
    """The ProctorExam user the simulator stands in for."""

    def __init__(
        self,
        *,
        api_token: str,
        secret_key: str,
        clock: Callable[[], float],
        timestamp_window_s: float,
        callback_url: str | None,
    ) -> None:
        self.lock = threading.RLock()
        self.api_token = api_token
        self.secret_key = secret_key
        self.clock = clock
        self.timestamp_window_s = timestamp_window_s
        self.callback_url = callback_url
        self.answer_shape = EXAM_LIST_SHAPES[0]
        self.exams: dict[int, Exam] = {}
        self.sessions: dict[int, StudentSession] = {}
        self.nonces: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._incident_ids = itertools.count(1)

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def use_nonce(self, nonce: str) -> bool:
        """Record ``nonce``; False when it was used in the last 24 hours."""
        now = self.clock()
        with self.lock:
            if len(self.nonces) > 10_000:
                self.nonces = {n: at for n, at in self.nonces.items() if now - at < NONCE_MEMORY_S}
            used = self.nonces.get(nonce)
            if used is not None and now - used < NONCE_MEMORY_S:
                return False
            self.nonces[nonce] = now
            return True

    def live_exam(self, exam_id: int) -> Exam | None:
        with self.lock:
            exam = self.exams.get(exam_id)
        return exam if exam is not None and exam.status != "deleted" else None

    def touch(self, session: StudentSession) -> None:
        with self.lock:
            session.updated = self.clock()

    def send_emails(self, exam_id: int) -> list[StudentSession]:
        """Give every not yet invited session of the exam its token and mark it emailed."""
        with self.lock:
            invited = []
            for session in self.sessions.values():
                if session.exam_id == exam_id and session.token is None:
                    session.token = secrets.token_hex(16)
                    session.status = "email_sent"
                    self.touch(session)
                    invited.append(session)
            return invited

    def add_incident(self, session: StudentSession, comment: str) -> None:
        now = self.clock()
        offset = 0 if session.start_time is None else int(now - session.start_time)
        with self.lock:
            session.incidents.append(
                {
                    "id": next(self._incident_ids),
                    "student_session_id": session.id,
                    "comment": comment,
                    "created_at": stamp(now),
                    "updated_at": stamp(now),
                    "offset_time": offset,
                }
            )
            self.touch(session)
