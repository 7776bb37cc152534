"""Key rotation while launches and service calls are in flight, on both sides."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from lti.interfaces import PlatformRecord
from lti.service_token import ASSERTION_TYPE
from lti.service_token import TokenRequestError
from lti.service_token import client_assertion
from lti.service_token import request_access_token
from plugin.registrations.tool_keys import ToolKeyService
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import autosubmit_form
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.services import services
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool
from tests.e2e.conftest import launch_as

pytestmark = pytest.mark.e2e
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def keys_of(tool: RunningTool) -> ToolKeyService:
    service: ToolKeyService = services(tool.app).keys
    return service


def platform_of(tool: RunningTool, lms: SandboxLms) -> PlatformRecord:
    return tool.platforms.find_platforms(lms.issuer)[0]


def test_platform_rotates_between_login_and_launch(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    assert launch_as(lms, registration, course, course.learner_id).status_code == 200
    browser = SandboxBrowser()
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
    )
    initiation = prepared["login_initiation"]
    form = autosubmit_form(browser.post(initiation["url"], data=initiation["params"]))
    assert form is not None
    lms.rotate_keys()  # the id_token in the form was signed with the previous key
    assert browser.post(form.action, data=form.fields).status_code == 200
    # The next launch is signed with the new key, which the tool has not cached yet.
    assert launch_as(lms, registration, course, course.learner_id).status_code == 200


def test_tool_rotates_while_the_platform_caches_its_key_set(
    lms: SandboxLms, tool: RunningTool, registration: Registration
) -> None:
    http = requests.Session()
    platform = platform_of(tool, lms)
    keys = keys_of(tool)
    old = keys.signing_key()
    first = request_access_token(platform, old, [SCORE], session=http)
    assert SCORE in first.scopes

    keys.rotate(overlap=dt.timedelta(0), keep_old=dt.timedelta(hours=1))
    new = keys.signing_key()
    assert new.kid != old.kid
    assert SCORE in request_access_token(platform, new, [SCORE], session=http).scopes
    # An assertion the old key signed just before the rotation is still accepted.
    in_flight = client_assertion(platform, old)
    answer = http.post(
        platform.auth_token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": in_flight,
            "scope": SCORE,
        },
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def test_token_request_with_an_unregistered_scope_is_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration
) -> None:
    with pytest.raises(TokenRequestError) as raised:
        request_access_token(
            platform_of(tool, lms),
            keys_of(tool).signing_key(),
            ["https://example.com/scope/not-granted"],
            session=requests.Session(),
        )
    assert raised.value.status == 400 and not raised.value.retryable
