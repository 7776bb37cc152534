from __future__ import annotations

import copy
import typing as t

import pytest
import requests

from plugin.sandbox.lms import SandboxLmsError

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxLms
    from tests.unit.sandbox.tooldouble import ToolDouble

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _register(lms: SandboxLms, token: str | None, body: t.Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(lms.url + "/register", json=body, headers=headers, timeout=10)


def test_dynamic_registration_creates_a_tool_and_deployment(
    lms: SandboxLms, tool: ToolDouble
) -> None:
    issued = lms.registration_token()
    assert issued["openid_configuration"] == lms.url + "/.well-known/openid-configuration"
    assert issued["registration_url"] == lms.url + "/register"

    metadata = tool.client_metadata()
    response = _register(lms, issued["token"], metadata)

    assert response.status_code == 201
    answer = response.json()
    client_id = answer["client_id"]
    deployment_id = answer[TOOL_CONFIG]["deployment_id"]
    assert answer["redirect_uris"] == metadata["redirect_uris"]
    assert answer["jwks_uri"] == metadata["jwks_uri"]
    assert set(answer["scope"].split()) == set(metadata["scope"].split())
    stored = lms.tool(client_id)
    assert stored["deployment_ids"] == [deployment_id]
    assert stored["initiate_login_uri"] == tool.url + "/login"
    assert stored["deep_link_uri"] == tool.url + "/deep"
    assert stored["registration"] == metadata


def test_registration_grants_only_supported_scopes(lms: SandboxLms, tool: ToolDouble) -> None:
    token = lms.registration_token()["token"]
    metadata = tool.client_metadata(scope=f"{SCORE} https://example.com/scope/everything")
    answer = _register(lms, token, metadata).json()
    assert answer["scope"] == SCORE
    assert lms.tool(answer["client_id"])["scopes"] == [SCORE]


def test_registration_token_is_single_use(lms: SandboxLms, tool: ToolDouble) -> None:
    token = lms.registration_token()["token"]
    assert _register(lms, token, tool.client_metadata()).status_code == 201
    again = _register(lms, token, tool.client_metadata())
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_token"


@pytest.mark.parametrize("token", [None, "made-up-token"])
def test_registration_needs_an_issued_token(
    lms: SandboxLms, tool: ToolDouble, token: str | None
) -> None:
    response = _register(lms, token, tool.client_metadata())
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_expired_registration_token_is_refused(lms: SandboxLms, tool: ToolDouble) -> None:
    token = lms.registration_token(ttl=0)["token"]
    assert _register(lms, token, tool.client_metadata()).status_code == 401


def _drop(key: str) -> t.Callable[[dict[str, t.Any]], None]:
    return lambda body: body.pop(key)


def _set(key: str, value: t.Any) -> t.Callable[[dict[str, t.Any]], None]:
    return lambda body: body.__setitem__(key, value)


def _set_config(key: str, value: t.Any) -> t.Callable[[dict[str, t.Any]], None]:
    return lambda body: body[TOOL_CONFIG].__setitem__(key, value)


BAD_METADATA = {
    "application_type": _set("application_type", "native"),
    "response_types": _set("response_types", ["code"]),
    "grant_types": _set("grant_types", ["implicit"]),
    "initiate_login_uri": _drop("initiate_login_uri"),
    "redirect_uris_empty": _set("redirect_uris", []),
    "redirect_uri_relative": _set("redirect_uris", ["/launch"]),
    "redirect_uri_other_domain": _set("redirect_uris", ["http://evil.example/launch"]),
    "jwks_uri": _drop("jwks_uri"),
    "token_endpoint_auth_method": _set("token_endpoint_auth_method", "client_secret_basic"),
    "scope": _set("scope", ["not", "a", "string"]),
    "tool_configuration": _drop(TOOL_CONFIG),
    "domain": _set_config("domain", ""),
    "domain_malformed": _set_config("domain", "[::1"),
    "target_link_uri": _set_config("target_link_uri", "not a url"),
    "claims": _set_config("claims", "sub"),
    "messages": _set_config("messages", [{"type": "LtiSubmissionReviewRequest"}]),
}


@pytest.mark.parametrize("mutate", BAD_METADATA.values(), ids=BAD_METADATA.keys())
def test_bad_metadata_is_refused_without_spending_the_token(
    lms: SandboxLms, tool: ToolDouble, mutate: t.Callable[[dict[str, t.Any]], None]
) -> None:
    token = lms.registration_token()["token"]
    metadata = copy.deepcopy(tool.client_metadata())
    mutate(metadata)

    response = _register(lms, token, metadata)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert response.json()["error_description"]
    assert _register(lms, token, tool.client_metadata()).status_code == 201


def test_non_json_metadata_is_refused(lms: SandboxLms) -> None:
    token = lms.registration_token()["token"]
    response = _register(lms, token, ["not", "an", "object"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


def test_registration_token_can_carry_the_tool_initiation_url(lms: SandboxLms) -> None:
    issued = lms.registration_token(tool_registration_url="http://127.0.0.1:9/lti/register")
    assert issued["initiation_url"].startswith(
        "http://127.0.0.1:9/lti/register?openid_configuration="
    )
    assert f"registration_token={issued['token']}" in issued["initiation_url"]


def test_manual_registration_answers_what_the_tool_needs(lms: SandboxLms, tool: ToolDouble) -> None:
    answer = lms.register_tool(**tool.manual_registration(scopes=[SCORE]))
    assert answer["issuer"] == lms.url
    assert answer["auth_login_url"] == lms.url + "/auth"
    assert answer["auth_token_url"] == lms.url + "/token"
    assert answer["key_set_url"] == lms.url + "/jwks"
    assert answer["auth_audience"] == lms.url + "/token"
    assert answer["scopes"] == [SCORE]
    stored = lms.tool(answer["client_id"])
    assert stored["deployment_ids"] == [answer["deployment_id"]]
    assert stored["registration"] is None


def test_manual_registration_requires_redirect_uris(lms: SandboxLms, tool: ToolDouble) -> None:
    with pytest.raises(SandboxLmsError) as refused:
        lms.register_tool(**tool.manual_registration(redirect_uris=[]))
    assert refused.value.status == 400


def test_tools_can_be_deployed_again(lms: SandboxLms, registration: dict[str, t.Any]) -> None:
    second = lms.add_deployment(registration["client_id"])
    assert second != registration["deployment_id"]
    assert lms.tool(registration["client_id"])["deployment_ids"] == [
        registration["deployment_id"],
        second,
    ]
