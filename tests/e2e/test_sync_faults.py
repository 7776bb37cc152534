"""Grades reach the gradebook through faults: a flaky LMS, duplicate and early webhooks,
a vendor that times out, and a wiped queue.

Everything runs over real HTTP (sandbox LMS, Mettl simulator, the tool). The job queue
is huey's in-memory one, which runs a task as soon as it is queued; the minute-by-minute
sweep is run by calling its task, with time moved on where the sweep would wait.
"""

from __future__ import annotations

import time
import typing as t

import pytest

from plugin.jobs import tasks as jobs
from plugin.outbox.deliveries import LMS_TARGET
from plugin.services import services
from tests.e2e.conftest import RunningTool
from tests.e2e.mettl_class import MettlClass
from tests.e2e.mettl_class import attempt_rows
from tests.e2e.mettl_class import delivery_rows
from tests.e2e.mettl_class import mettl_class
from tests.e2e.mettl_class import sweep_until
from tests.e2e.vendor_sims import control

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration

pytestmark = pytest.mark.e2e


@pytest.fixture
def tool_settings() -> dict[str, str]:
    """Fast retries and a short read timeout, so faults resolve in seconds."""
    return {"BRIDGE_RETRY_FIRST_SECONDS": "0.05", "BRIDGE_HTTP_READ_TIMEOUT": "0.5"}


def percent(right: int) -> float:
    return right / 4 * 100


def graded(klass: MettlClass, expected: dict[str, float]) -> Callable[[], bool]:
    def check() -> bool:
        grades = klass.grades()
        return all(
            user in grades
            and grades[user].get("scoreGiven") == score
            and grades[user]["gradingProgress"] == "FullyGraded"
            for user, score in expected.items()
        )

    return check


def test_every_grade_lands_through_an_lms_failing_30_percent_of_requests(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    learners = {klass.add_learner(f"Learner {n}", f"l{n}@example.edu"): n for n in range(5)}
    started = {user: klass.start(user) for user in learners}
    lms.set_faults(error_rate=0.2, rate_limit_rate=0.1, retry_after=1, seed=7)

    for user, (browser, page) in started.items():
        klass.finish(browser, page, right=learners[user] % 5)
    expected = {user: percent(min(n % 5, 4)) for user, n in learners.items()}
    sweep_until(tool.app, graded(klass, expected))

    deliveries = delivery_rows(tool.app, LMS_TARGET)
    assert {d.status for d in deliveries} <= {"delivered", "superseded"}
    assert sum(d.tries for d in deliveries) > len(learners), "no fault was hit"
    assert sum(lms.stats()["faults"].values()) > 0


def test_duplicate_and_early_webhooks_end_in_one_final_grade(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve, notify=False)
    email = "early@example.edu"
    user = klass.add_learner("Early Bird", email)
    browser, page = klass.start(user)

    assert klass.webhook(email).status_code == 200  # before the vendor has a result
    (attempt,) = attempt_rows(tool.app)
    assert attempt.sync_requested_at is not None  # still owed: no final result yet
    assert user not in klass.grades() or "scoreGiven" not in klass.grades()[user]

    klass.finish(browser, page, right=3)  # Mettl notifies no one: notifications are off
    sweep_until(tool.app, graded(klass, {user: 75.0}))
    before = len(delivery_rows(tool.app))
    for event in ("finishTest", "finishTest", "gradedAssessment"):
        assert klass.webhook(email, event).status_code == 200

    (attempt,) = attempt_rows(tool.app)
    assert attempt.sync_requested_at is None and attempt.status == "completed"
    assert len(delivery_rows(tool.app)) == before
    assert klass.grades()[user]["scoreGiven"] == 75.0


def test_a_vendor_timing_out_leaves_the_attempt_owed_until_it_answers(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    user = klass.add_learner("Patient", "patient@example.edu")
    browser, page = klass.start(user)
    control(klass.sim_url, "PUT", "/sandbox/faults", {"slow_rate": 1.0, "slow_ms": 1500})

    klass.finish(browser, page, right=2)
    deadline = time.monotonic() + 10
    while not (attempt_rows(tool.app)[0].sync_error or time.monotonic() > deadline):
        time.sleep(0.05)
    (attempt,) = attempt_rows(tool.app)
    assert attempt.sync_error and "timed out" in attempt.sync_error
    assert attempt.sync_requested_at is not None and delivery_rows(tool.app) == []

    control(klass.sim_url, "PUT", "/sandbox/faults", {})
    sweep_until(tool.app, graded(klass, {user: 50.0}))
    (attempt,) = attempt_rows(tool.app)
    assert attempt.sync_error is None and attempt.sync_requested_at is None


def test_a_wiped_queue_loses_no_grade(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    first = klass.add_learner("First", "first@example.edu")
    second = klass.add_learner("Second", "second@example.edu")
    started = {user: klass.start(user) for user in (first, second)}
    jobs.huey.immediate = False  # jobs wait in the queue for a consumer that never comes
    try:
        klass.finish(*started[first], right=4)  # its sync waits in the queue
        deadline = time.monotonic() + 5
        while len(jobs.huey) < 2 and time.monotonic() < deadline:  # finish + graded
            time.sleep(0.05)
        (attempt, _) = attempt_rows(tool.app)
        services(tool.app).sync.sync(attempt.id)  # its deliveries wait in the queue
        klass.finish(*started[second], right=1)
        time.sleep(0.5)
        assert len(jobs.huey) > 0
        jobs.huey.flush()
    finally:
        jobs.huey.immediate = True
    assert klass.grades() == {}

    sweep_until(tool.app, graded(klass, {first: 100.0, second: 25.0}))
