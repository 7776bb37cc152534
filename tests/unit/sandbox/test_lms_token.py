from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import typing as t

import jwt
import pytest
import requests

from tests.unit.sandbox.tooldouble import SCOPE_ALL

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.lms.keys import SigningKey
    from tests.unit.sandbox.tooldouble import ToolDouble

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


def _refused(response: requests.Response, error: str, check: str | None = None) -> None:
    assert response.status_code == (401 if error == "invalid_client" else 400), response.text
    body = response.json()
    assert body["error"] == error
    if check is not None:
        assert body["error_description"].startswith(check + ":")


def test_good_assertion_gets_a_token_with_the_requested_scopes(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]
) -> None:
    response = tool.request_token(lms.url, scope=f"{SCORE} {LINEITEM}")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {SCORE, LINEITEM}
    assert body["access_token"]
    stats = lms.stats()
    assert stats["token_requests"] == {registration["client_id"]: 1}
    assert stats["tokens_issued"] == {registration["client_id"]: 1}


def test_issuer_is_an_accepted_audience(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]
) -> None:
    assertion = tool.sign(tool.assertion_claims(lms.url))
    assert tool.request_token(lms.url, assertion=assertion).status_code == 200


def test_reused_jti_is_refused(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]
) -> None:
    assertion = tool.sign(tool.assertion_claims(lms.url + "/token"))
    assert tool.request_token(lms.url, assertion=assertion).status_code == 200
    _refused(tool.request_token(lms.url, assertion=assertion), "invalid_client", "jti")


CLAIM_ATTACKS = {
    "wrong_aud": ({"aud": "https://other.example/token"}, "aud"),
    "expired": ({"iat": int(time.time()) - 900, "exp": int(time.time()) - 600}, "exp"),
    "future_iat": ({"iat": int(time.time()) + 900, "exp": int(time.time()) + 1200}, "iat"),
    "sub_differs": ({"sub": "someone-else"}, "sub"),
    "unknown_iss": ({"iss": "not-a-client", "sub": "not-a-client"}, "iss"),
    "no_jti": ({"jti": None}, "claims"),
}


@pytest.mark.parametrize("overrides, check", CLAIM_ATTACKS.values(), ids=CLAIM_ATTACKS.keys())
def test_bad_assertion_claims_are_refused(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    overrides: dict[str, t.Any],
    check: str,
) -> None:
    claims = tool.assertion_claims(lms.url + "/token", **overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    _refused(tool.request_token(lms.url, assertion=tool.sign(claims)), "invalid_client", check)


def test_unknown_kid_is_refused_after_one_refetch(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    tool_keys: list[SigningKey],
) -> None:
    assert tool.request_token(lms.url).status_code == 200
    assert tool.jwks_fetches == 1
    stranger = tool.sign(tool.assertion_claims(lms.url + "/token"), key=tool_keys[1])
    _refused(tool.request_token(lms.url, assertion=stranger), "invalid_client", "kid")
    assert tool.jwks_fetches == 2


def test_a_rotated_tool_key_is_picked_up(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    tool_keys: list[SigningKey],
) -> None:
    assert tool.request_token(lms.url).status_code == 200
    tool.keys.append(tool_keys[1])
    assert tool.request_token(lms.url).status_code == 200
    assert tool.request_token(lms.url).status_code == 200
    assert tool.jwks_fetches == 2


def test_missing_kid_is_refused(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]
) -> None:
    claims = tool.assertion_claims(lms.url + "/token")
    assertion = jwt.encode(claims, tool.key.private_key, algorithm="RS256")
    _refused(tool.request_token(lms.url, assertion=assertion), "invalid_client", "kid")


def _hs256(claims: dict[str, t.Any], secret: bytes, kid: str) -> str:
    def part(data: dict[str, t.Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{part(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_hs256_assertion_is_refused(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]
) -> None:
    claims = tool.assertion_claims(lms.url + "/token")
    forged = _hs256(claims, tool.key.public_pem, tool.key.kid)
    _refused(tool.request_token(lms.url, assertion=forged), "invalid_client", "alg")


def test_tampered_signature_is_refused(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]
) -> None:
    assertion = tool.sign(tool.assertion_claims(lms.url + "/token"))
    head, body, signature = assertion.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    forged = f"{head}.{body}.{flipped}"
    _refused(tool.request_token(lms.url, assertion=forged), "invalid_client", "signature")


def test_only_registered_scopes_are_granted(lms: SandboxLms, tool: ToolDouble) -> None:
    tool.client_id = lms.register_tool(**tool.manual_registration(scopes=[SCORE]))["client_id"]
    _refused(tool.request_token(lms.url, scope=LINEITEM), "invalid_scope")
    mixed = tool.request_token(lms.url, scope=SCOPE_ALL)
    assert mixed.status_code == 200
    assert mixed.json()["scope"] == SCORE


def test_form_errors_follow_rfc_6749(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]
) -> None:
    form = {
        "grant_type": "password",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": tool.sign(tool.assertion_claims(lms.url + "/token")),
        "scope": SCORE,
    }
    _refused(requests.post(lms.url + "/token", data=form, timeout=10), "unsupported_grant_type")
    form["grant_type"] = "client_credentials"
    form["client_assertion_type"] = "urn:example:secret"
    _refused(requests.post(lms.url + "/token", data=form, timeout=10), "invalid_request")
    form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    form["client_assertion"] = "not-a-jwt"
    _refused(requests.post(lms.url + "/token", data=form, timeout=10), "invalid_client", "format")
