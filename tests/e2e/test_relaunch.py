"""A learner relaunching a finished attempt sees our result page, not the vendor's."""

from __future__ import annotations

import time
import typing as t

import pytest

from plugin.sandbox.browser import SandboxBrowser
from plugin.services import services
from plugin.store.models import AttemptResult
from plugin.sync.service import FINAL_STATUSES
from tests.e2e.profiles import on_every_lms_profile  # noqa: F401 - runs on every profile
from tests.e2e.test_vendor_flows import startexam_setup
from tests.e2e.vendor_sims import answer_form
from tests.e2e.vendor_sims import attempts
from tests.e2e.vendor_sims import launch_to
from tests.support.tokens import attempt_token

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e


WAIT_S = 5.0


def startexam_assessment(
    tool: RunningTool, serve: Callable[[Flask], ServedApp]
) -> tuple[ServedApp, int, dict[str, t.Any]]:
    """A StartExam simulator, its connection and one assessment on its test."""
    sim, connection, exam = startexam_setup(tool, serve)
    assessment = services(tool.app).assessments.add(
        connection=connection.name, test_id=exam["testId"], title="Final exam"
    )
    return sim, assessment.id, exam


def wait_for_final_result(tool: RunningTool, attempt_id: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while True:
        with services(tool.app).sessions() as session:
            result = session.get(AttemptResult, attempt_id)
            if result is not None and result.status in FINAL_STATUSES:
                return
        assert time.monotonic() < deadline, f"no final result for attempt {attempt_id}"
        time.sleep(0.05)


def test_a_relaunch_after_finishing_shows_the_result_page_not_the_vendor(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    sim, assessment, exam = startexam_assessment(tool, serve)
    browser = SandboxBrowser()
    at_vendor = launch_to(browser, lms, registration, course, assessment)
    (attempt,) = attempts(tool.app)
    assert at_vendor.url == attempt.redirect_url and at_vendor.url.startswith(sim.url)
    answers = {f"q{q['num']}": str(q["correct"]) for q in exam["questions"]}
    answer_form(browser, at_vendor, answers)
    wait_for_final_result(tool, attempt.id)

    again = launch_to(SandboxBrowser(), lms, registration, course, assessment)

    assert again.status_code == 200, again.text
    # A fresh launch is vouched for by the platform: its redirect carries a grant.
    result_url = f"{tool.url}/return/{attempt_token(tool.app, attempt)}/result"
    assert again.url.startswith(f"{result_url}?grant=")
    assert "Your result" in again.text and 'id="score"' in again.text
    (same,) = attempts(tool.app)
    assert same.id == attempt.id
