"""A result that changes after its first score lands in Moodle's gradebook every time.

Moodle stores a score without ``scoreGiven`` at the time it receives it, compares
timestamps in whole seconds and refuses an equal second (the sandbox LMS's ``moodle``
profile does the same). A Mettl attempt held for manual grading is posted twice, the
"submitted" score and then the graded one, usually within the same second.
"""

from __future__ import annotations

import time
import typing as t

import pytest

from plugin.outbox.deliveries import LMS_TARGET
from tests.e2e.mettl_class import delivery_rows
from tests.e2e.mettl_class import mettl_class
from tests.e2e.vendor_sims import control

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
def lms_profile() -> str:
    return "moodle"


def _wait(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        time.sleep(0.1)


def test_a_grade_given_after_manual_grading_replaces_the_held_score(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    assert lms.profile() == "moodle"
    klass = mettl_class(lms, tool, registration, course, serve)
    email = "held@example.edu"
    user = klass.add_learner("Held Forgrading", email)
    klass.start(user)
    attempt = f"/sandbox/attempts/{klass.access_key}/{email}"

    control(klass.sim_url, "POST", f"{attempt}/complete", {"percent": 75, "graded": False})
    _wait(
        lambda: klass.grades().get(user, {}).get("gradingProgress") in {"Pending", "PendingManual"},
        "the submitted score did not reach the gradebook",
    )
    assert "scoreGiven" not in klass.grades()[user]

    control(klass.sim_url, "POST", f"{attempt}/grade")
    _wait(
        lambda: klass.grades().get(user, {}).get("gradingProgress") == "FullyGraded",
        "the graded score did not reach the gradebook",
    )
    assert klass.grades()[user]["scoreGiven"] == 75.0
    statuses = [row.status for row in delivery_rows(tool.app, LMS_TARGET)]
    assert "dead" not in statuses and statuses[-1] == "delivered"
