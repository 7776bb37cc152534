"""0009: connections count the signals that name no attempt; the rows earlier releases
stored for such signals, and every row hanging off a connection, survive both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text

from plugin.store import migrate
from plugin.store.db import make_engine

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def _seed_0008_connection(engine: Engine) -> None:
    """A connection with an assessment and two signals, one naming no attempt, as the 0008
    schema stores them (without the rows they hang off: foreign keys are not checked)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(
            text(
                "INSERT INTO vendor_connections (id, name, kind, config_encrypted,"
                " callback_token_hash, callback_token_encrypted, browser_token_hash,"
                " browser_token_encrypted, created_at)"
                " VALUES (1, 'v', 'mettl', :blob, 'cb-hash', :blob, 'br-hash', :blob, :now)"
            ),
            {"blob": b"-", "now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO assessments (id, title, connection_id, test_id, created_at,"
                " create_line_item) VALUES (1, 'Final', 1, 't1', :now, false)"
            ),
            {"now": NOW},
        )
        for signal_id, attempt_id in ((1, 1), (2, None)):
            connection.execute(
                text(
                    "INSERT INTO signals (id, connection_id, attempt_id, kind, vendor_ref,"
                    " authenticated, received_at)"
                    " VALUES (:id, 1, :attempt, 'callback', 'ref', false, :now)"
                ),
                {"id": signal_id, "attempt": attempt_id, "now": NOW},
            )


def _counts(engine: Engine) -> tuple[int, ...]:
    """Rows of the connection, its assessment and its signals."""
    with engine.connect() as connection:
        return tuple(
            int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
            for table in ("vendor_connections", "assessments", "signals")
        )


@pytest.mark.empty_database
def test_unmatched_counters_start_at_zero_and_keep_every_row(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        migrate.upgrade(engine, "0008")
        seeding = create_engine(empty_database_url)
        _seed_0008_connection(seeding)
        seeding.dispose()

        migrate.upgrade(engine, "0009")

        assert _counts(engine) == (1, 1, 2)
        with engine.begin() as connection:
            row = connection.execute(
                text("SELECT unmatched_signals, last_unmatched_at FROM vendor_connections")
            ).one()
            assert tuple(row) == (0, None)
            connection.execute(
                text("UPDATE vendor_connections SET unmatched_signals = unmatched_signals + 1")
            )
            unmatched = connection.execute(text("SELECT unmatched_signals FROM vendor_connections"))
            assert unmatched.scalar_one() == 1
            kept = connection.execute(text("SELECT id FROM signals WHERE attempt_id IS NULL"))
            assert list(kept.scalars()) == [2]

        command.downgrade(migrate.alembic_config(engine), "0008")

        assert _counts(engine) == (1, 1, 2)
        columns = {c["name"] for c in inspect(engine).get_columns("vendor_connections")}
        assert not columns & {"unmatched_signals", "last_unmatched_at"}
    finally:
        engine.dispose()
