"""Fixtures shared by every layer: an app on SQLite and the file cache, or on
PostgreSQL (``BRIDGE_TEST_DATABASE_URL``) and Redis (``BRIDGE_TEST_REDIS_URL``)."""

from __future__ import annotations

import os
import secrets
import shutil
import typing as t
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.engine import make_url

from plugin import create_app
from plugin.runtime.bootstrap import bootstrap
from plugin.services import services
from plugin.store.models import Base

POSTGRES_URL = os.environ.get("BRIDGE_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "")


@pytest.fixture(scope="session")
def postgres_database() -> t.Iterator[str | None]:
    """A fresh PostgreSQL database for this run (dropped at the end), or None."""
    if not POSTGRES_URL:
        yield None
        return
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = "bridge_test_" + secrets.token_hex(4)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def secret_keys() -> str:
    """One Fernet key for the whole run, so a prepared database opens in every test."""
    return Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def prepared_sqlite(tmp_path_factory: pytest.TempPathFactory, secret_keys: str) -> Path:
    """A SQLite database at the newest schema with the tool's first key, made once per
    test process: each test starts from a copy instead of migrating and generating an RSA
    key again."""
    folder = tmp_path_factory.mktemp("prepared")
    path = folder / "bridge.sqlite3"
    app = create_app(
        {
            "BRIDGE_DATA_DIR": str(folder / "data"),
            "BRIDGE_DATABASE_URL": f"sqlite:///{path}",
            "BRIDGE_CACHE_URL": f"filesystem://{folder / 'cache'}",
            "BRIDGE_QUEUE_URL": "memory://",
            "BRIDGE_SECRET_KEYS": secret_keys,
        }
    )
    bootstrap(app)
    engine = services(app).engine
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database: str | None
) -> t.Iterator[str]:
    """The test's database: a copy of :func:`prepared_sqlite`, or the run's PostgreSQL
    database (emptied after the test); ``@pytest.mark.empty_database`` gives SQLite tests
    a file with no schema instead."""
    if postgres_database is None:
        path = tmp_path / "bridge.sqlite3"
        if request.node.get_closest_marker("empty_database") is None:
            shutil.copyfile(request.getfixturevalue("prepared_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    yield postgres_database
    engine = create_engine(postgres_database)
    existing = set(inspect(engine).get_table_names())  # none when no test made the schema yet
    names = [table.name for table in Base.metadata.sorted_tables if table.name in existing]
    if names:
        with engine.begin() as connection:
            tables = ", ".join(f'"{name}"' for name in names)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


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


@pytest.fixture
def base_settings(tmp_path: Path, database_url: str, secret_keys: str) -> dict[str, str]:
    return {
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_CACHE_URL": REDIS_URL or f"filesystem://{tmp_path / 'cache'}",
        "BRIDGE_QUEUE_URL": "memory://",
        "BRIDGE_SECRET_KEYS": secret_keys,
        "BRIDGE_BASE_URL": "http://127.0.0.1:8000",
        # Every test logs in from 127.0.0.1, and on Redis every test process counts in one
        # place: the login rate limit is tested on its own (tests/unit/web/test_login_limits.py).
        "BRIDGE_LOGIN_RATE_LIMIT": "0",
    }


@pytest.fixture
def make_app(base_settings: dict[str, str]) -> t.Iterator[t.Callable[..., Flask]]:
    """Build (and bootstrap) an app; keyword arguments override settings."""
    built: list[Flask] = []

    def factory(**overrides: t.Any) -> Flask:
        app = create_app({**base_settings, "TESTING": True, **overrides})
        bootstrap(app)
        built.append(app)
        return app

    yield factory
    for app in built:
        services(app).engine.dispose()


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    return make_app()
