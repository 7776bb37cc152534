"""Mettl's exit redirection lands on our exit page: in chromium, the browser that launched
the attempt goes on to its own result page; a browser without the attempt cookie (a
frame whose third-party cookies are blocked) gets a plain page naming no attempt."""

from __future__ import annotations

import pathlib
import typing as t

import pytest

from plugin.services import services
from tests.e2e.mettl_class import attempt_rows
from tests.e2e.mettl_class import mettl_class
from tests.e2e.test_relaunch import wait_for_final_result

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask
    from playwright.sync_api import Browser
    from playwright.sync_api import Page

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("screenshots")


def test_the_exit_page_brings_the_learners_browser_to_its_result_and_no_one_elses(
    page: Page,
    browser: Browser,
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    screenshots: pathlib.Path,
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    learner, at_mettl = klass.start(klass.add_learner("Ada Lovelace", "ada@example.edu"))
    klass.finish(learner, at_mettl, right=3)
    (attempt,) = attempt_rows(tool.app)
    wait_for_final_result(tool, attempt.id)  # the page then shows the score, not "recording"
    exit_url = services(tool.app).vendor_connections.exit_url(klass.connection.id)
    page.context.add_cookies(
        [
            {"name": c.name, "value": c.value or "", "url": tool.url}
            for c in learner.session.cookies
            if c.domain.startswith("127.0.0.1")
        ]
    )

    page.goto(exit_url)

    assert page.url.startswith(services(tool.app).attempts.result_url_of(attempt.id))
    assert page.locator("h1").inner_text() == "Your result"
    assert "Return to your course to see" not in page.content()
    assert "3 / 4 (75%)" in page.locator("body").inner_text()
    page.screenshot(path=str(screenshots / "mettl-exit-result.png"), full_page=True)

    stranger = browser.new_context().new_page()
    try:
        stranger.goto(exit_url)
        assert stranger.url == exit_url
        body = stranger.locator("body").inner_text()
        assert "Your attempt is finished. Return to your course to see your result." in body
        assert "Score" not in body and "/return/" not in stranger.content().split("<body")[1]
        stranger.screenshot(path=str(screenshots / "mettl-exit-plain.png"), full_page=True)
    finally:
        stranger.context.close()
