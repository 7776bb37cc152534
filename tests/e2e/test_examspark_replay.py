"""One signed ExamSpark grade passback sent again and again to ``serve`` with two workers:
the nonce is remembered in the store every worker shares (the file store, or Redis when
the suite runs with ``BRIDGE_TEST_REDIS_URL``), so exactly one copy is accepted."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
import typing as t
import xml.etree.ElementTree as ET

import pytest
import requests

from plugin.sandbox.vendors.examspark.oauth import authorization
from plugin.sandbox.vendors.examspark.passback import pox_request
from plugin.services import services
from tests.conftest import REDIS_URL
from tests.e2e.conftest import free_port
from tests.e2e.test_serve import wait_for

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator
    from pathlib import Path

    from flask import Flask

pytestmark = pytest.mark.e2e

KEY, SECRET = "es-app-key", "es-app-secret"
COPIES = 20
SERVE = (sys.executable, "-m", "plugin", "serve", "--no-consumer")
NS = "{http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0}"


@pytest.fixture
def callback_url(
    tmp_path: Path, database_url: str, secret_keys: str, make_app: Callable[..., Flask]
) -> Iterator[str]:
    """The callback URL of an ExamSpark connection served by ``serve --workers 2``."""
    port = free_port()
    env = {
        **os.environ,
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "BRIDGE_CACHE_URL": REDIS_URL or f"filesystem://{tmp_path / 'cache'}",
        "BRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
        "BRIDGE_SECRET_KEYS": secret_keys,
    }
    app = make_app(
        **{k: v for k, v in env.items() if k.startswith("BRIDGE_") and k != "BRIDGE_QUEUE_URL"}
    )
    connection = services(app).vendor_connections.add(
        "examspark",
        "examspark",
        {"app_key": KEY, "app_secret": SECRET, "workspace_id": "district"},
    )
    server = subprocess.Popen(
        [*SERVE, "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", lambda r: r.status_code in (200, 503))
        yield connection.callback_url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _status(body: bytes) -> tuple[str, str]:
    """``imsx_codeMajor`` and ``imsx_description`` of a POX response envelope."""
    root = ET.fromstring(body)
    info = root.find(f"{NS}imsx_POXHeader/{NS}imsx_POXResponseHeaderInfo/{NS}imsx_statusInfo")
    assert info is not None, body
    return info.findtext(f"{NS}imsx_codeMajor", ""), info.findtext(f"{NS}imsx_description", "")


def test_a_passback_sent_many_times_to_two_workers_is_accepted_once(
    callback_url: str,
) -> None:
    body = pox_request("msg-1", "tok-replayed", "0.5")
    headers = {
        "Content-Type": "application/xml",
        "Authorization": authorization(
            method="POST",
            url=callback_url,
            body=body,
            key=KEY,
            secret=SECRET,
            timestamp=int(time.time()),
        ),
    }

    def send(_: int) -> requests.Response:
        # A fresh connection each time, all at once: both workers take some of them.
        with requests.Session() as http:
            return http.post(callback_url, data=body, headers=headers, timeout=30)

    with concurrent.futures.ThreadPoolExecutor(COPIES) as pool:
        answers = list(pool.map(send, range(COPIES)))

    accepted = [a for a in answers if a.status_code == 200]
    assert len(accepted) == 1, [a.status_code for a in answers]
    assert {a.headers["Content-Type"] for a in answers} == {"application/xml; charset=utf-8"}
    outcomes = [(a.status_code, *_status(a.content)) for a in answers]
    refused = [o for o in outcomes if o[1] != "success"]
    assert len(refused) == COPIES - 1, outcomes
    assert {(status, code) for status, code, _ in refused} == {(401, "failure")}
    assert all("nonce was already used" in description for *_, description in refused)
