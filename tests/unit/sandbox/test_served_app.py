from __future__ import annotations

import pytest
import requests
from flask import Flask

from plugin.sandbox.server import serve_app


def _ping_app() -> Flask:
    app = Flask("ping")
    app.add_url_rule("/ping", "ping", lambda: "pong")
    return app


def test_serves_on_a_free_loopback_port_until_shutdown() -> None:
    served = serve_app(_ping_app())
    assert served.url.startswith("http://127.0.0.1:")
    assert not served.url.endswith("/")
    assert requests.get(served.url + "/ping", timeout=5).text == "pong"
    served.shutdown()
    with pytest.raises(requests.ConnectionError):
        requests.get(served.url + "/ping", timeout=2)
    served.shutdown()


def test_context_manager_stops_the_server() -> None:
    with serve_app(_ping_app()) as served:
        assert requests.get(served.url + "/ping", timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(served.url + "/ping", timeout=2)


def test_each_app_gets_its_own_port() -> None:
    first, second = _ping_app(), _ping_app()
    with serve_app(first) as one, serve_app(second) as two:
        assert one.url != two.url
        assert one.app is first
        assert two.app is second
