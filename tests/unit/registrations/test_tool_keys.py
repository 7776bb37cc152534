from __future__ import annotations

import datetime as dt
import logging

import jwt
import pytest
from flask import Flask
from sqlalchemy import select

from lti.interfaces import PlatformRecord
from lti.keys import load_private_pem
from lti.service_token import client_assertion
from plugin.registrations.tool_keys import KeyState
from plugin.registrations.tool_keys import NoSigningKeyError
from plugin.registrations.tool_keys import ToolKeyService
from plugin.services import services
from plugin.store.models import ToolKey
from plugin.store.models import utcnow


def keys(app: Flask) -> ToolKeyService:
    service: ToolKeyService = services(app).keys
    return service


def test_first_run_creates_one_signing_key(app: Flask) -> None:
    listed = keys(app).list_keys()
    assert [k.state for k in listed] == [KeyState.SIGNING]
    assert keys(app).ensure_key() is False


def test_private_key_is_encrypted_at_rest(app: Flask) -> None:
    with services(app).sessions() as session:
        row = session.scalars(select(ToolKey)).one()
    assert b"PRIVATE KEY" not in row.private_key_encrypted
    secrets = services(app).secrets
    load_private_pem(secrets.decrypt(row.private_key_encrypted))


def test_rotation_publishes_before_signing_and_keeps_the_old_key(app: Flask) -> None:
    service = keys(app)
    old = service.signing_key()
    new = service.rotate(overlap=dt.timedelta(hours=1))
    assert new.state is KeyState.NEXT
    assert service.signing_key().kid == old.kid
    published = {k["kid"] for k in service.public_jwks()["keys"]}
    assert published == {old.kid, new.kid}
    states = {k.kid: k.state for k in service.list_keys()}
    assert states == {old.kid: KeyState.SIGNING, new.kid: KeyState.NEXT}
    old_info = service.describe(old.kid)
    assert old_info.retires_at == new.signs_from + dt.timedelta(hours=1)


def test_immediate_rotation_keeps_the_old_key_published(app: Flask) -> None:
    service = keys(app)
    old = service.signing_key()
    new = service.rotate(overlap=dt.timedelta(0), keep_old=dt.timedelta(hours=1))
    assert service.signing_key().kid == new.kid
    states = {k.kid: k.state for k in service.list_keys()}
    assert states == {old.kid: KeyState.PREVIOUS, new.kid: KeyState.SIGNING}
    assert {k["kid"] for k in service.public_jwks()["keys"]} == {old.kid, new.kid}


def test_emergency_rotation_withdraws_the_old_key_at_once(app: Flask) -> None:
    service = keys(app)
    old = service.signing_key()
    new = service.rotate(overlap=dt.timedelta(0), keep_old=dt.timedelta(0))
    assert service.signing_key().kid == new.kid
    assert [k["kid"] for k in service.public_jwks()["keys"]] == [new.kid]
    assert service.describe(old.kid).state is KeyState.RETIRED


def test_signature_verifies_with_the_published_jwk(app: Flask) -> None:
    service = keys(app)
    signing = service.signing_key()
    token = jwt.encode(
        {"sub": "x"}, signing.private_key, algorithm="RS256", headers={"kid": signing.kid}
    )
    jwk = next(k for k in service.public_jwks()["keys"] if k["kid"] == signing.kid)
    public = jwt.PyJWK(jwk).key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"sub": "x"}


def test_loaded_keys_are_cached(app: Flask) -> None:
    service = keys(app)
    assert service.signing_key() is service.signing_key()


def test_retire_refuses_the_only_signing_key(app: Flask) -> None:
    service = keys(app)
    kid = service.signing_key().kid
    with pytest.raises(NoSigningKeyError):
        service.retire(kid)
    with pytest.raises(LookupError):
        service.retire("no-such-kid")


def test_retire_after_rotation_removes_the_old_key(app: Flask) -> None:
    service = keys(app)
    old = service.signing_key().kid
    new = service.rotate(overlap=dt.timedelta(0), keep_old=dt.timedelta(hours=1)).kid
    service.retire(old)
    assert [k["kid"] for k in service.public_jwks()["keys"]] == [new]
    assert service.describe(old).state is KeyState.RETIRED


def later(monkeypatch: pytest.MonkeyPatch, delta: dt.timedelta) -> None:
    """Move the key service's clock ``delta`` ahead of the real one."""
    monkeypatch.setattr("plugin.registrations.tool_keys.utcnow", lambda: utcnow() + delta)


def test_retiring_the_new_signer_while_the_old_key_expires_is_refused(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = keys(app)
    old = service.signing_key().kid
    new = service.rotate(overlap=dt.timedelta(hours=1)).kid
    later(monkeypatch, dt.timedelta(hours=1, minutes=1))
    assert service.signing_key().kid == new
    with pytest.raises(NoSigningKeyError) as refused:
        service.retire(new)
    assert new in str(refused.value) and "keys rotate" in str(refused.value)
    assert service.describe(new).state is KeyState.SIGNING
    service.retire(old)
    assert [k["kid"] for k in service.public_jwks()["keys"]] == [new]


def test_retiring_the_next_key_before_it_signs_is_refused(app: Flask) -> None:
    service = keys(app)
    new = service.rotate(overlap=dt.timedelta(hours=1)).kid
    with pytest.raises(NoSigningKeyError):
        service.retire(new)


def test_a_start_with_only_expired_keys_makes_a_new_signing_key(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = keys(app)
    old = service.signing_key().kid
    with services(app).sessions.begin() as session:
        session.scalars(select(ToolKey)).one().retires_at = utcnow() + dt.timedelta(minutes=5)
    later(monkeypatch, dt.timedelta(minutes=6))
    assert service.public_jwks() == {"keys": []}
    assert service.ensure_key() is True
    assert service.signing_key().kid != old
    assert service.ensure_key() is False


def test_signing_a_client_assertion_logs_the_kid(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    platform = PlatformRecord(
        id=1,
        issuer="https://lms.example",
        client_id="client-1",
        auth_login_url="https://lms.example/login",
        auth_token_url="https://lms.example/token",
        key_set_url="https://lms.example/jwks",
    )
    key = keys(app).signing_key()
    with caplog.at_level(logging.INFO, logger="lti.service_token"):
        client_assertion(platform, key)
    assert any(key.kid in record.getMessage() for record in caplog.records)
    assert key.private_pem not in caplog.text
