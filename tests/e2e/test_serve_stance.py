"""``serve``'s production stance: clients too slow with their request headers are cut off
(finding 8), and two ``serve``s on one host keep a control socket each (finding 11)."""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
import typing as t
from pathlib import Path

import pytest
import requests
from gunicorn.ctl.client import ControlClient

from tests.e2e.commands import Command
from tests.e2e.commands import Commands
from tests.e2e.conftest import free_port
from tests.e2e.test_serve import wait_for

pytestmark = pytest.mark.e2e

HEADER_TIMEOUT = 2
THREADS = 4  # serve's gunicorn threads per worker
CONTROL_SOCKET = "gunicorn.ctl"  # in the data directory


@pytest.fixture
def commands(tmp_path: Path) -> t.Iterator[Commands]:
    started = Commands(dict(os.environ), tmp_path)
    yield started
    started.stop_all()


def start_serve(commands: Commands, home: Path, *options: str) -> tuple[Command, str]:
    """A ``serve`` of its own installation (SQLite in ``home``), once ``/healthz`` answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "BRIDGE_DATA_DIR": str(home / "data"),
        "BRIDGE_DATABASE_URL": f"sqlite:///{home / 'data' / 'bridge.sqlite3'}",
        "BRIDGE_QUEUE_URL": f"sqlite:///{home / 'queue.sqlite3'}",
        "BRIDGE_CACHE_URL": f"filesystem://{home / 'cache'}",
        "BRIDGE_BASE_URL": base,
    }
    serve = commands.start(
        "serve", "--port", str(port), "--workers", "1", "--no-consumer", *options, env=env
    )
    wait_for(base + "/healthz", lambda r: r.status_code == 200, seconds=60)
    return serve, base


def wait_for_socket(path: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not (path.exists() and stat.S_ISSOCK(path.stat().st_mode)):
        assert time.monotonic() < deadline, f"no socket at {path}"
        time.sleep(0.1)


class SlowClient(threading.Thread):
    """Sends a request line, then a header a byte every 0.3 s, until the server closes."""

    def __init__(self, port: int, seconds: float) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.seconds = seconds
        self.cut_after: float | None = None

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sock.settimeout(0.3)
            started = time.monotonic()
            while time.monotonic() - started < self.seconds:
                try:
                    sock.sendall(b"x")
                    if sock.recv(1) == b"":
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
            else:
                return
            self.cut_after = time.monotonic() - started


def test_clients_slow_with_their_headers_are_cut_off_and_healthz_answers(
    commands: Commands, tmp_path: Path
) -> None:
    _, base = start_serve(commands, tmp_path, "--header-timeout", str(HEADER_TIMEOUT))
    port = int(base.rsplit(":", 1)[1])
    slow = [SlowClient(port, seconds=30) for _ in range(3 * THREADS)]
    for client in slow:
        client.start()
    time.sleep(0.5)  # every thread of the one worker is taken by a slow client

    started = time.monotonic()
    health = requests.get(base + "/healthz", timeout=20)
    answered_after = time.monotonic() - started
    for client in slow:
        client.join(timeout=30)

    assert health.status_code == 200
    # The deadline plus at most a second of the worker's loop, and some leeway.
    assert answered_after < HEADER_TIMEOUT + 3
    cut = [client.cut_after for client in slow]
    assert all(after is not None and after < HEADER_TIMEOUT + 3 for after in cut), cut


def test_two_serves_on_one_host_keep_a_control_socket_each(
    commands: Commands, tmp_path: Path
) -> None:
    first, first_base = start_serve(commands, tmp_path / "one")
    _, second_base = start_serve(commands, tmp_path / "two")
    sockets = [tmp_path / name / "data" / CONTROL_SOCKET for name in ("one", "two")]

    for path, base in zip(sockets, (first_base, second_base), strict=True):
        wait_for_socket(path)  # gunicorn opens it in a thread of its own, after the workers
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with ControlClient(str(path), timeout=10) as client:
            listeners = client.send_command("show listeners")["listeners"]
        assert [listener["address"] for listener in listeners] == [base]

    first.stop()
    assert not sockets[0].exists()
    with ControlClient(str(sockets[1]), timeout=10) as client:
        assert client.send_command("show listeners")["count"] == 1
    assert requests.get(second_base + "/healthz", timeout=5).status_code == 200
