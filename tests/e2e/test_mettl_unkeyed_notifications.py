"""Mettl notifications on a URL without ``?accessKey=``: the graded one names no schedule,
so the attempt is found by the candidate's e-mail (and Mettl's assessment id)."""

from __future__ import annotations

import dataclasses
import time
import typing as t

import pytest
import requests

from plugin.attempts.unmatched import unmatched_counts
from plugin.services import services
from tests.e2e.mettl_class import SECTIONS
from tests.e2e.mettl_class import MettlClass
from tests.e2e.mettl_class import answers
from tests.e2e.mettl_class import attempt_rows
from tests.e2e.mettl_class import mettl_class
from tests.e2e.vendor_sims import answer_form
from tests.e2e.vendor_sims import control
from tests.e2e.vendor_sims import signals
from tests.e2e.vendor_sims import wait_for_signals

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e

EMAIL = "ada@example.edu"


def unkeyed(klass: MettlClass) -> None:
    """Point the schedule's notifications at the bare callback URL, as an admin would."""
    url = klass.connection.callback_url
    control(
        klass.sim_url,
        "PUT",
        f"/sandbox/schedules/{klass.access_key}/settings",
        {"testFinishNotificationUrl": url, "testGradedNotificationUrl": url},
    )


def second_schedule(klass: MettlClass, tool: RunningTool) -> MettlClass:
    """Another schedule (of another Mettl assessment) on the same connection."""
    key = control(
        klass.sim_url, "POST", "/sandbox/schedules", {"name": "Verbal", "sections": SECTIONS}
    )["accessKey"]
    assessment = services(tool.app).assessments.add(
        connection=klass.connection.name, test_id=key, title="Verbal"
    )
    return dataclasses.replace(klass, assessment_id=assessment.id, access_key=key)


def graded(klass: MettlClass, **fields: t.Any) -> requests.Response:
    """A graded notification as Mettl posts it: no schedule key, not signed."""
    body = {"EVENT_TYPE": "gradedAssessment", "email": EMAIL, **fields}
    return requests.post(klass.connection.callback_url, json=body, timeout=10)


def mettl_assessment_id(klass: MettlClass) -> int:
    return int(
        control(klass.sim_url, "GET", f"/sandbox/schedules/{klass.access_key}")["assessmentId"]
    )


def test_a_graded_notification_without_schedule_key_reaches_the_gradebook(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    unkeyed(klass)
    user = klass.add_learner("Ada Lovelace", EMAIL)
    klass.start(user)
    (attempt,) = attempt_rows(tool.app)
    ref = f"{klass.access_key}/{EMAIL}"
    control(
        klass.sim_url, "POST", f"/sandbox/attempts/{ref}/complete", {"percent": 75, "graded": False}
    )
    wait_for_signals(
        tool.app, attempt.id, lambda rows: {r.status_hint for r in rows} == {"finishTest"}
    )
    assert "scoreGiven" not in klass.grades().get(user, {})

    control(klass.sim_url, "POST", f"/sandbox/attempts/{ref}/grade")

    rows = wait_for_signals(tool.app, attempt.id, lambda rows: len(rows) == 2)
    assert [(r.status_hint, r.vendor_ref) for r in rows][-1] == ("gradedAssessment", ref)
    assert graded_within(klass, user, seconds=5.0) == 75.0
    tries = control(klass.sim_url, "GET", "/sandbox/notifications")["notifications"]
    assert all(200 <= entry["status"] < 300 for entry in tries if entry.get("status")), tries


def test_the_assessment_id_tells_two_schedules_of_one_email_apart(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    first = mettl_class(lms, tool, registration, course, serve, notify=False)
    second = second_schedule(first, tool)
    user = first.add_learner("Ada Lovelace", EMAIL)
    first.start(user)
    second.start(user)
    one, two = attempt_rows(tool.app)

    answer = graded(second, assessmentId=mettl_assessment_id(second))

    assert answer.status_code == 200
    assert [(s.attempt_id, s.vendor_ref) for s in signals(tool.app)] == [
        (two.id, f"{second.access_key}/{EMAIL}")
    ]
    assert one.id != two.id


def test_an_ambiguous_notification_is_answered_and_leaves_each_match_owed(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    first = mettl_class(lms, tool, registration, course, serve, notify=False)
    second = second_schedule(first, tool)
    user = first.add_learner("Ada Lovelace", EMAIL)
    first.start(user)
    second.start(user)
    assert all(a.sync_requested_at is None for a in attempt_rows(tool.app))

    answer = graded(first)  # names neither schedule nor assessment

    assert answer.status_code == 200
    assert signals(tool.app) == []
    assert all(a.sync_requested_at is not None for a in attempt_rows(tool.app))


def test_a_notification_for_an_unknown_candidate_is_answered_and_counted(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve, notify=False)

    answer = graded(klass, assessmentId=mettl_assessment_id(klass))

    assert answer.status_code == 200
    (count,) = [c for c in unmatched_counts(services(tool.app).sessions) if c.kind == "mettl"]
    assert count.count == 1 and signals(tool.app) == []


def graded_within(klass: MettlClass, user: str, *, seconds: float) -> float | None:
    """The learner's score once the gradebook holds one (None after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        score = klass.grades().get(user, {}).get("scoreGiven")
        if score is not None:
            return float(score)
        time.sleep(0.05)
    return None


def exit_url(klass: MettlClass, tool: RunningTool) -> str:
    return f"{tool.url}/return/finished/{klass.connection.id}"


def test_the_mettl_exit_redirection_brings_the_learner_to_their_result_page(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve, notify=False)
    control(
        klass.sim_url,
        "PUT",
        f"/sandbox/schedules/{klass.access_key}/settings",
        {"exitRedirectionUrl": exit_url(klass, tool)},
    )
    user = klass.add_learner("Ada Lovelace", EMAIL)
    browser, page = klass.start(user)
    questions = browser.submit_first_form(page)

    landed = answer_form(browser, questions, answers(3))

    (attempt,) = attempt_rows(tool.app)
    result_url = services(tool.app).attempts.result_url_of(attempt.id)
    assert landed.status_code == 200 and landed.url == result_url
    assert "neutral" not in landed.text and "finished" not in landed.text
    assert [s.kind for s in signals(tool.app)] == ["return"]
    assert graded_within(klass, user, seconds=5.0) == 75.0


def test_the_exit_page_without_the_attempt_cookie_names_no_attempt(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve, notify=False)
    user = klass.add_learner("Ada Lovelace", EMAIL)
    klass.take(user, right=3)

    page = requests.get(exit_url(klass, tool), allow_redirects=False, timeout=10)

    assert page.status_code == 200
    assert "Your attempt is finished. Return to your course to see your result." in page.text
    assert EMAIL not in page.text and "/result" not in page.text
    assert signals(tool.app) == []
