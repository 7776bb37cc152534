"""Alembic migrations run from code (``assessment-bridge db upgrade`` and ``serve``)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from plugin.runtime.crypto import SecretBox

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine, secrets: SecretBox | None = None) -> Config:
    """:param secrets: the tool's keys, for migrations that encrypt stored values."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    config.attributes["secrets"] = secrets
    return config


def upgrade(engine: Engine, revision: str = "head", *, secrets: SecretBox | None = None) -> None:
    """Bring the schema to ``revision``; a no-op when it is there already (checked with one
    query, since every command and process start calls this)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    command.upgrade(alembic_config(engine, secrets), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


@functools.cache
def head_revision() -> str:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head: str = ScriptDirectory.from_config(config).get_current_head() or ""
    return head
