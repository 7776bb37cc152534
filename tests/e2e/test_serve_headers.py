"""``serve`` under gunicorn: no server identification, and the security headers on pages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.test_serve import free_port
from tests.e2e.test_serve import wait_for


@pytest.mark.e2e
@pytest.mark.empty_database
def test_serve_sends_security_headers_and_no_gunicorn_banner(
    tmp_path: Path, database_url: str
) -> None:
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
        [sys.executable, "-m", "plugin", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", lambda r: r.status_code == 200)
        page = requests.get(base + "/lti/config", timeout=5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)
    assert page.status_code == 200
    assert "gunicorn" not in page.headers.get("Server", "").lower()
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "default-src 'self'" in policy
    assert "Strict-Transport-Security" not in page.headers
