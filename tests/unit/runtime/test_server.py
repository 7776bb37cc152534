"""gunicorn as ``serve`` configures it: forked workers start their own database pool, the
control socket lives in the data directory, and the nginx sample in front buffers and
times out slow clients."""

from __future__ import annotations

import types
from pathlib import Path

from flask import Flask

from plugin.runtime import MAX_CONTENT_LENGTH
from plugin.runtime.server import GunicornServer
from plugin.runtime.server import HeaderDeadlineWorker
from plugin.runtime.server import gunicorn_options
from plugin.services import services

NGINX_SAMPLE = Path(__file__).parents[3] / "config" / "nginx.conf"


def test_a_forked_worker_starts_a_pool_of_its_own(app: Flask, tmp_path: Path) -> None:
    engine = services(app).engine
    with engine.connect() as connection:  # the master's, as after the schema upgrade
        masters = connection.connection.dbapi_connection
    server = GunicornServer(
        app, gunicorn_options(bind="127.0.0.1:0", workers=1, engine=engine, data_dir=tmp_path)
    )

    server.cfg.post_fork(None, types.SimpleNamespace(app=server))

    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is not masters
    assert masters is not None
    masters.cursor().execute("SELECT 1")  # dropped, not closed: the master still owns it


def test_the_control_socket_is_in_the_data_directory_or_there_is_none(tmp_path: Path) -> None:
    options = gunicorn_options(bind="127.0.0.1:0", workers=1, data_dir=tmp_path)
    assert options["control_socket"] == str(tmp_path / "gunicorn.ctl")

    deep = gunicorn_options(bind="127.0.0.1:0", workers=1, data_dir=tmp_path / ("d" * 100))
    assert deep["control_socket_disable"] is True and "control_socket" not in deep
    assert gunicorn_options(bind="127.0.0.1:0", workers=1)["control_socket_disable"] is True


def test_workers_cut_off_slow_headers_and_wait_for_slow_clients_no_longer() -> None:
    options = gunicorn_options(bind="127.0.0.1:0", workers=2, header_timeout=7)
    worker = options["worker_class"]
    assert issubclass(worker, HeaderDeadlineWorker) and worker.header_timeout == 7
    assert options["keepalive"] == 5
    assert options["timeout"] == options["graceful_timeout"] == 30
    assert (options["limit_request_line"], options["limit_request_fields"]) == (4094, 64)


def nginx_directives() -> dict[str, list[str]]:
    """Every ``name value;`` of the sample, comments left out."""
    found: dict[str, list[str]] = {}
    for line in NGINX_SAMPLE.read_text().splitlines():
        statement = line.split("#", 1)[0].strip()
        if statement.endswith(";"):
            name, _, value = statement[:-1].partition(" ")
            found.setdefault(name, []).append(value.strip())
    return found


def test_the_nginx_sample_buffers_and_times_out_slow_clients() -> None:
    directives = nginx_directives()

    assert directives["proxy_buffering"] == ["on"]
    assert directives["proxy_request_buffering"] == ["on"]
    assert directives["client_header_timeout"] == ["10s"]
    assert directives["client_body_timeout"] == ["10s"]
    assert directives["send_timeout"] == ["10s"]
    assert directives["client_max_body_size"] == [f"{MAX_CONTENT_LENGTH // 2**20}m"]
    headers = set(directives["proxy_set_header"])
    assert {"X-Forwarded-Proto $scheme", "X-Forwarded-Host $host"} <= headers
    assert "BRIDGE_TRUST_PROXY=true" in NGINX_SAMPLE.read_text()
