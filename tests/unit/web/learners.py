"""Two learners' finished StartExam attempts on one connection, and browsers whose attempt
cookie names the attempts they launched: what the result page and the browser callback
are tested against."""

from __future__ import annotations

import dataclasses
import json
import typing as t
import uuid

from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import VendorConnection
from plugin.web.attempt_cookie import COOKIE_NAME
from plugin.web.attempt_cookie import cookie_value
from tests.support.tokens import attempt_token
from tests.support.tokens import browser_token
from tests.support.tokens import callback_token
from tests.unit.factories import make_attempt
from tests.unit.sync.fakes import RecordingJobQueue

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

MAX_SCORE = 40
STARTEXAM = {"account_id": "77", "secret_key": "se-secret", "center": "sandbox"}


@dataclasses.dataclass(frozen=True)
class Learner:
    """A finished attempt: its id, token, StartExam participant id and the score shown."""

    attempt_id: int
    token: str
    participant_id: str
    score: str

    @property
    def result_path(self) -> str:
        return f"/return/{self.token}/result"


@dataclasses.dataclass
class StartExamClass:
    app: Flask
    connection_id: int
    browser_token: str
    callback_token: str
    queue: RecordingJobQueue

    def learner(self, points: int, *, return_url: str | None = None) -> Learner:
        """A learner whose attempt is final with ``points`` of :data:`MAX_SCORE`."""
        attempt_id = make_attempt(self.app)
        participant_id = str(uuid.uuid4())
        percent = points * 100 / MAX_SCORE
        canonical = {"status": "completed", "score": points, "max_score": MAX_SCORE}
        with services(self.app).sessions.begin() as session:
            attempt = session.get(Attempt, attempt_id)
            assert attempt is not None
            assessment = session.get(Assessment, attempt.assessment_id)
            assert assessment is not None
            assessment.connection_id = self.connection_id
            attempt.vendor_ref, attempt.return_url = participant_id, return_url
            session.add(
                AttemptResult(
                    attempt_id=attempt_id,
                    digest="d",
                    status="completed",
                    raw_encrypted=b"-",
                    canonical_json=json.dumps({**canonical, "percent": percent}),
                )
            )
            token = attempt_token(self.app, attempt)
        return Learner(attempt_id, token, participant_id, f"{points} / {MAX_SCORE} ({percent:g}%)")

    def browser(self, *launched: Learner) -> FlaskClient:
        """A browser whose attempt cookie names the attempts of ``launched``."""
        client = self.app.test_client()
        if launched:
            with self.app.test_request_context():
                value = cookie_value([learner.attempt_id for learner in launched])
            client.set_cookie(COOKIE_NAME, value)
        return client

    def browser_path(self, participant_id: str, *, token: str | None = None) -> str:
        key = self.browser_token if token is None else token
        return (
            f"/callbacks/startexam/{self.connection_id}/browser"
            f"?token={key}&participantId={participant_id}"
        )


def startexam_class(app: Flask) -> StartExamClass:
    """A StartExam connection, with a job queue that records the syncs asked for."""
    registry = services(app)
    info = registry.vendor_connections.add("startexam", "se", STARTEXAM)
    queue = RecordingJobQueue(registry.sessions)
    registry.queue = queue
    with registry.sessions() as session:
        row = session.get(VendorConnection, info.id)
        assert row is not None
        return StartExamClass(
            app, info.id, browser_token(app, row), callback_token(app, row), queue
        )
