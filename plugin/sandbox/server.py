"""Serve a WSGI app on a free loopback port in a background thread.

Used by the sandbox LMS and by the vendor and ATS simulators so tests, benchmarks and the demo
talk to them over real HTTP.
"""

from __future__ import annotations

import socket
import threading
import typing as t

from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

if t.TYPE_CHECKING:
    from types import TracebackType

    from flask import Flask

_READY_TIMEOUT_S = 5.0


class _QuietRequestHandler(WSGIRequestHandler):
    """Request handler that does not write an access-log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class ServedApp:
    """A Flask app served on ``127.0.0.1`` until :meth:`shutdown` is called.

    :param app: the served application.
    :param server: the bound werkzeug server.
    """

    def __init__(self, app: Flask, server: BaseWSGIServer) -> None:
        self.app = app
        self._server = server
        host, port = server.host, server.port
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"served-app-{port}",
            daemon=True,
        )
        self._stopped = False

    def _start(self) -> None:
        self._thread.start()
        _wait_until_accepting((self._server.host, self._server.port))

    def shutdown(self) -> None:
        """Stop serving and release the port; calling it twice is harmless."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._thread.join(timeout=_READY_TIMEOUT_S)
        self._server.server_close()

    def __enter__(self) -> ServedApp:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()


def serve_app(
    app: Flask, *, host: str = "127.0.0.1", port: int = 0, threaded: bool = True
) -> ServedApp:
    """Serve ``app`` in a daemon thread and return once it accepts connections.

    :param app: the Flask application to serve.
    :param host: interface to bind; loopback unless a test needs otherwise.
    :param port: port to bind; ``0`` picks a free one (read it from ``ServedApp.url``).
    :param threaded: handle each request in its own thread (HTTP/1.1 keep-alive).
    :return: the running server.
    """
    server = make_server(host, port, app, threaded=threaded, request_handler=_QuietRequestHandler)
    served = ServedApp(app, server)
    served._start()
    return served


def _wait_until_accepting(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=_READY_TIMEOUT_S):
        return
