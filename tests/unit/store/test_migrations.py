from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text

from plugin.services import services
from plugin.store import migrate
from plugin.store.models import Base


def test_migrations_create_every_table_and_match_the_models(app: Flask) -> None:
    engine = services(app).engine
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_a_no_op(app: Flask) -> None:
    engine = services(app).engine
    revision = migrate.current_revision(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == revision == migrate.head_revision()


NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _seed_0003_delivery(engine: Engine) -> None:
    """A delivery with one try, written as the 0003 schema names them (without the rows
    its attempt hangs off: foreign keys are not checked while seeding)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(
            text(
                "INSERT INTO deliveries (id, attempt_id, target, version, payload_json,"
                " payload_hash, status, attempts, next_try_at, created_at, updated_at)"
                " VALUES (1, :attempt, 'lms', 1, '{}', 'h', 'failed', 1, :now, :now, :now)"
            ),
            {"attempt": 1, "now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO delivery_attempts (id, delivery_id, number, outcome, status_code,"
                " message, started_at, finished_at)"
                " VALUES (7, 1, 1, 'failed', 503, 'HTTP 503', :now, :now)"
            ),
            {"now": NOW},
        )


@pytest.mark.empty_database
def test_renaming_delivery_tries_keeps_every_row(empty_database_url: str) -> None:
    """0004 renames ``delivery_attempts`` and ``deliveries.attempts``; rows written by the
    previous release survive, new ones get ids after them, and the downgrade keeps them."""
    engine = create_engine(empty_database_url)
    try:
        migrate.upgrade(engine, "0003")
        _seed_0003_delivery(engine)
        migrate.upgrade(engine)
        with engine.begin() as connection:
            tries = connection.execute(text("SELECT id, number, message FROM delivery_tries"))
            assert [tuple(row) for row in tries] == [(7, 1, "HTTP 503")]
            assert connection.execute(text("SELECT tries FROM deliveries")).scalar_one() == 1
            connection.execute(
                text(
                    "INSERT INTO delivery_tries (delivery_id, number, outcome, message,"
                    " started_at, finished_at) VALUES (1, 2, 'delivered', '', :now, :now)"
                ),
                {"now": NOW},
            )
            ids = connection.execute(text("SELECT id FROM delivery_tries ORDER BY id")).scalars()
            assert list(ids) == [7, 8]
        command.downgrade(migrate.alembic_config(engine), "0003")
        with engine.connect() as connection:
            count = connection.execute(text("SELECT COUNT(*) FROM delivery_attempts")).scalar()
            assert count == 2
            assert connection.execute(text("SELECT attempts FROM deliveries")).scalar_one() == 1
    finally:
        engine.dispose()


def _seed_0007_attempt(engine: Engine) -> None:
    """A connection, an attempt with player settings, and rows that hang off the attempt,
    as the 0007 schema stores them (tokens in clear)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(
            text(
                "INSERT INTO vendor_connections (id, name, kind, config_encrypted,"
                " callback_token, created_at) VALUES (1, 'v', 'mettl', :config, 'cb-secret', :now)"
            ),
            {"config": b"-", "now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO attempts (id, token, assessment_id, lti_user_id, resource_link_id,"
                " status, embed_json, created_at, updated_at)"
                " VALUES (1, 'attempt-secret', 1, 1, 1, 'started', :embed, :now, :now)"
            ),
            {"embed": '{"event_url": "https://bridge.example/return/attempt-secret"}', "now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO attempt_results (attempt_id, version, digest, status, raw_encrypted,"
                " canonical_json, fetched_at, changed_at)"
                " VALUES (1, 1, 'd', 'completed', :raw, '{}', :now, :now)"
            ),
            {"raw": b"-", "now": NOW},
        )


@pytest.mark.empty_database
def test_sealing_tokens_keeps_every_row_and_leaves_no_token_in_clear(
    empty_database_url: str,
) -> None:
    """0008 replaces clear attempt and callback tokens by their SHA-256 and a sealed copy;
    on SQLite it copies the attempts table, which must not cascade into its results."""
    from plugin.runtime.crypto import SecretBox
    from plugin.runtime.tokens import token_digest
    from plugin.store.db import make_engine

    box = SecretBox((Fernet.generate_key().decode(),))
    engine = make_engine(empty_database_url)
    try:
        migrate.upgrade(engine, "0007")
        seeding = create_engine(empty_database_url)  # no foreign keys checked while seeding
        _seed_0007_attempt(seeding)
        seeding.dispose()
        with pytest.raises(RuntimeError, match="db upgrade"):
            migrate.upgrade(engine)
        migrate.upgrade(engine, secrets=box)
        with engine.connect() as connection:
            attempt = connection.execute(
                text("SELECT token_hash, token_encrypted, embed_encrypted FROM attempts")
            ).one()
            assert attempt.token_hash == token_digest("attempt-secret")
            assert box.decrypt(attempt.token_encrypted) == b"attempt-secret"
            assert b"attempt-secret" in box.decrypt(attempt.embed_encrypted)
            connection_row = connection.execute(
                text(
                    "SELECT callback_token_hash, callback_token_encrypted, browser_token_hash"
                    " FROM vendor_connections"
                )
            ).one()
            assert connection_row.callback_token_hash == token_digest("cb-secret")
            assert box.decrypt(connection_row.callback_token_encrypted) == b"cb-secret"
            assert len(connection_row.browser_token_hash) == 64
            results = connection.execute(text("SELECT COUNT(*) FROM attempt_results")).scalar()
            assert results == 1
            for table in ("attempts", "vendor_connections"):
                for row in connection.execute(text(f"SELECT * FROM {table}")):
                    values = " ".join(str(value) for value in row)
                    assert "attempt-secret" not in values and "cb-secret" not in values
        command.downgrade(migrate.alembic_config(engine, box), "0007")
        with engine.connect() as connection:
            restored = connection.execute(text("SELECT token, embed_json FROM attempts")).one()
            assert restored.token == "attempt-secret" and "attempt-secret" in restored.embed_json
            callback = connection.execute(text("SELECT callback_token FROM vendor_connections"))
            assert callback.scalar_one() == "cb-secret"
            assert connection.execute(text("SELECT COUNT(*) FROM attempt_results")).scalar() == 1
    finally:
        engine.dispose()
