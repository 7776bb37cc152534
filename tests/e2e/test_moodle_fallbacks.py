"""The blocked-cookie fallback as Moodle needs it: back to the platform, never a replayed login."""

from __future__ import annotations

import html
import re
import typing as t
from urllib.parse import urljoin

import pytest
import requests

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import autosubmit_form
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool
from tests.e2e.profiles import on_every_lms_profile  # noqa: F401 - runs on every profile

pytestmark = pytest.mark.e2e


LAUNCH_PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


def blocked_cookie_launch(
    lms: SandboxLms, registration: Registration, course: SandboxCourse, **fields: t.Any
) -> requests.Response:
    """A framed launch whose browser drops the tool's third-party state cookie."""
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
        **fields,
    )
    browser = SandboxBrowser()
    initiation = prepared["login_initiation"]
    auth_page = browser.post(initiation["url"], data=initiation["params"])
    form = autosubmit_form(auth_page)
    assert form is not None, auth_page.text
    browser.session.cookies.clear()
    return browser.post(urljoin(auth_page.url, form.action), data=form.fields)


def new_window_links(page: requests.Response) -> list[str]:
    hrefs = re.findall(r'<a [^>]*href="([^"]*)"[^>]*target="_blank"', page.text)
    return [html.unescape(href) for href in hrefs]


def test_blocked_cookies_send_the_learner_back_to_the_platform_not_to_a_replayed_login(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    page = blocked_cookie_launch(lms, registration, course)

    assert page.status_code == 401 and "<code>cookies_blocked</code>" in page.text
    assert new_window_links(page) == [f"{lms.url}/launch_return"]
    assert "/lti/login" not in page.text and "lti_message_hint" not in page.text
    assert "Launch container" in page.text and "New window" in page.text
    assert re.search(r"error id <code>[0-9a-f]{12}</code>", page.text)
    course_page = SandboxBrowser().get(new_window_links(page)[0])
    assert course_page.status_code == 200 and "Back in the course" in course_page.text


@pytest.mark.parametrize(
    "return_url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "https://phishing.example/course",
    ],
)
def test_a_return_url_that_is_not_on_the_platforms_site_never_becomes_a_link(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    return_url: str,
) -> None:
    overrides = {LAUNCH_PRESENTATION: {"document_target": "iframe", "return_url": return_url}}
    page = blocked_cookie_launch(lms, registration, course, claim_overrides=overrides)

    assert page.status_code == 401 and "<code>cookies_blocked</code>" in page.text
    assert new_window_links(page) == []
    assert html.escape(return_url) not in page.text and return_url not in page.text
    assert "open this activity again in a new window or tab" in page.text


def test_a_blocked_cookie_is_only_reported_once_the_signature_holds(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    page = blocked_cookie_launch(lms, registration, course, tamper="bad_signature")

    assert page.status_code == 401 and "<code>bad_signature</code>" in page.text
    assert new_window_links(page) == []
