from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

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
