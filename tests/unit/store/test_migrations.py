from __future__ import annotations

import datetime as dt
import typing as t

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.engine import make_url

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


@pytest.fixture
def empty_database_url(database_url: str) -> t.Iterator[str]:
    """A database with no schema yet: the test's SQLite file, or a new PostgreSQL database
    (the shared one already holds the newest schema)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield database_url
        return
    name = f"{url.database}_empty"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
