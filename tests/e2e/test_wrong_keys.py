"""Processes started with keys that cannot open the store stop at once with one line; with
the store's key behind a new one they run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from plugin.services import services
from tests.e2e.conftest import free_port
from tests.e2e.test_serve import wait_for

pytestmark = pytest.mark.e2e

REFUSAL = (
    "Error: BRIDGE_SECRET_KEYS cannot decrypt this database's secrets (written with another"
    " key); put the key it was written with back in BRIDGE_SECRET_KEYS (the new key first,"
    " the old ones after it)"
)


@pytest.fixture
def environment(app: Flask, tmp_path: Path, database_url: str) -> dict[str, str]:
    """The settings of a store written with the run's key, holding a vendor connection."""
    services(app).vendor_connections.add(
        "mettl", "mettl-prod", {"public_key": "pub", "private_key": "me-secret"}
    )
    services(app).engine.dispose()
    return {
        **os.environ,
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "BRIDGE_CACHE_URL": f"filesystem://{tmp_path / 'cache'}",
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plugin", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [["vendor", "list"], ["worker"], ["serve", "--workers", "1"], ["db", "upgrade"]],
    ids=" ".join,
)
def test_another_key_stops_the_process_with_one_line(
    environment: dict[str, str], command: list[str]
) -> None:
    env = {**environment, "BRIDGE_SECRET_KEYS": Fernet.generate_key().decode()}
    if command[0] == "serve":
        port = free_port()
        command = [*command, "--port", str(port)]
        env["BRIDGE_BASE_URL"] = f"http://127.0.0.1:{port}"
    finished = run(env, *command)
    assert finished.returncode != 0
    assert finished.stderr.splitlines() == [REFUSAL]
    assert finished.stdout == ""


def test_with_the_old_key_behind_a_new_one_everything_runs(
    environment: dict[str, str], secret_keys: str
) -> None:
    env = {**environment, "BRIDGE_SECRET_KEYS": f"{Fernet.generate_key().decode()},{secret_keys}"}
    listed = run(env, "vendor", "list")
    assert listed.returncode == 0, listed.stderr
    assert "mettl-prod" in listed.stdout

    port = free_port()
    env["BRIDGE_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "plugin", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        # The consumer serve starts beside gunicorn is a `worker` with the same keys.
        health = wait_for(
            f"http://127.0.0.1:{port}/healthz",
            lambda r: r.status_code == 200 and r.json()["consumer"]["last_seen"],
        )
        assert health.json()["checks"]["keys"] == "ok"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    assert b"Traceback" not in stderr
