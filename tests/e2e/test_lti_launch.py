"""Full LTI 1.3 round trips against the strict sandbox LMS over real HTTP."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from sqlalchemy import func
from sqlalchemy import select

from lti.interfaces import DeploymentStatus
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.services import services
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool
from tests.e2e.conftest import launch_as
from tests.support.registration import dynamic_registration_url

pytestmark = pytest.mark.e2e


def test_learner_launch_lands_on_the_learner_page(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    page = launch_as(lms, registration, course, course.learner_id)
    assert page.status_code == 200, page.text
    assert 'data-role="learner"' in page.text
    assert "Chemistry 101" in page.text
    assert "Lea Learner" in page.text
    with services(tool.app).sessions() as session:
        user = session.scalars(select(LtiUser)).one()
        link = session.scalars(select(ResourceLink)).one()
    assert user.subject == course.learner_id and user.name == "Lea Learner"
    assert link.resource_link_id == course.resource_link_id
    assert link.lineitem_url and link.lineitems_url
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes


def test_instructor_launch_lands_on_the_instructor_page(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    page = launch_as(lms, registration, course, course.instructor_id)
    assert page.status_code == 200, page.text
    assert 'data-role="instructor"' in page.text
    assert "Ian Instructor" in page.text and registration.issuer in page.text


def test_dynamic_registration_then_launch(lms: SandboxLms, tool: RunningTool) -> None:
    invites = services(tool.app).invites
    page = SandboxBrowser().get(dynamic_registration_url(lms, invites))
    assert page.status_code == 200, page.text
    assert "org.imsglobal.lti.close" in page.text
    platforms = tool.platforms.find_platforms(lms.issuer)
    assert len(platforms) == 1
    info = tool.platforms.get(lms.issuer)
    assert info.registered_via == "dynamic" and len(info.deployments) == 1
    registered = lms.tool(platforms[0].client_id)
    assert registered["jwks_uri"] == f"{tool.url}/lti/jwks"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in registered["scopes"]
    (invite,) = invites.list()
    assert invite.state == "used" and invite.platform_issuer == lms.issuer
    assert invite.platform_client_id == platforms[0].client_id

    registration = Registration(
        platforms[0].client_id, info.deployments[0].deployment_id, lms.issuer
    )
    course = lms.create_course()
    page = launch_as(lms, registration, course, course.learner_id)
    assert page.status_code == 200 and 'data-role="learner"' in page.text


def test_a_registration_url_registers_one_platform_only(lms: SandboxLms, tool: RunningTool) -> None:
    url = dynamic_registration_url(lms, services(tool.app).invites)
    assert SandboxBrowser().get(url).status_code == 200
    fresh = lms.registration_token()
    query = urlencode(
        {
            "openid_configuration": fresh["openid_configuration"],
            "registration_token": fresh["token"],
        }
    )
    again = SandboxBrowser().get(
        f"{url.split('?')[0]}?{query}", headers={"Accept": "application/json"}
    )
    assert again.status_code == 410
    assert again.json()["error"] == "registration_url_used"
    assert "platform registration-url" in again.json()["admin_hint"]
    assert len(tool.platforms.find_platforms(lms.issuer)) == 1


def test_a_platform_refusal_is_a_generic_error_and_keeps_the_url_usable(
    lms: SandboxLms, tool: RunningTool, caplog: pytest.LogCaptureFixture
) -> None:
    invites = services(tool.app).invites
    used = dynamic_registration_url(lms, invites)
    assert SandboxBrowser().get(used).status_code == 200
    # The LMS's registration token is used up: the platform refuses the second client.
    invite = invites.mint()
    replayed = invite.url + "?" + used.split("?", 1)[1]
    with caplog.at_level(logging.WARNING, logger="plugin.web.registration"):
        again = SandboxBrowser().get(replayed, headers={"Accept": "application/json"})
    assert again.status_code == 400
    body = again.json()
    assert body["error"] == "registration_failed"
    assert body["message"] == (
        "The registration could not be completed. Give the administrator this error id:"
        f" {body['error_id']}."
    )
    assert "HTTP" not in again.text and lms.url not in again.text
    (logged,) = [
        r.getMessage()
        for r in caplog.records
        if r.name == "plugin.web.registration" and body["error_id"] in r.getMessage()
    ]
    assert "HTTP 401" in logged or "HTTP 400" in logged
    assert len(tool.platforms.find_platforms(lms.issuer)) == 1
    assert [i.state for i in invites.list()] == ["used", "unused"]


def test_registration_without_an_invite_is_refused_and_says_how_to_get_one(
    lms: SandboxLms, tool: RunningTool
) -> None:
    token = lms.registration_token()
    query = urlencode(
        {
            "openid_configuration": token["openid_configuration"],
            "registration_token": token["token"],
        }
    )
    for url in (f"{tool.url}/lti/register?{query}", f"{tool.url}/lti/register/made-up?{query}"):
        page = SandboxBrowser().get(url)
        assert page.status_code == 403, page.text
        assert "assessment-bridge platform registration-url" in page.text
    assert tool.platforms.find_platforms(lms.issuer) == []
    fetched = lms.stats()["requests"]
    assert "GET /.well-known/openid-configuration" not in fetched
    assert "POST /register" not in fetched


def test_registration_without_configuration_is_a_clear_400(tool: RunningTool) -> None:
    invite = services(tool.app).invites.mint()
    page = SandboxBrowser().get(invite.url)
    assert page.status_code == 400 and "lacks openid_configuration" in page.text
    assert [i.state for i in services(tool.app).invites.list()] == ["unused"]


def test_platform_key_rotation_mid_flight(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    assert launch_as(lms, registration, course, course.learner_id).status_code == 200
    lms.rotate_keys()
    # The tool has the old key set cached; the new kid makes it refetch once.
    page = launch_as(lms, registration, course, course.learner_id)
    assert page.status_code == 200, page.text


def test_unknown_deployment_is_recorded_inactive_and_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    other = lms.add_deployment(registration.client_id)
    page = launch_as(lms, registration, course, course.learner_id, deployment_id=other)
    assert page.status_code == 403
    assert "platform deployment add" in page.text and other in page.text
    record = tool.platforms.find_platforms(lms.issuer)[0]
    assert tool.platforms.deployment_status(record, other) is DeploymentStatus.INACTIVE
    with services(tool.app).sessions() as session:
        assert session.scalar(select(func.count(LtiUser.id))) == 0

    tool.platforms.add_deployment(lms.issuer, registration.client_id, other)
    assert (
        launch_as(lms, registration, course, course.learner_id, deployment_id=other).status_code
        == 200
    )


def test_unknown_platform_login_is_refused(
    lms: SandboxLms, tool: RunningTool, course: SandboxCourse
) -> None:
    page = SandboxBrowser().post(
        f"{tool.url}/lti/login",
        data={
            "iss": "https://unknown.example",
            "login_hint": "x",
            "target_link_uri": f"{tool.url}/lti/launch",
        },
    )
    assert page.status_code == 403 and "platform add" in page.text


def test_login_to_a_foreign_target_is_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration
) -> None:
    page = SandboxBrowser().post(
        f"{tool.url}/lti/login",
        data={
            "iss": lms.issuer,
            "login_hint": "x",
            "client_id": registration.client_id,
            "target_link_uri": "https://evil.example/steal",
        },
    )
    assert page.status_code == 400 and "another site" in page.text


def test_canvas_deployment_id_login_parameter_is_accepted(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
    )
    initiation = prepared["login_initiation"]
    params = dict(initiation["params"])
    params["deployment_id"] = params.pop("lti_deployment_id")
    page = SandboxBrowser().run_launch({**initiation, "params": params, "method": "GET"})
    assert page.status_code == 200, page.text


def test_static_configuration_page(tool: RunningTool) -> None:
    browser = SandboxBrowser()
    html = browser.get(f"{tool.url}/lti/config")
    assert html.status_code == 200 and f"{tool.url}/lti/jwks" in html.text
    assert "assessment-bridge platform registration-url" in html.text
    data = browser.get(f"{tool.url}/lti/config", headers={"Accept": "application/json"}).json()
    assert "dynamic_registration_url" not in data
    assert data["redirect_uris"] == [f"{tool.url}/lti/launch"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem" in data["scopes"]
