"""Deep linking is not offered, and a deep-linking request that comes anyway is answered
with no content so the platform closes its dialog."""

from __future__ import annotations

import pytest

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.services import services
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool
from tests.support.registration import dynamic_registration_url

pytestmark = pytest.mark.e2e

DEEP_LINKING = "LtiDeepLinkingRequest"


def test_a_deep_linking_request_is_answered_with_no_content(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.instructor_id,
        context_id=course.context_id,
        message_type=DEEP_LINKING,
    )

    page = SandboxBrowser().run_launch(prepared["login_initiation"])

    # The tool's signed response was auto-posted to the platform, which accepted it.
    assert page.status_code == 200, page.text
    assert page.url == f"{lms.url}/deep_link_return"
    assert "cannot place content from here yet" in page.text
    assert lms.context(course.context_id)["content_items"] == []


def test_deep_linking_is_not_advertised(lms: SandboxLms, tool: RunningTool) -> None:
    browser = SandboxBrowser()
    static = browser.get(f"{tool.url}/lti/config", headers={"Accept": "application/json"}).json()
    assert static["messages"] == ["LtiResourceLinkRequest"]
    assert "deep_linking_url" not in static
    page = browser.get(f"{tool.url}/lti/config")
    assert "Deep linking URL" not in page.text

    url = dynamic_registration_url(lms, services(tool.app).invites)
    assert browser.get(url).status_code == 200
    (platform,) = tool.platforms.find_platforms(lms.issuer)
    registered = lms.tool(platform.client_id)["registration"]
    configuration = registered["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert [message["type"] for message in configuration["messages"]] == ["LtiResourceLinkRequest"]
