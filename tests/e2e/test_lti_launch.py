"""Full LTI 1.3 round trips against the strict sandbox LMS over real HTTP."""

from __future__ import annotations

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
    token = lms.registration_token()
    query = urlencode(
        {
            "openid_configuration": token["openid_configuration"],
            "registration_token": token["token"],
        }
    )
    page = SandboxBrowser().get(f"{tool.url}/lti/register?{query}")
    assert page.status_code == 200, page.text
    assert "org.imsglobal.lti.close" in page.text
    platforms = tool.platforms.find_platforms(lms.issuer)
    assert len(platforms) == 1
    info = tool.platforms.get(lms.issuer)
    assert info.registered_via == "dynamic" and len(info.deployments) == 1
    registered = lms.tool(platforms[0].client_id)
    assert registered["jwks_uri"] == f"{tool.url}/lti/jwks"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in registered["scopes"]

    registration = Registration(
        platforms[0].client_id, info.deployments[0].deployment_id, lms.issuer
    )
    course = lms.create_course()
    page = launch_as(lms, registration, course, course.learner_id)
    assert page.status_code == 200 and 'data-role="learner"' in page.text


def test_dynamic_registration_token_cannot_be_reused(lms: SandboxLms, tool: RunningTool) -> None:
    token = lms.registration_token()
    query = urlencode(
        {
            "openid_configuration": token["openid_configuration"],
            "registration_token": token["token"],
        }
    )
    assert SandboxBrowser().get(f"{tool.url}/lti/register?{query}").status_code == 200
    again = SandboxBrowser().get(
        f"{tool.url}/lti/register?{query}", headers={"Accept": "application/json"}
    )
    assert again.status_code == 400
    assert again.json()["error"] == "registration_failed"
    assert "refused the registration" in again.json()["message"]
    assert len(tool.platforms.find_platforms(lms.issuer)) == 1


def test_registration_without_configuration_is_a_clear_400(tool: RunningTool) -> None:
    page = SandboxBrowser().get(f"{tool.url}/lti/register")
    assert page.status_code == 400 and "openid_configuration is missing" in page.text


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
    data = browser.get(f"{tool.url}/lti/config", headers={"Accept": "application/json"}).json()
    assert data["redirect_uris"] == [f"{tool.url}/lti/launch"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem" in data["scopes"]
