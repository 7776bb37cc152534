"""Alembic migrations run from code (``assessment-bridge db upgrade`` and ``serve``).

Processes started together on a new database must not all run the migrations: two
``CREATE TABLE`` of one table kill one of them (on PostgreSQL with ``UniqueViolation ...
pg_type_typname_nsp_index``).  An upgrade therefore holds a database-wide lock (a
PostgreSQL advisory lock, or an ``flock`` on a file beside the SQLite file) and looks at the
revision again once it has it: whoever came second finds the work done.  A ``worker`` never
upgrades: it waits for the schema this release needs (:func:`wait_for_schema`).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import time
import typing as t
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from plugin.errors import AppError
from plugin.runtime.crypto import SecretBox

if t.TYPE_CHECKING:
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: The key of the PostgreSQL advisory lock an upgrade holds (any fixed 64-bit number;
#: this one is "bridge" in ASCII).
ADVISORY_LOCK_KEY = 0x627269646765
#: Suffix of the lock file beside a SQLite database.
LOCK_FILE_SUFFIX = ".upgrade-lock"
#: How often a waiting worker looks at the schema again.
SCHEMA_POLL_SECONDS = 2.0

log = logging.getLogger(__name__)


class SchemaTooNewError(AppError):
    """The database is at a revision this release does not know: a newer release upgraded
    it."""


def alembic_config(engine: Engine, secrets: SecretBox | None = None) -> Config:
    """:param secrets: the tool's keys, for migrations that encrypt stored values."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    config.attributes["secrets"] = secrets
    return config


def upgrade(engine: Engine, revision: str = "head", *, secrets: SecretBox | None = None) -> None:
    """Bring the schema to ``revision``; a no-op when it is there already (checked with one
    query, since every command and process start calls this).

    :raises SchemaTooNewError: the database is at a revision this release does not know.
    """
    if revision == "head" and _at_head(engine):
        return
    with schema_lock(engine):
        if revision == "head" and _at_head(engine):  # another process upgraded meanwhile
            return
        command.upgrade(alembic_config(engine, secrets), revision)


def wait_for_schema(engine: Engine, *, poll_seconds: float = SCHEMA_POLL_SECONDS) -> None:
    """Return once the schema is at the revision this release needs, saying in the log why
    until then; never upgrade it.

    :raises SchemaTooNewError: the database is at a revision this release does not know.
    """
    said: str | None = None
    while not _at_head(engine):
        current = current_revision(engine) or "empty"
        if current != said:
            log.warning(
                "waiting for the schema: database at %s, this release needs %s; start"
                " `serve` or run `assessment-bridge db upgrade`",
                current,
                head_revision(),
            )
            said = current
        time.sleep(poll_seconds)


def _at_head(engine: Engine) -> bool:
    """Whether the schema is at the newest revision this code knows.

    :raises SchemaTooNewError: it is at one this code does not know.
    """
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise SchemaTooNewError(
            f"the database is at schema revision {current}, which this release does not know"
            f" (it needs {head_revision()}): a newer release upgraded it; run that release"
        )
    return current == head_revision()


@contextlib.contextmanager
def schema_lock(engine: Engine) -> t.Iterator[None]:
    """Hold the database-wide lock of schema upgrades; waits for another process's
    upgrade to end (however long it takes: it ends or its process dies, and with it the
    lock)."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        yield  # no file another process could open (or one named by a URI): nothing to share
        return
    with _file_lock(Path(database).with_name(Path(database).name + LOCK_FILE_SUFFIX)):
        yield


@contextlib.contextmanager
def _advisory_lock(engine: Engine) -> t.Iterator[None]:
    """A session-level advisory lock on a connection of its own, kept for the upgrade."""
    with engine.connect() as connection:
        taken = connection.exec_driver_sql(
            f"SELECT pg_try_advisory_lock({ADVISORY_LOCK_KEY})"
        ).scalar()
        if not taken:
            log.warning("waiting for another process's schema upgrade to finish")
            # No lock_timeout on this wait (the engine's applies to advisory locks too); LOCAL
            # ends with the transaction, the lock stays with the session.
            connection.exec_driver_sql("SET LOCAL lock_timeout = 0")
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({ADVISORY_LOCK_KEY})")
        connection.commit()
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})")
            connection.commit()


@contextlib.contextmanager
def _file_lock(path: Path) -> t.Iterator[None]:
    """``flock`` on ``path``; the file stays (removing it would let a process that opened
    it before the removal lock a file nobody else sees)."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for another process's schema upgrade to finish (%s)", path)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


@functools.cache
def head_revision() -> str:
    """The newest revision the code knows."""
    head: str = _scripts().get_current_head() or ""
    return head


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision the code knows."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)
