from __future__ import annotations

import typing as t

import jwt
import requests

from plugin.sandbox.lms import create_lms_app
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxLms


def test_openid_configuration_names_every_endpoint(lms: SandboxLms) -> None:
    config = lms.openid_configuration()
    assert config["issuer"] == lms.url
    assert config["authorization_endpoint"] == lms.url + "/auth"
    assert config["token_endpoint"] == lms.url + "/token"
    assert config["jwks_uri"] == lms.url + "/jwks"
    assert config["registration_endpoint"] == lms.url + "/register"
    assert config["response_types_supported"] == ["id_token"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert config["token_endpoint_auth_signing_alg_values_supported"] == ["RS256"]
    assert "openid" in config["scopes_supported"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes_supported"]
    assert {"sub", "iss", "name", "email"} <= set(config["claims_supported"])
    platform = config["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert platform["product_family_code"] == "assessment-bridge-sandbox"
    assert platform["version"]
    assert [m["type"] for m in platform["messages_supported"]] == [
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    ]


def test_configured_base_url_is_the_issuer() -> None:
    app = create_lms_app(base_url="https://lms.example.edu/")
    with serve_app(app) as served:
        config = requests.get(served.url + "/.well-known/openid-configuration", timeout=5).json()
    assert config["issuer"] == "https://lms.example.edu"
    assert config["token_endpoint"] == "https://lms.example.edu/token"


def test_jwks_publishes_one_rsa_signing_key(lms: SandboxLms) -> None:
    keys = lms.jwks()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert {k: key[k] for k in ("kty", "alg", "use")} == {
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
    }
    assert key["kid"]
    assert key["e"] == "AQAB"
    assert "d" not in key
    assert len(jwt.utils.base64url_decode(key["n"])) == 256


def test_rotation_keeps_the_old_key_until_retired(
    lms: SandboxLms,
    launch_for: t.Callable[..., dict[str, t.Any]],
    issue_id_token: t.Callable[..., dict[str, str]],
) -> None:
    old_kid = lms.jwks()["keys"][0]["kid"]
    rotated = lms.rotate_keys()
    assert rotated["kid"] != old_kid
    assert [k["kid"] for k in lms.jwks()["keys"]] == [old_kid, rotated["kid"]]
    token = issue_id_token(launch_for())["id_token"]
    assert jwt.get_unverified_header(token)["kid"] == rotated["kid"]

    retired = lms.retire_keys()
    assert retired == {"retired": [old_kid], "kid": rotated["kid"]}
    assert [k["kid"] for k in lms.jwks()["keys"]] == [rotated["kid"]]
