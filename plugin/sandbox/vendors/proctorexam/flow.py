"""A student session's life: invited, started in the exam room, finished, reviewed."""

from __future__ import annotations

import typing as t

from plugin.sandbox.vendors.proctorexam.errors import ApiError

if t.TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping

    from plugin.sandbox.vendors.proctorexam.state import ProctorExamState
    from plugin.sandbox.vendors.proctorexam.state import StudentSession


def start(state: ProctorExamState, session: StudentSession) -> None:
    with state.lock:
        if session.start_time is None:
            session.start_time = state.clock()
            session.status = "exam_started"
            state.touch(session)


def finish(state: ProctorExamState, session: StudentSession, checks: Mapping[str, bool]) -> None:
    """End the exam; each named system check succeeded or failed.

    :raises ApiError: 409 when the exam already ended.
    """
    with state.lock:
        if session.status == "exam_finished":
            raise ApiError(409, "The exam has already ended")
        start(state, session)
        for name, passed in checks.items():
            session.checks[name] = "succeeded" if passed else "failed"
        session.end_time = state.clock()
        session.status = "exam_finished"
        state.touch(session)


def review(
    state: ProctorExamState,
    session: StudentSession,
    *,
    reviewed: str,
    incidents: Iterable[str],
    commentary: str | None,
) -> None:
    """Record a reviewer's verdict on a finished session.

    :raises ApiError: 409 before the exam ended, 400 for a ``reviewed`` that is not two
        characters.
    """
    if len(reviewed) != 2:
        raise ApiError(400, "reviewed must be two characters, e.g. '10'")
    with state.lock:
        if session.status != "exam_finished":
            raise ApiError(409, "Only a finished exam can be reviewed")
        for comment in incidents:
            state.add_incident(session, comment)
        session.reviewed = reviewed
        session.review_commentary = commentary
        state.touch(session)
