"""A start checks that its keys open the stored secrets before it changes anything."""

from __future__ import annotations

import typing as t

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from plugin import create_app
from plugin.runtime.bootstrap import bootstrap
from plugin.runtime.crypto import SecretBox
from plugin.runtime.crypto import SecretError
from plugin.runtime.key_check import WrongKeysError
from plugin.services import services
from plugin.store import migrate
from plugin.store.models import KeyCanary
from plugin.store.models import ToolKey

#: The last revision before the key canary's table.
BEFORE_CANARY = "0005"


@pytest.fixture
def other_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def unprepared_app(base_settings: dict[str, str]) -> t.Iterator[t.Callable[..., Flask]]:
    """An app that was not bootstrapped (its start is what the test runs)."""
    built: list[Flask] = []

    def factory(**overrides: str) -> Flask:
        app = create_app({**base_settings, "TESTING": True, **overrides})
        built.append(app)
        return app

    yield factory
    for app in built:
        services(app).engine.dispose()


def canary_of(app: Flask) -> bytes:
    with services(app).sessions() as session:
        sealed = session.scalar(select(KeyCanary.sealed))
    assert sealed is not None
    return sealed


def tool_key_count(app: Flask) -> int:
    with services(app).sessions() as session:
        return session.scalar(select(func.count(ToolKey.id))) or 0


def test_a_start_with_the_key_behind_a_new_one_opens_the_canary(
    app: Flask, make_app: t.Callable[..., Flask], secret_keys: str, other_key: str
) -> None:
    SecretBox((secret_keys,)).decrypt(canary_of(app))
    rotated = make_app(BRIDGE_SECRET_KEYS=f"{other_key},{secret_keys}")
    assert services(rotated).key_check.status() == "ok"


def test_other_keys_stop_the_start_before_it_changes_anything(
    app: Flask, unprepared_app: t.Callable[..., Flask], other_key: str
) -> None:
    with services(app).sessions.begin() as session:  # a start would make a key that signs
        session.execute(delete(ToolKey))
    wrong = unprepared_app(BRIDGE_SECRET_KEYS=other_key)
    with pytest.raises(WrongKeysError) as refused:
        bootstrap(wrong)
    assert str(refused.value) == (
        "BRIDGE_SECRET_KEYS cannot decrypt this database's secrets (written with another key);"
        " put the key it was written with back in BRIDGE_SECRET_KEYS (the new key first, the"
        " old ones after it)"
    )
    assert tool_key_count(app) == 0


def test_the_message_names_the_key_file_when_the_keys_come_from_it(
    app: Flask, base_settings: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIDGE_SECRET_KEYS", raising=False)
    unset = {name: value for name, value in base_settings.items() if name != "BRIDGE_SECRET_KEYS"}
    wrong = create_app(unset)  # generates a key file: another key than the store's
    try:
        with pytest.raises(WrongKeysError, match=r"the key in .*secret\.key \(BRIDGE_SECRET_KEYS"):
            bootstrap(wrong)
    finally:
        services(wrong).engine.dispose()


def test_a_database_without_a_canary_gets_one_sealed_with_the_key_of_its_oldest_secret(
    app: Flask,
    make_app: t.Callable[..., Flask],
    unprepared_app: t.Callable[..., Flask],
    secret_keys: str,
    other_key: str,
) -> None:
    """As a database of a release before the canary, started with a new key in front."""
    with services(app).sessions.begin() as session:
        session.execute(delete(KeyCanary))
    make_app(BRIDGE_SECRET_KEYS=f"{other_key},{secret_keys}")
    canary = canary_of(app)
    SecretBox((secret_keys,)).decrypt(canary)
    with pytest.raises(SecretError):
        SecretBox((other_key,)).decrypt(canary)
    # Dropping the old key without `secrets rotate` is refused, though the new key is first.
    with pytest.raises(WrongKeysError):
        bootstrap(unprepared_app(BRIDGE_SECRET_KEYS=other_key))


@pytest.mark.empty_database
def test_a_database_of_an_older_schema_is_checked_before_its_upgrade(
    unprepared_app: t.Callable[..., Flask],
    make_app: t.Callable[..., Flask],
    empty_database_url: str,
    secret_keys: str,
    other_key: str,
) -> None:
    old = unprepared_app(BRIDGE_DATABASE_URL=empty_database_url)
    migrate.upgrade(services(old).engine, BEFORE_CANARY)
    services(old).keys.ensure_key()

    with pytest.raises(WrongKeysError):
        bootstrap(
            unprepared_app(BRIDGE_DATABASE_URL=empty_database_url, BRIDGE_SECRET_KEYS=other_key)
        )
    assert migrate.current_revision(services(old).engine) == BEFORE_CANARY

    upgraded = make_app(
        BRIDGE_DATABASE_URL=empty_database_url, BRIDGE_SECRET_KEYS=f"{other_key},{secret_keys}"
    )
    assert migrate.current_revision(services(upgraded).engine) == migrate.head_revision()
    SecretBox((secret_keys,)).decrypt(canary_of(upgraded))


def test_healthz_is_503_when_the_keys_cannot_open_the_canary(
    app: Flask, unprepared_app: t.Callable[..., Flask], other_key: str
) -> None:
    healthy = app.test_client().get("/healthz")
    assert healthy.status_code == 200 and healthy.json["checks"]["keys"] == "ok"
    wrong = unprepared_app(BRIDGE_SECRET_KEYS=other_key)
    answer = wrong.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["status"] == "degraded"
    assert answer.json["checks"]["keys"].startswith("error: ")
    assert answer.json["checks"]["database"] == "ok"
