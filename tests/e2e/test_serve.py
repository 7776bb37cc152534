"""``assessment-bridge serve`` as an administrator runs it: gunicorn plus the job consumer,
private files, security headers and no server banner."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest
import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(
    url: str, predicate: t.Callable[[requests.Response], bool], seconds: float = 30
) -> requests.Response:
    deadline = time.monotonic() + seconds
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            response = requests.get(url, timeout=2)
            if predicate(response):
                return response
        except requests.ConnectionError as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{url} did not become ready: {last}")


@pytest.mark.e2e
@pytest.mark.empty_database
def test_serve_runs_web_and_consumer(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "BRIDGE_CACHE_URL": f"filesystem://{tmp_path / 'cache'}",
        "BRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("BRIDGE_SECRET_KEYS", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "plugin", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = wait_for(
            base + "/healthz", lambda r: r.status_code == 200 and r.json()["consumer"]["last_seen"]
        )
        assert health.json()["checks"]["database"] == "ok"
        jwks = requests.get(base + "/lti/jwks", timeout=5).json()
        assert len(jwks["keys"]) == 1 and jwks["keys"][0]["alg"] == "RS256"
        config = requests.get(base + "/lti/config?format=json", timeout=5).json()
        assert config["oidc_initiation_url"] == base + "/lti/login"
        page = requests.get(base + "/lti/config", timeout=5)
        assert "gunicorn" not in page.headers.get("Server", "").lower()
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        policy = page.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "default-src 'self'" in policy
        assert "Strict-Transport-Security" not in page.headers  # plain http
        assert "bridge_platforms 0" in requests.get(base + "/metrics", timeout=5).text
        assert (tmp_path / "data" / "secret.key").stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
        private = [tmp_path / "queue.sqlite3", *(tmp_path / "cache").rglob("*")]
        if database_url.startswith("sqlite"):
            private.append(tmp_path / "bridge.sqlite3")
        assert {str(p): p.stat().st_mode & 0o077 for p in private if p.is_file()} == {
            str(p): 0 for p in private if p.is_file()
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    assert b"data directory:" in stderr
