"""Engine and session wiring.

One engine per application, a session per request or task created lazily on
``flask.g`` and closed at teardown (flaskr ``db.py``).  SQLite runs in WAL mode
with a busy timeout so the web workers and the job consumer can share the file.

How long a statement waits for a lock depends on who is waiting.  A web request waits at
most ``request_lock_wait`` seconds (``BRIDGE_DB_LOCK_WAIT_SECONDS``): a database held by
another process then costs a quick ``503`` the vendor retries, instead of a thread per
request stuck for half a minute until ``/healthz`` itself queues behind them.  Everything
else (the job consumer, commands, the schema upgrade) waits ``lock_wait`` seconds, as it
has nobody waiting on an answer.  The wait is SQLite's ``busy_timeout`` or PostgreSQL's
``lock_timeout``, set on a pooled connection when it is handed out for the other kind of
work than last time.  A wait that runs out raises :class:`DatabaseBusyError`.
"""

from __future__ import annotations

import typing as t

from flask import Flask
from flask import g
from flask import has_request_context
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from plugin.errors import AppError

#: What a web request waits for a lock unless told otherwise (``BRIDGE_DB_LOCK_WAIT_SECONDS``).
REQUEST_LOCK_WAIT_SECONDS = 2.0
#: What the job consumer, commands and the schema upgrade wait for a lock.
BACKGROUND_LOCK_WAIT_SECONDS = 30.0

#: SQLite's primary result codes for a lock another connection holds.
_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
#: PostgreSQL's SQLSTATEs for a ``lock_timeout`` (lock_not_available) or a
#: ``statement_timeout`` (query_canceled) that ran out.
_POSTGRES_BUSY_STATES = frozenset({"55P03", "57014"})
#: Key of the wait in effect in a pooled connection's ``info``.
_LOCK_WAIT_KEY = "bridge.lock_wait"


class DatabaseBusyError(OperationalError, AppError):
    """Another connection held a lock longer than this one would wait; trying again a few
    seconds later is safe (the statement changed nothing)."""


def make_engine(
    url: str,
    *,
    request_lock_wait: float = REQUEST_LOCK_WAIT_SECONDS,
    lock_wait: float = BACKGROUND_LOCK_WAIT_SECONDS,
) -> Engine:
    """Create the engine for ``url`` with the pragmas each backend needs.

    :param request_lock_wait: seconds a web request waits for a lock.
    :param lock_wait: seconds any other work waits for one.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": lock_wait, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    waits = _LockWaits(engine.dialect.name, request=request_lock_wait, background=lock_wait)
    event.listen(engine, "checkout", waits.on_checkout)
    event.listen(engine, "handle_error", _busy_error, retval=True)
    return engine


def check_writable(engine: Engine, *, seconds: float) -> None:
    """Return when the database answers within ``seconds``: on SQLite, when a write could
    start (its one write lock is free; reads would succeed while another process holds it,
    but no callback could be recorded); on PostgreSQL, when ``SELECT 1`` answers.

    :raises DatabaseBusyError: it could not within ``seconds``.
    """
    milliseconds = round(seconds * 1000)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.info.pop(_LOCK_WAIT_KEY, None)  # the checkout sets it again next time
            connection.exec_driver_sql(f"PRAGMA busy_timeout={milliseconds}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
            connection.exec_driver_sql("SELECT 1")
        connection.rollback()


class _LockWaits:
    """Sets the wait of each connection the pool hands out, for a request or not."""

    def __init__(self, dialect: str, *, request: float, background: float) -> None:
        self._sqlite = dialect == "sqlite"
        self._request = request
        self._background = background

    def on_checkout(self, dbapi_connection: t.Any, record: t.Any, _proxy: object) -> None:
        wanted = self._request if has_request_context() else self._background
        if record.info.get(_LOCK_WAIT_KEY) == wanted:
            return
        cursor = dbapi_connection.cursor()
        if self._sqlite:
            cursor.execute(f"PRAGMA busy_timeout={round(wanted * 1000)}")
            cursor.close()
        else:
            cursor.execute(f"SET lock_timeout = {round(wanted * 1000)}")
            cursor.close()
            # A checked-out connection has no transaction yet: this one only holds the SET.
            dbapi_connection.commit()
        record.info[_LOCK_WAIT_KEY] = wanted


def _busy_error(context: ExceptionContext) -> DatabaseBusyError | None:
    """Raise a lock wait that ran out as :class:`DatabaseBusyError` (still an
    ``OperationalError`` to anyone catching that)."""
    original = context.original_exception
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    busy = (sqlite_code is not None and (sqlite_code & 0xFF) in _SQLITE_BUSY_CODES) or (
        getattr(original, "sqlstate", None) in _POSTGRES_BUSY_STATES
    )
    if not busy or not isinstance(original, Exception):
        return None
    return DatabaseBusyError(context.statement, context.parameters, original)


def _sqlite_pragmas(dbapi_connection: t.Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask, engine: Engine) -> sessionmaker[Session]:
    """Close the request's session at teardown; return the app's session factory."""
    app.teardown_appcontext(_close_session)
    return sessionmaker(engine, expire_on_commit=False)


def get_session() -> Session:
    """The session of the current request or task, created on first use."""
    if "db_session" not in g:
        from plugin.services import services

        g.db_session = services().sessions()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
