"""A database another process holds: web requests are answered 503 with ``Retry-After``
after ``BRIDGE_DB_LOCK_WAIT_SECONDS`` and ``/healthz`` says "degraded" within a second
(finding 7: every callback waited about 30 s and ``/healthz`` queued behind them)."""

from __future__ import annotations

import contextlib
import sqlite3
import time
import typing as t
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from plugin.services import services
from tests.unit.web.learners import startexam_class

if t.TYPE_CHECKING:
    from flask import Flask


@contextlib.contextmanager
def database_held(database_url: str) -> t.Iterator[None]:
    """Another process's connection holding the lock every write needs: SQLite's one write
    lock, or on PostgreSQL the attempts table locked against writes."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as other:
        other.execute("LOCK TABLE attempts IN EXCLUSIVE MODE")
        yield
        other.rollback()


def test_a_callback_while_the_database_is_held_is_answered_503_after_the_wait(
    app: Flask, database_url: str
) -> None:
    school = startexam_class(app)
    ada = school.learner(31)

    with database_held(database_url):
        started = time.monotonic()
        answer = school.browser(ada).get(
            school.browser_path(ada.participant_id), headers={"Accept": "application/json"}
        )
        waited = time.monotonic() - started

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.get_json()["error"] == "database_busy"
    assert answer.get_json()["message"] == "The database is busy; try again in a few seconds."
    assert 1.5 < waited < 5  # BRIDGE_DB_LOCK_WAIT_SECONDS defaults to 2
    # Nothing was lost: sent again once the lock is gone, it is recorded.
    again = school.browser(ada).get(school.browser_path(ada.participant_id))
    assert again.status_code == 303
    assert school.queue.syncs == [ada.attempt_id]


def test_the_wait_is_the_setting(make_app: t.Callable[..., Flask], database_url: str) -> None:
    app = make_app(BRIDGE_DB_LOCK_WAIT_SECONDS="0.5")
    school = startexam_class(app)
    ada = school.learner(31)

    with database_held(database_url):
        started = time.monotonic()
        answer = school.browser(ada).get(school.browser_path(ada.participant_id))
        waited = time.monotonic() - started

    assert answer.status_code == 503 and "try again in a few seconds" in answer.text
    assert waited < 1.5


def test_only_web_requests_wait_briefly(make_app: t.Callable[..., Flask]) -> None:
    """The job consumer and commands keep waiting 30 s: nobody is waiting on their answer."""
    app = make_app(BRIDGE_DB_LOCK_WAIT_SECONDS="3")
    engine = services(app).engine
    query = "PRAGMA busy_timeout" if engine.dialect.name == "sqlite" else "SHOW lock_timeout"

    def wait() -> str:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql(query).scalar())

    outside = wait()
    with app.test_request_context("/"):
        inside = wait()
    assert (outside, inside, wait()) in {("30000", "3000", "30000"), ("30s", "3s", "30s")}


def test_healthz_says_degraded_within_two_seconds_while_sqlite_is_held(
    make_app: t.Callable[..., Flask], tmp_path: Path
) -> None:
    """On SQLite whatever the run's database: PostgreSQL has no database-wide write lock
    to hold (its check is bounded by ``statement_timeout``)."""
    database_url = f"sqlite:///{tmp_path / 'held.sqlite3'}"
    app = make_app(BRIDGE_DATABASE_URL=database_url)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200

    with database_held(database_url):
        started = time.monotonic()
        health = client.get("/healthz")
        waited = time.monotonic() - started

    assert health.status_code == 503
    assert health.get_json()["status"] == "degraded"
    assert health.get_json()["checks"]["database"] == "busy: no answer within 1 s"
    assert waited < 2
    assert client.get("/healthz").status_code == 200
