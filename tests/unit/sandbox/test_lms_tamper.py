from __future__ import annotations

import base64
import hashlib
import hmac
import time
import typing as t

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxLms

LTI = "https://purl.imsglobal.org/spec/lti/claim/"

LaunchFor = t.Callable[..., dict[str, t.Any]]
IssueIdToken = t.Callable[..., dict[str, str]]


@pytest.fixture
def tampered(launch_for: LaunchFor, issue_id_token: IssueIdToken) -> t.Callable[..., str]:
    def issue(mode: str | None, **fields: t.Any) -> str:
        return issue_id_token(launch_for(tamper=mode, **fields))["id_token"]

    return issue


def _published_key(lms: SandboxLms, kid: str) -> t.Any:
    return next(jwt.PyJWK(k).key for k in lms.jwks()["keys"] if k["kid"] == kid)


def _verify(lms: SandboxLms, token: str, **options: bool) -> dict[str, t.Any]:
    """Verify the signature with the published key, skipping only the named claim checks."""
    key = _published_key(lms, jwt.get_unverified_header(token)["kid"])
    decoded: dict[str, t.Any] = jwt.decode(
        token, key, algorithms=["RS256"], options=t.cast("t.Any", {"verify_aud": False, **options})
    )
    return decoded


def _payload(token: str) -> dict[str, t.Any]:
    decoded: dict[str, t.Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_bad_signature_keeps_header_and_body_but_fails_verification(
    lms: SandboxLms, tampered: t.Callable[..., str], registration: dict[str, t.Any]
) -> None:
    token = tampered("bad_signature")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert _payload(token)["aud"] == registration["client_id"]
    with pytest.raises(jwt.InvalidSignatureError):
        _verify(lms, token)


def test_alg_none_has_no_signature(lms: SandboxLms, tampered: t.Callable[..., str]) -> None:
    token = tampered("alg_none")
    assert jwt.get_unverified_header(token)["alg"] == "none"
    assert token.endswith(".")
    assert _payload(token)["iss"] == lms.url


def test_hs256_is_keyed_with_the_platform_public_key_pem(
    lms: SandboxLms, tampered: t.Callable[..., str]
) -> None:
    token = tampered("hs256_public_key")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    pem = _published_key(lms, header["kid"]).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input, _, signature = token.rpartition(".")
    expected = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected


def test_wrong_aud_is_validly_signed_for_someone_else(
    lms: SandboxLms, tampered: t.Callable[..., str], registration: dict[str, t.Any]
) -> None:
    claims = _verify(lms, tampered("wrong_aud"))
    assert claims["aud"] != registration["client_id"]


def test_wrong_iss_is_validly_signed_by_this_platform(
    lms: SandboxLms, tampered: t.Callable[..., str]
) -> None:
    assert _verify(lms, tampered("wrong_iss"))["iss"] != lms.url


def test_expired_token_is_past_its_exp(lms: SandboxLms, tampered: t.Callable[..., str]) -> None:
    token = tampered("expired")
    with pytest.raises(jwt.ExpiredSignatureError):
        _verify(lms, token)
    assert _verify(lms, token, verify_exp=False)["exp"] < time.time() - 60


def test_unknown_kid_is_signed_by_an_unpublished_key(
    lms: SandboxLms, tampered: t.Callable[..., str]
) -> None:
    kid = jwt.get_unverified_header(tampered("unknown_kid"))["kid"]
    assert kid not in [k["kid"] for k in lms.jwks()["keys"]]


def test_missing_claims_removes_the_required_lti_claims_by_default(
    lms: SandboxLms, tampered: t.Callable[..., str]
) -> None:
    claims = _verify(lms, tampered("missing_claims"))
    for name in ("message_type", "version", "deployment_id"):
        assert LTI + name not in claims
    assert LTI + "roles" in claims


def test_missing_claims_removes_the_listed_claims(
    lms: SandboxLms, tampered: t.Callable[..., str]
) -> None:
    claims = _verify(lms, tampered("missing_claims", remove_claims=["nonce", "roles"]))
    assert "nonce" not in claims
    assert LTI + "roles" not in claims
    assert LTI + "version" in claims


def test_wrong_azp_names_another_party(
    lms: SandboxLms, tampered: t.Callable[..., str], registration: dict[str, t.Any]
) -> None:
    claims = _verify(lms, tampered("wrong_azp"))
    assert claims["aud"] == registration["client_id"]
    assert claims["azp"] != registration["client_id"]


def test_future_iat_is_issued_in_the_future(
    lms: SandboxLms, tampered: t.Callable[..., str]
) -> None:
    token = tampered("future_iat")
    with pytest.raises(jwt.ImmatureSignatureError):
        _verify(lms, token)
    assert _verify(lms, token, verify_iat=False)["iat"] > time.time() + 60


def test_claim_overrides_are_signed_in(lms: SandboxLms, tampered: t.Callable[..., str]) -> None:
    overrides = {LTI + "deployment_id": "dep-unknown", "extra": {"x": 1}}
    claims = _verify(lms, tampered(None, claim_overrides=overrides))
    assert claims[LTI + "deployment_id"] == "dep-unknown"
    assert claims["extra"] == {"x": 1}


def test_untampered_launch_verifies(
    lms: SandboxLms, tampered: t.Callable[..., str], registration: dict[str, t.Any]
) -> None:
    token = tampered(None)
    key = _published_key(lms, jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=registration["client_id"])
    assert claims["iss"] == lms.url
