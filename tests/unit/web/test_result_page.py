"""``/return/<token>/result`` shows the score only to the browser that launched the attempt
(its attempt cookie) or that comes from a relaunch (a grant): finding 6."""

from __future__ import annotations

import time
import typing as t

import pytest
from itsdangerous import TimestampSigner

from plugin.web.attempt_cookie import COOKIE_NAME
from plugin.web.result_grant import MAX_AGE_SECONDS
from plugin.web.result_grant import grant_for
from tests.unit.web.learners import StartExamClass
from tests.unit.web.learners import startexam_class

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.test import TestResponse

NEUTRAL = "Your result is being recorded. Return to your course to see it."


@pytest.fixture
def school(app: Flask) -> StartExamClass:
    return startexam_class(app)


def assert_neutral(page: TestResponse, *, score: str) -> None:
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and NEUTRAL in text
    assert score not in text and 'id="score"' not in text and "completed" not in text
    assert "http-equiv" not in text  # no refresh: the page never changes for this browser
    assert page.headers["Cache-Control"] == "no-store"


def grant(app: Flask, attempt_id: int) -> str:
    with app.test_request_context():
        return grant_for(attempt_id)


def test_the_browser_that_launched_the_attempt_sees_its_score(school: StartExamClass) -> None:
    ada = school.learner(31)

    page = school.browser(ada).get(ada.result_path)

    assert page.status_code == 200
    assert f'<dd id="score">{ada.score}</dd>' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("cookie", ["none", "another attempt's"])
def test_another_browser_gets_the_neutral_page(school: StartExamClass, cookie: str) -> None:
    ada, bo = school.learner(31, return_url="https://lms.example/course/7"), school.learner(17)
    browser = school.browser() if cookie == "none" else school.browser(bo)

    page = browser.get(ada.result_path)

    assert_neutral(page, score=ada.score)
    # The course's own way back is kept: it is the attempt's stored return URL.
    assert 'href="https://lms.example/course/7"' in page.get_data(as_text=True)


def test_a_tampered_cookie_names_no_attempt(school: StartExamClass) -> None:
    ada = school.learner(31)
    browser = school.browser(ada)
    cookie = browser.get_cookie(COOKIE_NAME)
    assert cookie is not None
    payload, stamp, signature = cookie.value.split(".")
    browser.set_cookie(COOKIE_NAME, f"{payload}.{stamp}.{signature[:-2]}AA")

    assert_neutral(browser.get(ada.result_path), score=ada.score)


def test_a_relaunchs_grant_shows_the_score_and_leaves_the_cookie(
    app: Flask, school: StartExamClass
) -> None:
    ada = school.learner(31)
    browser = school.browser()

    page = browser.get(f"{ada.result_path}?grant={grant(app, ada.attempt_id)}")

    assert f'<dd id="score">{ada.score}</dd>' in page.get_data(as_text=True)
    assert "HttpOnly" in page.headers["Set-Cookie"]
    assert ada.score in browser.get(ada.result_path).get_data(as_text=True)


def test_a_grant_for_another_attempt_shows_nothing(app: Flask, school: StartExamClass) -> None:
    ada, bo = school.learner(31), school.learner(17)
    browser = school.browser()

    page = browser.get(f"{ada.result_path}?grant={grant(app, bo.attempt_id)}")

    assert_neutral(page, score=ada.score)
    assert "Set-Cookie" not in page.headers


@pytest.mark.parametrize("grant_value", ["expired", "forged"])
def test_an_expired_or_forged_grant_shows_nothing(
    app: Flask, school: StartExamClass, monkeypatch: pytest.MonkeyPatch, grant_value: str
) -> None:
    ada = school.learner(31)
    if grant_value == "expired":
        issued = int(time.time()) - MAX_AGE_SECONDS - 5
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
        value = grant(app, ada.attempt_id)
        monkeypatch.undo()
    else:
        value = grant(app, ada.attempt_id)[:-3] + "xyz"

    assert_neutral(school.browser().get(f"{ada.result_path}?grant={value}"), score=ada.score)


def test_an_unknown_token_is_still_404(school: StartExamClass) -> None:
    assert school.browser().get("/return/no-such-token/result").status_code == 404
