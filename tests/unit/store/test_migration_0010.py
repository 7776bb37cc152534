"""0010: ``ats_field_writes`` holds the value digest an ATS last accepted per candidate and
field; it goes with its connection, and the downgrade drops only it."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from plugin.store import migrate
from plugin.store.db import make_engine

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
ROW = (
    "INSERT INTO ats_field_writes (ats_connection_id, candidate_id, field_key, value_hash,"
    " written_at) VALUES (1, 'c1', :key, 'h', :now)"
)


@pytest.mark.empty_database
def test_field_writes_are_unique_per_field_and_go_with_their_connection(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    try:
        migrate.upgrade(engine, "0009")
        seeding = create_engine(empty_database_url)
        with seeding.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO ats_connections (id, name, kind, config_encrypted, created_at)"
                    " VALUES (1, 'wk', 'workable', :blob, :now)"
                ),
                {"blob": b"-", "now": NOW},
            )
        seeding.dispose()

        migrate.upgrade(engine, "0010")

        with engine.begin() as connection:
            for key in ("score", "passed"):
                connection.execute(text(ROW), {"key": key, "now": NOW})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(ROW), {"key": "score", "now": NOW})
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM ats_connections"))
            left = connection.execute(text("SELECT COUNT(*) FROM ats_field_writes"))
            assert left.scalar_one() == 0

        command.downgrade(migrate.alembic_config(engine), "0009")

        tables = set(inspect(engine).get_table_names())
        assert "ats_field_writes" not in tables
        assert {"ats_connections", "ats_candidates"} <= tables
    finally:
        engine.dispose()
