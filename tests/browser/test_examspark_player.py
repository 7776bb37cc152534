"""The ExamSpark player page in chromium, with the simulator's SDK bundle pinned by hash.

The launch runs through the sandbox LMS as in ``tests/e2e``; the tool's answer (the
player page and its Content-Security-Policy) is then served to the browser at the
launch URL, with the launch's attempt cookie, so everything after it runs in the page.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import pathlib
import re
import time
import typing as t

import pytest

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.sandbox.vendors.examspark.sdk import SCRIPT_PATH
from plugin.sandbox.vendors.examspark.sdk import script_integrity
from plugin.services import services
from tests.e2e.vendor_sims import attempts
from tests.e2e.vendor_sims import control
from tests.e2e.vendor_sims import embed_of
from tests.e2e.vendor_sims import launch_to

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask
    from playwright.sync_api import Page
    from playwright.sync_api import Route

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

SECRET = "examspark-app-secret"
WAIT_MS = 15_000


class Player(t.NamedTuple):
    sim: ServedApp
    launch_url: str
    course_url: str
    embed: dict[str, t.Any]


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("screenshots")


def open_player(
    page: Page,
    tool: RunningTool,
    lms: SandboxLms,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    *,
    integrity: str | None = None,
    before_browser: Callable[[ServedApp], object] = lambda sim: None,
) -> Player:
    """Launch the learner into an ExamSpark exam and open the tool's player page."""
    sim = serve(create_examspark_app(app_key="app-key", app_secret=SECRET, workspace_id="w"))
    connection = services(tool.app).vendor_connections.add(
        "examspark",
        "examspark",
        {
            "app_key": "app-key",
            "app_secret": SECRET,
            "workspace_id": "w",
            "base_url": sim.url,
            "sdk_script_url": sim.url + SCRIPT_PATH,
            "sdk_script_integrity": integrity or script_integrity(),
        },
    )
    config = control(sim.url, "POST", "/sandbox/exam-configs", {"questions": 2})["examConfig"]
    assessment = services(tool.app).assessments.add(
        connection=connection.name, test_id=config["id"], title="Final exam"
    )
    learner = SandboxBrowser()
    answer = launch_to(learner, lms, registration, course, assessment.id)
    assert answer.status_code == 200, answer.text[:500]
    before_browser(sim)
    headers = {
        "content-type": answer.headers["Content-Type"],
        "content-security-policy": answer.headers["Content-Security-Policy"],
    }

    def replay(route: Route) -> None:
        route.fulfill(status=200, headers=headers, body=answer.text)

    page.route(answer.url, replay)
    page.context.add_cookies(
        [
            {"name": c.name, "value": c.value or "", "url": tool.url}
            for c in learner.session.cookies
            if c.domain.startswith("127.0.0.1")
        ]
    )
    (attempt,) = attempts(tool.app)
    page.goto(answer.url)
    return Player(sim, answer.url, attempt.return_url or "", embed_of(answer.text))


def test_a_bundle_that_fails_its_integrity_check_shows_a_way_on_and_is_logged(
    page: Page,
    tool: RunningTool,
    lms: SandboxLms,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    caplog: pytest.LogCaptureFixture,
    screenshots: pathlib.Path,
) -> None:
    caplog.set_level(logging.WARNING, logger="plugin.web.player")
    wrong = "sha384-" + base64.b64encode(hashlib.sha384(b"another bundle").digest()).decode()

    player = open_player(page, tool, lms, registration, course, serve, integrity=wrong)

    failure = page.locator("#player-failure")
    failure.wait_for(state="visible", timeout=WAIT_MS)
    assert "The exam player could not be loaded." in failure.inner_text()
    error_id = page.locator("#error-id").inner_text()
    assert re.fullmatch(r"[0-9a-f]{12}", error_id)
    assert page.get_by_role("button", name="Try again").is_visible()
    back = page.get_by_role("link", name="Back to the course")
    assert player.course_url and back.get_attribute("href") == player.course_url
    page.screenshot(path=str(screenshots / "player-failure.png"), full_page=True)
    page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".some(e => e.name.endsWith('/player-error'))",
        timeout=WAIT_MS,
    )
    _wait_for_log(caplog, f"player error [{error_id}]")
    assert "stage load" in caplog.text


def test_a_login_token_the_vendor_forgot_is_renewed_and_the_exam_starts(
    page: Page,
    tool: RunningTool,
    lms: SandboxLms,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    def forget(sim: ServedApp) -> object:
        return control(sim.url, "POST", "/sandbox/sdk-tokens/forget")

    player = open_player(page, tool, lms, registration, course, serve, before_browser=forget)

    exam = page.frame_locator("#player iframe")
    exam.get_by_role("button", name="Submit exam").wait_for(timeout=WAIT_MS)
    assert page.locator("#player-failure").is_hidden()
    (attempt,) = attempts(tool.app)
    stored = services(tool.app).secrets.decrypt(attempt.embed_encrypted or b"")
    assert player.embed["options"]["auth"] not in stored.decode()


def test_submitting_lands_on_our_result_page(
    page: Page,
    tool: RunningTool,
    lms: SandboxLms,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    screenshots: pathlib.Path,
) -> None:
    player = open_player(page, tool, lms, registration, course, serve)
    exam = page.frame_locator("#player iframe")
    exam.get_by_role("radio").first.check(timeout=WAIT_MS)

    exam.get_by_role("button", name="Submit exam").click()

    result_url = player.embed["event_url"] + "/result"
    page.wait_for_url(result_url, timeout=WAIT_MS)
    body = page.locator("body").inner_text()
    assert '"status"' not in body and page.locator("h1").is_visible()
    page.screenshot(path=str(screenshots / "result.png"), full_page=True)


def _wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    """The report is logged by the tool's thread once its request is handled."""
    for _ in range(50):
        if text in caplog.text:
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in the log: {caplog.text[-2000:]}")
