"""``secrets rotate``: every stored secret re-encrypted with the first key, so the old key
can be dropped."""

from __future__ import annotations

import datetime as dt
import json
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import LargeBinary
from sqlalchemy import select
from sqlalchemy import update

from plugin.cli import main
from plugin.runtime.crypto import SecretBox
from plugin.runtime.rotation import SEALED_COLUMNS
from plugin.runtime.rotation import RotationError
from plugin.runtime.rotation import rotate_secrets
from plugin.runtime.tokens import token_digest
from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import Base
from plugin.store.models import Deployment
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import Platform
from plugin.store.models import ResourceLink
from plugin.store.models import ToolKey
from plugin.store.models import VendorConnection

RAW = {"score": 7, "candidate": "ada@example.edu"}


@pytest.fixture
def new_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def cli(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    def invoke(keys: str, *args: str) -> Result:
        env = {**base_settings, "BRIDGE_SECRET_KEYS": keys}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def store_secrets(app: Flask) -> int:
    """A vendor and an ATS connection, and an attempt with its player settings and result,
    all sealed with the app's keys; returns the attempt's id."""
    registry = services(app)
    registry.vendor_connections.add(
        "mettl", "mettl-prod", {"public_key": "pub", "private_key": "me-secret"}
    )
    registry.ats_connections.add(
        "webhook", "hook", {"url": "https://ats.example.com/hook", "secret": "s" * 20}
    )
    box = registry.secrets
    with registry.sessions.begin() as session:
        connection = session.scalar(select(VendorConnection))
        assert connection is not None
        platform = Platform(
            issuer="https://lms.example",
            client_id="c",
            auth_login_url="https://lms.example/login",
            auth_token_url="https://lms.example/token",
            key_set_url="https://lms.example/jwks",
        )
        session.add(platform)
        session.flush()
        deployment = Deployment(platform_id=platform.id, deployment_id="d1")
        user = LtiUser(platform_id=platform.id, subject="u1", email="ada@example.edu")
        context = LtiContext(platform_id=platform.id, context_id="course")
        session.add_all([deployment, user, context])
        session.flush()
        link = ResourceLink(
            context_id=context.id, deployment_id=deployment.id, resource_link_id="l"
        )
        assessment = Assessment(connection_id=connection.id, test_id="t1")
        session.add_all([link, assessment])
        session.flush()
        attempt = Attempt(
            token_hash=token_digest("attempt-token"),
            token_encrypted=box.encrypt(b"attempt-token"),
            embed_encrypted=box.encrypt(b'{"event_url": "https://bridge/e"}'),
            assessment_id=assessment.id,
            lti_user_id=user.id,
            resource_link_id=link.id,
        )
        session.add(attempt)
        session.flush()
        session.add(
            AttemptResult(
                attempt_id=attempt.id,
                digest="0" * 64,
                status="final",
                raw_encrypted=box.encrypt(json.dumps(RAW).encode()),
                canonical_json="{}",
            )
        )
        return attempt.id


def test_every_encrypted_column_is_rotated() -> None:
    binary = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }
    listed = {(model.__tablename__, name) for model, names in SEALED_COLUMNS for name in names}
    assert listed == binary
    assert SEALED_COLUMNS[-1][0].__tablename__ == "key_canary"


def test_after_a_rotation_the_old_key_can_be_dropped(
    app: Flask,
    make_app: t.Callable[..., Flask],
    cli: t.Callable[..., Result],
    secret_keys: str,
    new_key: str,
) -> None:
    attempt_id = store_secrets(app)

    rotated = cli(f"{new_key},{secret_keys}", "secrets", "rotate", "--json")
    assert rotated.exit_code == 0, rotated.output
    assert json.loads(rotated.stdout) == {
        "reencrypted": {
            "tool_keys": 1,
            "vendor_connections": 3,
            "ats_connections": 1,
            "attempts": 2,
            "attempt_results": 1,
            "key_canary": 1,
        }
    }
    again = cli(f"{new_key},{secret_keys}", "secrets", "rotate", "--json")
    assert set(json.loads(again.stdout)["reencrypted"].values()) == {0}

    listed = cli(new_key, "vendor", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert [c["name"] for c in json.loads(listed.stdout)] == ["mettl-prod"]
    assert cli(new_key, "ats", "list").exit_code == 0
    new_only = make_app(BRIDGE_SECRET_KEYS=new_key)
    registry = services(new_only)
    assert registry.keys.signing_key().private_key.key_size >= 2048
    with registry.sessions() as session:
        result = session.get(AttemptResult, attempt_id)
        attempt = session.get(Attempt, attempt_id)
        assert result is not None and attempt is not None
        assert json.loads(registry.secrets.decrypt(result.raw_encrypted)) == RAW
        assert registry.secrets.decrypt(attempt.token_encrypted) == b"attempt-token"


def test_the_text_output_counts_per_table(
    app: Flask, cli: t.Callable[..., Result], secret_keys: str, new_key: str
) -> None:
    rotated = cli(f"{new_key},{secret_keys}", "secrets", "rotate")
    assert rotated.exit_code == 0, rotated.output
    lines = rotated.stdout.splitlines()
    assert lines[0].split() == ["table", "re-encrypted"]
    assert lines[1].split() == ["tool_keys", "1"]
    assert "can be dropped" in lines[-1]


def test_a_value_no_key_opens_is_named_and_its_batch_left_as_it_was(
    app: Flask, cli: t.Callable[..., Result], secret_keys: str, new_key: str
) -> None:
    registry = services(app)
    for _ in range(3):
        registry.keys.rotate(overlap=dt.timedelta(0))
    with registry.sessions.begin() as session:
        ids = list(session.scalars(select(ToolKey.id).order_by(ToolKey.id)))
        assert len(ids) == 4
        unreadable = Fernet(Fernet.generate_key()).encrypt(b"lost")
        session.execute(
            update(ToolKey).where(ToolKey.id == ids[-1]).values(private_key_encrypted=unreadable)
        )

    box = SecretBox((new_key, secret_keys))
    with pytest.raises(RotationError, match=rf"^tool_keys row {ids[-1]}: private_key_encrypted"):
        rotate_secrets(registry.engine, box, batch_size=2)
    with registry.sessions() as session:
        rows = session.execute(select(ToolKey.id, ToolKey.private_key_encrypted)).all()
    stored = {key: sealed for key, sealed in rows}
    new_only = SecretBox((new_key,))
    assert [new_only.is_current(stored[key]) for key in ids] == [True, True, False, False]
    assert stored[ids[-1]] == unreadable

    refused = cli(f"{new_key},{secret_keys}", "secrets", "rotate")
    assert refused.exit_code == 1
    assert f"tool_keys row {ids[-1]}" in refused.stderr and "Traceback" not in refused.output
