"""A session's life: started when the candidate opens the link, finished by the
candidate (or the control API), then the browser is sent to the test's callback URL."""

from __future__ import annotations

import typing as t
import urllib.parse

from plugin.sandbox.vendors.startexam.errors import ApiError

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.startexam.state import Participant
    from plugin.sandbox.vendors.startexam.state import StartExamState


def start(state: StartExamState, participant: Participant, *, at: float | None = None) -> None:
    with state.lock:
        if participant.started is None:
            participant.started = state.clock() if at is None else at
            state.touch(participant)


def finish(
    state: StartExamState,
    participant: Participant,
    scores: dict[int, float],
    answers: dict[int, str],
    *,
    auto_closed: bool = False,
) -> None:
    """Close the session with its scores.

    :raises ApiError: 409 when the session is already closed.
    """
    with state.lock:
        if participant.finished is not None:
            raise ApiError(409, "The session is already closed")
        now = state.clock()
        if participant.started is None:
            participant.started = now
        participant.finished = max(now, participant.started)
        participant.auto_closed = auto_closed
        participant.scores = {} if auto_closed else dict(scores)
        participant.answers = {} if auto_closed else dict(answers)
        state.touch(participant)


def callback_redirect(state: StartExamState, participant: Participant) -> str | None:
    """The callback URL of the test with ``participantId`` added, as StartExam redirects."""
    target = state.callback_for(participant.test_id)
    if not target:
        return None
    parts = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query.append(("participantId", participant.participant_id))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
