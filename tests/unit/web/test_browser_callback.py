"""StartExam's redirect of the learner's browser: it carries the connection's browser
token and a participant id the browser chose, so it leads only to the result page of an
attempt the browser's own cookie names (finding 5)."""

from __future__ import annotations

import logging
import re
import typing as t
import uuid

import pytest
from sqlalchemy import select

from plugin.services import services
from plugin.store.models import Signal
from plugin.store.models import VendorConnection
from tests.support.tokens import browser_token
from tests.unit.factories import make_attempt
from tests.unit.sync.fakes import connection_of
from tests.unit.web.learners import StartExamClass
from tests.unit.web.learners import startexam_class

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.test import TestResponse

NEUTRAL = "Your result is being recorded. Return to your course to see it."


@pytest.fixture
def school(app: Flask) -> StartExamClass:
    return startexam_class(app)


def signal_attempts(app: Flask) -> list[int | None]:
    with services(app).sessions() as session:
        return list(session.scalars(select(Signal.attempt_id).order_by(Signal.id)))


def unmatched_count(app: Flask, connection_id: int) -> int:
    """Signals of the connection that named no attempt (counted, not stored)."""
    with services(app).sessions() as session:
        row = session.get(VendorConnection, connection_id)
        assert row is not None
        return row.unmatched_signals


def without_nonce(text: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", text)


def neutral_text(page: TestResponse) -> str:
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and NEUTRAL in text
    assert "Location" not in page.headers and "Back to the course" not in text
    return text


def test_the_learners_own_participant_id_leads_to_their_result_page(
    school: StartExamClass,
) -> None:
    ada = school.learner(31)

    back = school.browser(ada).get(school.browser_path(ada.participant_id))

    assert back.status_code == 303
    assert back.headers["Location"] == f"http://127.0.0.1:8000{ada.result_path}"
    assert school.queue.syncs == [ada.attempt_id]


def test_another_learners_participant_id_shows_nothing_of_theirs_but_syncs_them(
    school: StartExamClass,
) -> None:
    ada, bo = school.learner(31), school.learner(17, return_url="https://lms.example/bo")

    page = school.browser(ada).get(school.browser_path(bo.participant_id))

    text = neutral_text(page)
    assert bo.token not in text and bo.score not in text and ada.token not in text
    assert school.queue.syncs == [bo.attempt_id]
    assert signal_attempts(school.app) == [bo.attempt_id]


def test_an_unknown_participant_gets_the_same_page_as_someone_elses(
    school: StartExamClass,
) -> None:
    ada, bo = school.learner(31), school.learner(17)
    browser = school.browser(ada)

    someone = browser.get(school.browser_path(bo.participant_id))
    nobody = browser.get(school.browser_path(str(uuid.uuid4())))

    assert without_nonce(neutral_text(nobody)) == without_nonce(neutral_text(someone))
    assert signal_attempts(school.app) == [bo.attempt_id]
    assert unmatched_count(school.app, school.connection_id) == 1


def test_a_browser_without_cookie_gets_the_neutral_page_for_its_own_attempt(
    school: StartExamClass,
) -> None:
    ada = school.learner(31)

    neutral_text(school.browser().get(school.browser_path(ada.participant_id)))

    assert school.queue.syncs == [ada.attempt_id]


@pytest.mark.parametrize("token", ["wrong", "callback"])
def test_only_the_browser_token_opens_the_browser_route(school: StartExamClass, token: str) -> None:
    ada = school.learner(31)
    key = "not-the-token" if token == "wrong" else school.callback_token
    browser = school.browser(ada)

    answer = browser.get(school.browser_path(ada.participant_id, token=key))

    assert answer.status_code == 404 and key not in answer.get_data(as_text=True)
    assert signal_attempts(school.app) == [] and school.queue.syncs == []
    assert browser.get(school.browser_path(ada.participant_id)).status_code == 303


def test_a_vendor_that_signals_server_to_server_has_no_browser_route(
    app: Flask, school: StartExamClass
) -> None:
    attempt_id = make_attempt(app)
    connection_id = connection_of(services(app).sessions, attempt_id)
    with services(app).sessions() as session:
        row = session.get(VendorConnection, connection_id)
        assert row is not None
        token = browser_token(app, row)
    client = app.test_client()

    answer = client.get(f"/callbacks/mettl/{connection_id}/browser?token={token}")

    assert answer.status_code == 404 and signal_attempts(app) == []
    startexam = client.get(school.browser_path(str(uuid.uuid4())))
    assert startexam.status_code == 200 and signal_attempts(app) == []
    assert unmatched_count(app, school.connection_id) == 1


def test_the_old_callback_url_answers_a_browser_like_the_browser_url(
    school: StartExamClass, caplog: pytest.LogCaptureFixture
) -> None:
    ada, bo = school.learner(31), school.learner(17)
    browser = school.browser(ada)
    old = f"/callbacks/startexam/{school.connection_id}?token={school.callback_token}"

    with caplog.at_level(logging.WARNING, logger="plugin.web.callbacks"):
        own = browser.get(f"{old}&participantId={ada.participant_id}")
        other = browser.get(f"{old}&participantId={bo.participant_id}")

    assert own.status_code == 303
    assert own.headers["Location"] == f"http://127.0.0.1:8000{ada.result_path}"
    text = neutral_text(other)
    assert bo.token not in text and bo.score not in text
    assert school.queue.syncs == [ada.attempt_id, bo.attempt_id]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("paste the browser URL" in w for w in warnings)
    assert all(school.callback_token not in w for w in warnings)
