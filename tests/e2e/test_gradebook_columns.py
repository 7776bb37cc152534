"""Grades go only where the teacher asked for them.

An activity whose launch names no line item (Moodle with "Accept grades from the tool"
unticked) gets no gradebook column of the tool's making: the result is recorded and shown
to the learner, and nothing is sent to the LMS.  An assessment added with
``--create-line-item`` finds or creates its own column.
"""

from __future__ import annotations

import typing as t

import pytest

from plugin.sandbox.browser import SandboxBrowser
from plugin.services import services
from tests.e2e.profiles import on_every_lms_profile  # noqa: F401 - runs on every profile
from tests.e2e.test_vendor_flows import only_attempt
from tests.e2e.test_vendor_flows import startexam_setup
from tests.e2e.vendor_sims import answer_form
from tests.e2e.vendor_sims import launch_to
from tests.e2e.vendor_sims import wait_for_grade

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e


@pytest.fixture
def ungraded_course(lms: SandboxLms) -> SandboxCourse:
    """A course whose activity has no line item: its launches carry only the container."""
    return lms.create_course(title="Ungraded", score_maximum=None)


def _finish_startexam(
    tool: RunningTool,
    lms: SandboxLms,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    *,
    create_line_item: bool,
) -> str:
    """Launch, answer every question but the last, come back; the result page's text."""
    _, connection, exam = startexam_setup(tool, serve)
    assessment = services(tool.app).assessments.add(
        connection=connection.name,
        test_id=exam["testId"],
        title="Algebra final",
        create_line_item=create_line_item,
    )
    browser = SandboxBrowser()
    page = launch_to(browser, lms, registration, course, assessment.id)
    only_attempt(tool, page)
    right = {f"q{q['num']}": str(q["correct"]) for q in exam["questions"][:-1]}
    back = answer_form(browser, page, right)
    assert back.status_code == 200
    return back.text


def test_an_activity_that_accepts_no_grades_grows_no_gradebook_column(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    ungraded_course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    text = _finish_startexam(
        tool, lms, registration, ungraded_course, serve, create_line_item=False
    )

    assert "Your result" in text and "does not record grades in the course gradebook" in text
    assert lms.gradebook(ungraded_course.context_id)["line_items"] == []
    assert services(tool.app).delivery_report.counts()["deliveries"] == {}


def test_an_assessment_that_asks_for_its_own_column_is_graded_there(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    ungraded_course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    _finish_startexam(tool, lms, registration, ungraded_course, serve, create_line_item=True)

    score = wait_for_grade(lms, ungraded_course, lambda s: s["gradingProgress"] == "FullyGraded")
    assert score["activityProgress"] == "Completed"
    (column,) = lms.gradebook(ungraded_course.context_id)["line_items"]
    assert column["label"] == "Algebra final"
