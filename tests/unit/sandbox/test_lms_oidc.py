from __future__ import annotations

import time
import typing as t

import jwt
import pytest
import requests

from plugin.sandbox.browser import parse_forms
from plugin.sandbox.lms import SandboxLmsError
from tests.unit.sandbox.tooldouble import authorization_request

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from tests.unit.sandbox.tooldouble import ToolDouble

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"

LaunchFor = t.Callable[..., dict[str, t.Any]]
IssueIdToken = t.Callable[..., dict[str, str]]


def verify(lms: SandboxLms, token: str, audience: str) -> dict[str, t.Any]:
    """Verify an id_token against the published JWKS, as a tool would."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(jwt.PyJWK(k).key for k in lms.jwks()["keys"] if k["kid"] == kid)
    claims: dict[str, t.Any] = jwt.decode(
        token, key, algorithms=["RS256"], audience=audience, issuer=lms.url
    )
    return claims


def test_learner_launch_carries_every_lti_claim(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    launch_for: LaunchFor,
    issue_id_token: IssueIdToken,
) -> None:
    launch = launch_for(custom={"attempt": "1"})
    fields = issue_id_token(launch)

    assert fields["_action"] == tool.url + "/launch"
    assert fields["state"] == fields["_state"]
    claims = verify(lms, fields["id_token"], registration["client_id"])
    now = time.time()
    assert claims["azp"] == registration["client_id"]
    assert claims["sub"] == course.learner_id
    assert claims["nonce"] == fields["_nonce"]
    assert now - 60 <= claims["iat"] <= now + 1
    assert claims["exp"] == claims["iat"] + 300
    assert claims["name"] == "Lea Learner"
    assert (claims["given_name"], claims["family_name"]) == ("Lea", "Learner")
    assert claims["email"]
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == registration["deployment_id"]
    assert claims[LTI + "target_link_uri"] == tool.url + "/launch"
    assert claims[LTI + "resource_link"] == {"id": course.resource_link_id, "title": "Assessment"}
    assert claims[LTI + "roles"] == [LEARNER]
    assert claims[LTI + "context"]["id"] == course.context_id
    assert claims[LTI + "tool_platform"]["product_family_code"] == "assessment-bridge-sandbox"
    assert claims[LTI + "launch_presentation"]["return_url"] == lms.url + "/launch_return"
    assert claims[LTI + "custom"] == {"attempt": "1"}
    context_url = f"{lms.url}/api/contexts/{course.context_id}"
    assert claims[AGS]["lineitems"] == context_url + "/lineitems"
    assert claims[AGS]["lineitem"] == f"{context_url}/lineitems/{course.line_item_id}"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in claims[AGS]["scope"]
    assert claims[NRPS] == {
        "context_memberships_url": context_url + "/memberships",
        "service_versions": ["2.0"],
    }
    assert DL_SETTINGS not in claims


def test_instructor_launch_uses_the_enrolment_roles(
    lms: SandboxLms,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    launch_for: LaunchFor,
    issue_id_token: IssueIdToken,
) -> None:
    token = issue_id_token(launch_for(user_id=course.instructor_id))["id_token"]
    claims = verify(lms, token, registration["client_id"])
    assert claims["sub"] == course.instructor_id
    assert claims[LTI + "roles"] == [INSTRUCTOR]


def test_services_the_tool_was_not_granted_are_not_advertised(
    lms: SandboxLms, tool: ToolDouble, course: SandboxCourse
) -> None:
    score_only = lms.register_tool(
        **tool.manual_registration(scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score"])
    )
    launch = lms.launch(
        client_id=score_only["client_id"],
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
    )
    params = authorization_request(launch["login_initiation"], tool.url + "/launch")
    page = requests.post(lms.url + "/auth", data=params, timeout=10)
    token = dict(parse_forms(page.text)[0][0].fields)["id_token"]
    claims = verify(lms, token, score_only["client_id"])
    assert claims[AGS]["scope"] == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    assert NRPS not in claims


def test_deep_linking_request_carries_settings(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    launch_for: LaunchFor,
    issue_id_token: IssueIdToken,
) -> None:
    launch = launch_for(message_type="LtiDeepLinkingRequest", resource_link_id=None)
    assert launch["login_initiation"]["params"]["target_link_uri"] == tool.url + "/launch?deep=1"
    claims = verify(lms, issue_id_token(launch)["id_token"], registration["client_id"])
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    assert LTI + "resource_link" not in claims
    settings = claims[DL_SETTINGS]
    assert settings["deep_link_return_url"] == lms.url + "/deep_link_return"
    assert "ltiResourceLink" in settings["accept_types"]
    assert settings["accept_presentation_document_targets"]
    assert settings["accept_multiple"] is True
    assert settings["data"]


def test_login_initiation_names_the_launch(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], launch_for: LaunchFor
) -> None:
    launch = launch_for()
    initiation = launch["login_initiation"]
    assert initiation["url"] == tool.url + "/login"
    assert initiation["method"] == "POST"
    params = initiation["params"]
    assert params["iss"] == lms.url
    assert params["client_id"] == registration["client_id"]
    assert params["lti_deployment_id"] == registration["deployment_id"]
    assert params["lti_message_hint"] == launch["launch_id"]
    assert params["login_hint"]

    start = requests.get(launch["start_url"], timeout=10)
    forms, _ = parse_forms(start.text)
    assert forms[0].autosubmit
    assert forms[0].action == tool.url + "/login"
    assert dict(forms[0].fields) == params


def test_authorization_endpoint_accepts_get(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], launch_for: LaunchFor
) -> None:
    params = authorization_request(launch_for()["login_initiation"], tool.url + "/launch")
    response = requests.get(lms.url + "/auth", params=params, timeout=10)
    assert response.status_code == 200
    assert "id_token" in dict(parse_forms(response.text)[0][0].fields)


FAILING_CHECKS = {
    "scope": {"scope": "profile"},
    "response_type": {"response_type": "code"},
    "response_mode": {"response_mode": "query"},
    "prompt": {"prompt": "login"},
    "client_id": {"client_id": "unknown-client"},
    "redirect_uri": {"redirect_uri": "http://127.0.0.1:9/elsewhere"},
    "lti_message_hint": {"lti_message_hint": "launch-unknown"},
    "login_hint": {"login_hint": "someone-else"},
    "nonce": {"nonce": ""},
    "state": {"state": ""},
}


@pytest.mark.parametrize("check", FAILING_CHECKS)
def test_each_failing_check_is_named(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    launch_for: LaunchFor,
    check: str,
) -> None:
    params = authorization_request(
        launch_for()["login_initiation"], tool.url + "/launch", **FAILING_CHECKS[check]
    )
    response = requests.post(lms.url + "/auth", data=params, timeout=10)
    assert response.status_code == 400
    assert response.headers["X-Sandbox-Failed-Check"] == check
    assert f"<code>{check}</code>" in response.text
    assert "<form" not in response.text


def test_a_launch_belongs_to_its_client(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], launch_for: LaunchFor
) -> None:
    other = lms.register_tool(**tool.manual_registration())
    params = authorization_request(
        launch_for()["login_initiation"], tool.url + "/launch", client_id=other["client_id"]
    )
    response = requests.post(lms.url + "/auth", data=params, timeout=10)
    assert response.headers["X-Sandbox-Failed-Check"] == "lti_message_hint"


BAD_LAUNCHES = {
    "no_resource_link": {"resource_link_id": None},
    "unknown_resource_link": {"resource_link_id": "rl-nope"},
    "unknown_message_type": {"message_type": "LtiSubmissionReviewRequest"},
    "unknown_tamper": {"tamper": "sprinkle_salt"},
    "foreign_deployment": {"deployment_id": "dep-not-this-tools"},
    "unknown_user": {"user_id": "user-nope"},
}


@pytest.mark.parametrize("fields", BAD_LAUNCHES.values(), ids=BAD_LAUNCHES.keys())
def test_control_api_refuses_bad_launches(launch_for: LaunchFor, fields: dict[str, t.Any]) -> None:
    with pytest.raises(SandboxLmsError) as refused:
        launch_for(**fields)
    assert refused.value.status in (400, 404)


def test_unenrolled_users_need_explicit_roles(
    lms: SandboxLms,
    launch_for: LaunchFor,
    issue_id_token: IssueIdToken,
    registration: dict[str, t.Any],
) -> None:
    guest = lms.add_user("Gus Guest")
    with pytest.raises(SandboxLmsError):
        launch_for(user_id=guest["id"])
    token = issue_id_token(launch_for(user_id=guest["id"], roles=["Mentor"]))["id_token"]
    roles = verify(lms, token, registration["client_id"])[LTI + "roles"]
    assert roles == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]
