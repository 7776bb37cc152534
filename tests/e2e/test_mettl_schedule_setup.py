"""A Mettl schedule configured by ``assessment add`` alone (Edit Schedule), with no
sandbox control call for its URLs: the learner finishes at Mettl, comes back through the
exit page to their result page, and the graded notification reaches the gradebook."""

from __future__ import annotations

import time
import typing as t

import pytest
from click.testing import CliRunner

from plugin.cli import main
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.services import services
from tests.e2e.mettl_class import SECRET
from tests.e2e.mettl_class import SECTIONS
from tests.e2e.mettl_class import MettlClass
from tests.e2e.mettl_class import answers
from tests.e2e.mettl_class import attempt_rows
from tests.e2e.test_mettl_unkeyed_notifications import graded_within
from tests.e2e.vendor_sims import answer_form
from tests.e2e.vendor_sims import control
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


def test_a_schedule_set_up_by_assessment_add_completes_the_whole_loop(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    base_settings: dict[str, str],
) -> None:
    sim = serve(create_mettl_app(public_key="public-key", private_key=SECRET))
    connection = services(tool.app).vendor_connections.add(
        "mettl", "mettl", {"public_key": "public-key", "private_key": SECRET, "base_url": sim.url}
    )
    key = control(
        sim.url, "POST", "/sandbox/schedules", {"name": "Aptitude", "sections": SECTIONS}
    )["accessKey"]
    assert control(sim.url, "GET", f"/sandbox/schedules/{key}")["exitRedirectionUrl"] is None

    added = CliRunner().invoke(
        main,
        ["assessment", "add", "--vendor", "mettl", "--test-id", key, "--title", "Aptitude"],
        env={**base_settings, "BRIDGE_BASE_URL": tool.url},
        catch_exceptions=False,
    )

    assert added.exit_code == 0, added.output
    exit_url = f"{tool.url}/return/finished/{connection.id}"
    assert f"exitRedirectionUrl = {exit_url}" in added.stderr
    klass = MettlClass(lms, tool, registration, course, sim.url, connection, int(added.stdout), key)
    user = klass.add_learner("Ada Lovelace", EMAIL)
    browser, page = klass.start(user)
    questions = browser.submit_first_form(page)

    landed = answer_form(browser, questions, answers(3))

    (attempt,) = attempt_rows(tool.app)
    assert landed.status_code == 200
    assert landed.url == services(tool.app).attempts.result_url_of(attempt.id)
    rows = wait_for_signals(
        tool.app,
        attempt.id,
        lambda rows: (
            {r.status_hint for r in rows if r.kind == "webhook"}
            >= {"finishTest", "gradedAssessment"}
        ),
    )
    graded = [r for r in rows if r.status_hint == "gradedAssessment"]
    assert [r.vendor_ref for r in graded] == [f"{key}/{EMAIL}"]
    assert "return" in {r.kind for r in rows}
    assert graded_within(klass, user, seconds=5.0) == 75.0
    tries = notification_tries(sim.url, {"finishTest", "gradedAssessment"})
    assert all(entry["url"].startswith(f"{tool.url}/callbacks/mettl/") for entry in tries)
    assert all(200 <= entry["status"] < 300 for entry in tries), tries


def notification_tries(sim_url: str, events: set[str]) -> list[dict[str, t.Any]]:
    """The simulator's log of notification tries once it holds ``events``: it writes an
    entry after our answer arrives, so it may trail the signal rows by a moment."""
    deadline = time.monotonic() + 5.0
    while True:
        tries: list[dict[str, t.Any]] = control(sim_url, "GET", "/sandbox/notifications")[
            "notifications"
        ]
        if {entry["event"] for entry in tries} == events:
            return tries
        assert time.monotonic() < deadline, f"notification tries after 5 s: {tries}"
        time.sleep(0.05)
