"""A learner's result is shown to that learner's browser only (security findings 5 and 6).

StartExam sends the finished learner's browser to the URL pasted in the test's settings,
adding ``participantId``: every learner sees that URL, and may put someone else's
participant id in it.  The result page ``/return/<token>/result`` is a URL that can be
copied.  Neither may show a score to a browser other than the one that launched the
attempt (its attempt cookie) or that comes from a fresh launch (a relaunch's grant).
"""

from __future__ import annotations

import dataclasses
import re
import typing as t
import urllib.parse

import pytest

from plugin.sandbox.browser import SandboxBrowser
from tests.e2e.profiles import on_every_lms_profile  # noqa: F401 - runs on every profile
from tests.e2e.test_relaunch import wait_for_final_result
from tests.e2e.test_vendor_flows import assessment_for
from tests.e2e.test_vendor_flows import startexam_setup
from tests.e2e.vendor_sims import answer_form
from tests.e2e.vendor_sims import attempts
from tests.e2e.vendor_sims import control
from tests.e2e.vendor_sims import launch_to
from tests.e2e.vendor_sims import signals
from tests.support.tokens import attempt_token

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests
    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e

NEUTRAL = "Your result is being recorded. Return to your course to see it."
_SCORE = re.compile(r'<dd id="score">([^<]+)</dd>')


def score_on(page: requests.Response) -> str:
    """The score the result page shows (the test fails when it shows none)."""
    found = _SCORE.search(page.text)
    assert found, f"no score on {page.url}: {page.text[:500]}"
    return found.group(1)


def assert_neutral(page: requests.Response) -> None:
    assert page.status_code == 200, page.text[:500]
    assert NEUTRAL in page.text
    assert 'id="score"' not in page.text and "http-equiv" not in page.text


def answers(exam: dict[str, t.Any], *, right: int) -> dict[str, str]:
    """The first ``right`` questions answered right, the others wrong."""
    return {
        f"q{q['num']}": str(q["correct"] if n < right else (q["correct"] + 1) % 2)
        for n, q in enumerate(exam["questions"])
    }


def second_learner(lms: SandboxLms, course: SandboxCourse) -> SandboxCourse:
    """The same course and placement, seen by another enrolled learner."""
    user = lms.add_user("Bo Other")
    lms.enrol(course.context_id, user["id"], ["Learner"])
    return dataclasses.replace(course, learner_id=user["id"])


def tool_hop(tool: RunningTool, page: requests.Response) -> str:
    """The URL on the tool the vendor redirected this browser to."""
    (url,) = [hop.url for hop in page.history if hop.url.startswith(f"{tool.url}/callbacks/")]
    return url


def with_participant(url: str, participant_id: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = [
        (name, participant_id if name == "participantId" else value)
        for name, value in urllib.parse.parse_qsl(parts.query)
    ]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


@pytest.mark.parametrize("pasted", ["browser_url", "callback_url"])
def test_another_learners_participant_id_from_my_browser_shows_nothing_of_theirs(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    pasted: str,
) -> None:
    """Finding 5, with the browser URL and with a callback URL an older install pasted."""
    sim, connection, exam = startexam_setup(tool, serve)
    if pasted == "callback_url":
        control(sim.url, "PUT", "/sandbox/callback", {"url": connection.callback_url})
    assessment = assessment_for(tool, connection, exam["testId"])
    alice, bob = SandboxBrowser(), SandboxBrowser()
    alice_exam = launch_to(alice, lms, registration, course, assessment)
    bob_exam = launch_to(bob, lms, registration, second_learner(lms, course), assessment)
    alices, bobs = attempts(tool.app)
    assert bobs.vendor_ref is not None
    bob_token = attempt_token(tool.app, bobs)

    bob_back = answer_form(bob, bob_exam, answers(exam, right=len(exam["questions"])))
    bob_score = score_on(bob_back)
    assert bob_back.url == f"{tool.url}/return/{bob_token}/result"
    alice_back = answer_form(alice, alice_exam, answers(exam, right=1))
    assert alice_back.url == f"{tool.url}/return/{attempt_token(tool.app, alices)}/result"
    assert score_on(alice_back) != bob_score
    signals_of_bob = [s.id for s in signals(tool.app) if s.attempt_id == bobs.id]

    # Alice saw the URL StartExam sent her to; she puts Bob's participant id in it.
    crafted = with_participant(tool_hop(tool, alice_back), bobs.vendor_ref)
    stolen = alice.get(crafted)

    assert stolen.history == [] and stolen.url == crafted
    assert_neutral(stolen)
    assert bob_token not in stolen.text and bob_score not in stolen.text
    # The signal still counts: Bob's attempt got one more, and a sync.
    assert len([s for s in signals(tool.app) if s.attempt_id == bobs.id]) == len(signals_of_bob) + 1


def test_the_result_url_in_another_browser_shows_the_neutral_page(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    """Finding 6: the result URL alone is no key to the score."""
    _, connection, exam = startexam_setup(tool, serve)
    browser = SandboxBrowser()
    page = launch_to(
        browser, lms, registration, course, assessment_for(tool, connection, exam["testId"])
    )
    back = answer_form(browser, page, answers(exam, right=2))
    score = score_on(back)
    (attempt,) = attempts(tool.app)
    assert back.url == f"{tool.url}/return/{attempt_token(tool.app, attempt)}/result"

    elsewhere = SandboxBrowser().get(back.url)

    assert_neutral(elsewhere)
    assert score not in elsewhere.text
    assert score_on(browser.get(back.url)) == score


def test_a_relaunch_shows_the_score_in_a_fresh_browser_through_its_grant(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    _, connection, exam = startexam_setup(tool, serve)
    assessment = assessment_for(tool, connection, exam["testId"])
    first = SandboxBrowser()
    page = launch_to(first, lms, registration, course, assessment)
    score = score_on(answer_form(first, page, answers(exam, right=3)))
    (attempt,) = attempts(tool.app)
    wait_for_final_result(tool, attempt.id)

    later = SandboxBrowser()
    again = launch_to(later, lms, registration, course, assessment)

    result_url = f"{tool.url}/return/{attempt_token(tool.app, attempt)}/result"
    assert again.url.startswith(f"{result_url}?grant=")
    assert score_on(again) == score
    # The grant left the attempt cookie behind; without either the URL shows nothing.
    assert score_on(later.get(result_url)) == score
    assert_neutral(SandboxBrowser().get(result_url))
