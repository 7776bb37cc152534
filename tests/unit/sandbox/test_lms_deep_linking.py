from __future__ import annotations

import secrets
import time
import typing as t

import jwt
import pytest
import requests

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.lms.keys import SigningKey
    from tests.unit.sandbox.tooldouble import ToolDouble

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"

LINK_ITEM = {
    "type": "ltiResourceLink",
    "title": "Final exam",
    "url": "http://127.0.0.1:9/launch?test=final",
    "custom": {"vendor_test": "t-42"},
    "lineItem": {"scoreMaximum": 80, "tag": "exam"},
}


@pytest.fixture
def data(
    launch_for: t.Callable[..., dict[str, t.Any]],
    issue_id_token: t.Callable[..., dict[str, str]],
) -> str:
    """The ``data`` of a deep-linking request sent to the tool."""
    launch = launch_for(message_type="LtiDeepLinkingRequest", resource_link_id=None)
    token = issue_id_token(launch)["id_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    return str(claims[DL + "deep_linking_settings"]["data"])


def _response_claims(
    lms: SandboxLms, registration: dict[str, t.Any], data: str, **overrides: t.Any
) -> dict[str, t.Any]:
    now = int(time.time())
    claims = {
        "iss": registration["client_id"],
        "aud": lms.url,
        "iat": now,
        "exp": now + 300,
        "nonce": secrets.token_hex(8),
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": registration["deployment_id"],
        DL + "data": data,
        DL + "content_items": [LINK_ITEM, {"type": "link", "url": "https://example.com/help"}],
        **overrides,
    }
    return {k: v for k, v in claims.items() if v is not None}


def _post(lms: SandboxLms, token: str) -> requests.Response:
    return requests.post(lms.url + "/deep_link_return", data={"JWT": token}, timeout=10)


def test_content_items_become_resource_links_with_line_items(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    data: str,
) -> None:
    response = _post(lms, tool.sign(_response_claims(lms, registration, data)))

    assert response.status_code == 200, response.text
    assert "Final exam" in response.text
    context = lms.context(course.context_id)
    link = next(rl for rl in context["resource_links"] if rl["title"] == "Final exam")
    assert link["custom"] == {"vendor_test": "t-42"}
    assert link["url"] == LINK_ITEM["url"]
    assert [c["item"]["type"] for c in context["content_items"]] == ["ltiResourceLink", "link"]
    items = lms.gradebook(course.context_id)["line_items"]
    exam = next(i for i in items if i["id"].endswith("/" + link["line_item_id"]))
    assert (exam["label"], exam["scoreMaximum"], exam["tag"]) == ("Final exam", 80, "exam")
    assert exam["resourceLinkId"] == link["id"]


def test_new_link_launches_at_its_url(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    data: str,
) -> None:
    _post(lms, tool.sign(_response_claims(lms, registration, data)))
    link = next(
        rl for rl in lms.context(course.context_id)["resource_links"] if rl["title"] == "Final exam"
    )
    launch = lms.launch(
        client_id=registration["client_id"],
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=link["id"],
    )
    assert launch["login_initiation"]["params"]["target_link_uri"] == LINK_ITEM["url"]


def test_a_response_cannot_be_replayed(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], data: str
) -> None:
    token = tool.sign(_response_claims(lms, registration, data))
    assert _post(lms, token).status_code == 200
    replay = _post(lms, token)
    assert replay.status_code == 400
    assert replay.headers["X-Sandbox-Failed-Check"] == "nonce"
    fresh_nonce = tool.sign(_response_claims(lms, registration, data))
    assert _post(lms, fresh_nonce).headers["X-Sandbox-Failed-Check"] == "data"


BAD_CLAIMS: dict[str, dict[str, t.Any]] = {
    "aud": {"aud": "https://other-lms.example"},
    "exp": {"iat": int(time.time()) - 900, "exp": int(time.time()) - 600},
    "iss": {"iss": "not-a-client"},
    "claims": {"nonce": None},
    "message_type": {LTI + "message_type": "LtiDeepLinkingRequest"},
    "version": {LTI + "version": "1.1"},
    "deployment_id": {LTI + "deployment_id": "dep-unknown"},
    "data": {DL + "data": "forged"},
    "content_items": {DL + "content_items": [{"type": "html", "html": "<p>"}]},
}


@pytest.mark.parametrize("check", BAD_CLAIMS)
def test_bad_responses_name_the_failed_check(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], data: str, check: str
) -> None:
    claims = _response_claims(lms, registration, data, **BAD_CLAIMS[check])
    response = _post(lms, tool.sign(claims))
    assert response.status_code == 400
    assert response.headers["X-Sandbox-Failed-Check"] == check


def test_unknown_tool_key_is_refused(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    data: str,
    tool_keys: list[SigningKey],
) -> None:
    token = tool.sign(_response_claims(lms, registration, data), key=tool_keys[1])
    assert _post(lms, token).headers["X-Sandbox-Failed-Check"] == "kid"


def test_missing_jwt_field_is_refused(lms: SandboxLms) -> None:
    response = requests.post(lms.url + "/deep_link_return", data={"jwt": "x"}, timeout=10)
    assert response.headers["X-Sandbox-Failed-Check"] == "JWT"


def test_a_bad_line_item_stores_nothing(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    data: str,
) -> None:
    bad_item = {**LINK_ITEM, "lineItem": {"scoreMaximum": -5}}
    items = [{"type": "link", "url": "https://example.com/a"}, bad_item]
    claims = _response_claims(lms, registration, data, **{DL + "content_items": items})
    assert _post(lms, tool.sign(claims)).headers["X-Sandbox-Failed-Check"] == "content_items"
    assert lms.context(course.context_id)["content_items"] == []
    good = tool.sign(_response_claims(lms, registration, data))
    assert _post(lms, good).status_code == 200
