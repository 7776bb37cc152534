"""Processes started at the same moment on a new database: the schema is upgraded once,
by ``serve`` or ``db upgrade`` (one at a time), and ``worker`` waits for it, never upgrading
(finding 12: three of four processes died with ``UniqueViolation``)."""

from __future__ import annotations

import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from plugin.store import migrate
from tests.e2e.commands import Commands
from tests.e2e.conftest import free_port
from tests.e2e.test_serve import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.empty_database]

CONSUMER_STARTED = "Huey consumer started"
FUTURE_REVISION = "9999_from_a_newer_release"


@pytest.fixture
def env(tmp_path: Path, empty_database_url: str, secret_keys: str) -> dict[str, str]:
    """One installation on an empty database: the settings every process shares."""
    return {
        **os.environ,
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": empty_database_url,
        "BRIDGE_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "BRIDGE_CACHE_URL": f"filesystem://{tmp_path / 'cache'}",
        "BRIDGE_SECRET_KEYS": secret_keys,
    }


@pytest.fixture
def commands(env: dict[str, str], tmp_path: Path) -> t.Iterator[Commands]:
    started = Commands(env, tmp_path)
    yield started
    started.stop_all()


def schema_revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def test_serve_and_three_workers_started_together_all_come_up(
    commands: Commands, empty_database_url: str
) -> None:
    port = free_port()
    serve = commands.start(
        "serve", "--port", str(port), "--workers", "1", "--no-consumer",
        env={"BRIDGE_BASE_URL": f"http://127.0.0.1:{port}"},
    )  # fmt: skip
    workers = [commands.start("worker", "--threads", "1") for _ in range(3)]

    health = wait_for(
        f"http://127.0.0.1:{port}/healthz",
        lambda r: r.status_code == 200 and r.json()["consumer"]["last_seen"],
        seconds=60,
    )
    for worker in workers:
        worker.wait_for_output(CONSUMER_STARTED)

    assert health.json()["checks"] == {"database": "ok", "keys": "ok"}
    assert schema_revision(empty_database_url) == migrate.head_revision()
    for command in (serve, *workers):
        assert "UniqueViolation" not in command.output
        assert "Traceback" not in command.output
    assert "created the database" in serve.output


def test_upgrades_started_together_each_find_the_schema_done(
    env: dict[str, str], empty_database_url: str
) -> None:
    upgrades = [
        subprocess.Popen(
            [sys.executable, "-m", "plugin", "db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [upgrade.communicate(timeout=120) for upgrade in upgrades]

    assert [upgrade.returncode for upgrade in upgrades] == [0, 0, 0], outputs
    assert not [stderr for _, stderr in outputs if "Traceback" in stderr]
    head = migrate.head_revision()
    # The one that took the lock first upgraded; the others found the work done.
    assert f"schema upgraded from empty to {head}" in {stdout.strip() for stdout, _ in outputs}
    assert schema_revision(empty_database_url) == head


def test_a_worker_on_an_empty_database_waits_until_db_upgrade_ran(
    commands: Commands, env: dict[str, str]
) -> None:
    worker = commands.start("worker", "--threads", "1")
    worker.wait_for_output(
        f"waiting for the schema: database at empty, this release needs"
        f" {migrate.head_revision()}; start `serve` or run `assessment-bridge db upgrade`"
    )
    assert CONSUMER_STARTED not in worker.output

    upgraded = subprocess.run(
        [sys.executable, "-m", "plugin", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert upgraded.returncode == 0, upgraded.stderr
    worker.wait_for_output(CONSUMER_STARTED)
    assert "Traceback" not in worker.output


@pytest.mark.parametrize(
    "command",
    [["worker"], ["serve", "--workers", "1"], ["db", "upgrade"], ["vendor", "list"]],
    ids=" ".join,
)
def test_a_schema_from_a_newer_release_is_refused_with_one_line(
    env: dict[str, str], empty_database_url: str, command: list[str]
) -> None:
    engine = create_engine(empty_database_url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": FUTURE_REVISION}
        )
    engine.dispose()
    if command[0] == "serve":
        command = [*command, "--port", str(free_port())]

    finished = subprocess.run(
        [sys.executable, "-m", "plugin", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode != 0
    assert finished.stderr.splitlines() == [
        f"Error: the database is at schema revision {FUTURE_REVISION}, which this release"
        f" does not know (it needs {migrate.head_revision()}): a newer release upgraded it;"
        " run that release"
    ]
    assert schema_revision(empty_database_url) == FUTURE_REVISION
