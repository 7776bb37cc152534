"""Bad bodies on a callback URL of ``assessment-bridge serve`` (gunicorn), over real HTTP:
a clear 400 or 413, never 500 (finding 5 of the hostile input issue)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import typing as t

import pytest
import requests

from plugin.runtime import MAX_CONTENT_LENGTH
from tests.e2e.conftest import free_port
from tests.e2e.test_serve import wait_for
from tests.unit.web.callback_urls import connection

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator
    from pathlib import Path

    from flask import Flask

pytestmark = pytest.mark.e2e

JSON = {"Accept": "application/json", "Content-Type": "application/json"}


@pytest.fixture
def served_callback(
    tmp_path: Path, database_url: str, secret_keys: str, make_app: Callable[..., Flask]
) -> Iterator[tuple[str, int]]:
    """The URL of an iMocha connection's callback on a running ``serve``, and its port."""
    port = free_port()
    settings = {
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_CACHE_URL": f"filesystem://{tmp_path / 'cache'}",
        "BRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
        "BRIDGE_SECRET_KEYS": secret_keys,
    }
    on = connection(make_app(**settings), "imocha")
    env = {**os.environ, **settings, "BRIDGE_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "plugin", "serve", "--no-consumer", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", lambda r: r.status_code in (200, 503))
        yield base + on.callback_path, port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_bad_bodies_get_clear_refusals_from_the_running_server(
    served_callback: tuple[str, int],
) -> None:
    url, port = served_callback

    deep = requests.post(url, data=b"[" * 100_000, headers=JSON, timeout=10)
    latin1 = requests.post(
        url, data='{"Status": "Terminé"}'.encode("latin-1"), headers=JSON, timeout=10
    )
    fine = requests.post(url, json={"TestInvitationId": 5, "Status": "Complete"}, timeout=10)

    assert deep.status_code == 400 and "nested deeper than" in deep.json()["message"]
    assert latin1.status_code == 400 and "not UTF-8" in latin1.json()["message"]
    assert fine.status_code == 200 and fine.json() == {"status": "received"}
    status_line, text = _declared_too_large(port, url.split(str(port), 1)[1])
    assert status_line.startswith("HTTP/1.1 413") and '"body_too_large"' in text


def _declared_too_large(port: int, path: str) -> tuple[str, str]:
    """Announce a body over the limit and send none of it: the server answers from the
    ``Content-Length`` alone (a client still uploading could see the connection reset)."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n"
        f"Content-Type: application/json\r\nContent-Length: {MAX_CONTENT_LENGTH + 1}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    text = answer.decode("utf-8", "replace")
    return text.split("\r\n", 1)[0], text
