"""A browser that starts many logins without finishing them still launches, with a few state
cookies."""

from __future__ import annotations

import pytest

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.web.login_limits import MAX_STATE_COOKIES
from plugin.web.lti import STATE_COOKIE_PREFIX
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e


def test_150_abandoned_logins_leave_the_browser_able_to_launch(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    browser = SandboxBrowser()
    login = {
        "iss": registration.issuer,
        "client_id": registration.client_id,
        "login_hint": course.learner_id,
        "target_link_uri": f"{tool.url}/lti/launch",
    }
    for _ in range(150):
        started = browser.post(f"{tool.url}/lti/login", data=login, allow_redirects=False)
        assert started.status_code == 302
    states = [c for c in browser.session.cookies if c.name.startswith(STATE_COOKIE_PREFIX)]
    assert len(states) == MAX_STATE_COOKIES

    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
    )
    assert browser.run_launch(prepared["login_initiation"]).status_code == 200
    left = [c for c in browser.session.cookies if c.name.startswith(STATE_COOKIE_PREFIX)]
    assert len(left) < MAX_STATE_COOKIES
