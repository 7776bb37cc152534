"""Engine and session wiring.

One engine per application, a session per request or task created lazily on
``flask.g`` and closed at teardown (flaskr ``db.py``).  SQLite runs in WAL mode
with a busy timeout so the web workers and the job consumer can share the file.
"""

from __future__ import annotations

import typing as t

from flask import Flask
from flask import g
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the pragmas each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: t.Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
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
