"""Running the WSGI app under gunicorn, with access logs that never show secrets.

Callback and return URLs carry unguessable tokens; gunicorn's access log would
print them verbatim, so its log atoms pass through :func:`plugin.runtime.logs.mask_secrets`.

What gunicorn's threaded worker does with slow clients, and what it does not: a connection
that sends nothing waits for its first byte in a thread for at most 5 s, then in the
worker's poller, where it costs no thread, until ``keepalive`` closes it.  A client that
sends its request line and headers a byte at a time keeps a thread, without any time
limit: ``workers x threads`` such clients and nobody else is served, ``/healthz``
included.  :class:`HeaderDeadlineWorker` adds the missing limit: a connection's request
line and headers must be in ``header_timeout`` seconds after gunicorn took it (or after a
kept-alive connection showed its next request), else its socket is shut and the thread
freed.  That bounds each slow client, not a crowd of them that keeps reconnecting, nor a
slow request body (it is read by the application, after the headers); those are what the
buffering proxy in front is for (README, "Deployment"; ``config/nginx.conf``).
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import threading
import time
import typing as t
from pathlib import Path

import gunicorn.http.wsgi
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

from plugin.runtime.logs import mask_secrets

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
#: What gunicorn sends as ``Server``: it always writes the header, from the ``SERVER``
#: its response module imported (``gunicorn``), so naming neither the server nor a version
#: means replacing that module's copy before the workers fork.
SERVER_HEADER = "assessment-bridge"
#: Seconds a connection has to send its request line and headers (``serve --header-timeout``).
HEADER_TIMEOUT_SECONDS = 10.0
#: Name of gunicorn's control socket (``gunicornc -s``) in the data directory.
CONTROL_SOCKET_NAME = "gunicorn.ctl"
#: Longest path a Unix socket can have (``sun_path`` is 104 bytes on BSD and macOS, 108 on
#: Linux, with the final NUL).
MAX_SOCKET_PATH = 103
#: How much of a queued connection's unread bytes is looked at for the end of its headers.
PEEK_BYTES = 128 * 1024

log = logging.getLogger(__name__)

#: gunicorn's settings for slow and broken clients; the proxy in front applies its own
#: (``config/nginx.conf``).
CLIENT_LIMITS: dict[str, t.Any] = {
    # A kept-alive connection waits this long for its next request, in the poller.
    "keepalive": 5,
    # A worker whose main loop stops for this long is killed and replaced (with gthread a
    # slow request does not count: only the loop, which never waits on a request, does).
    "timeout": 30,
    # On SIGTERM, requests in flight get this long to finish.
    "graceful_timeout": 30,
    # gunicorn's defaults for the request line (LTI login URLs carry long hints in the
    # query string) and for one header (the attempt and session cookies fit in 8 KiB); 64
    # headers at most (a browser sends about 20, the proxy adds a few).
    "limit_request_line": 4094,
    "limit_request_fields": 64,
    "limit_request_field_size": 8190,
}


class MaskingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with tokens masked in the request line, path, query and referrer."""

    def atoms(
        self, resp: t.Any, req: t.Any, environ: t.Any, request_time: t.Any
    ) -> dict[str, t.Any]:
        atoms: dict[str, t.Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_secrets(atoms[key])
        return atoms


class HeaderDeadlineWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker, with a time limit on reading a request's headers.

    The deadline starts when a connection is handed to the thread pool, so slow ones
    queued behind busy threads run out too, and are over at once when their turn comes;
    a queued connection whose whole request head is waiting is left alone.  The worker's
    main loop, which wakes at least once a second, shuts the sockets that ran out; a thread
    blocked reading one then sees the end of the stream and is free.
    HTTP/1 only: the server does not offer HTTP/2.
    """

    #: Set on a subclass by :func:`worker_class`.
    header_timeout = HEADER_TIMEOUT_SECONDS

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadlines: dict[t.Any, float] = {}
        self._deadlines_lock = threading.Lock()

    def enqueue_req(self, conn: t.Any) -> None:
        with self._deadlines_lock:
            self._deadlines.setdefault(conn, time.monotonic() + self.header_timeout)
        super().enqueue_req(conn)

    def handle(self, conn: t.Any) -> t.Any:
        try:
            return super().handle(conn)
        finally:
            self._headers_read(conn)

    def handle_request(self, req: t.Any, conn: t.Any) -> t.Any:
        """Called once the request line and headers are in."""
        self._headers_read(conn)
        return super().handle_request(req, conn)

    def murder_pending(self) -> None:
        """gunicorn's main loop calls this about once a second to close connections that
        waited too long for their first byte; it closes those too slow with their headers
        as well."""
        super().murder_pending()
        now = time.monotonic()
        with self._deadlines_lock:
            late = [
                conn
                for conn, deadline in self._deadlines.items()
                if deadline <= now and not _headers_waiting(conn.sock)
            ]
            for conn in late:
                del self._deadlines[conn]
        for conn in late:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError as exc:  # the client went away meanwhile
                self.log.debug("closing a connection too slow with its headers: %s", exc)
            else:
                self.log.info("closed a connection that sent no complete request headers")

    def _headers_read(self, conn: t.Any) -> None:
        with self._deadlines_lock:
            self._deadlines.pop(conn, None)


def _headers_waiting(sock: socket.socket) -> bool:
    """Whether a whole request head is waiting on ``sock``, unread: a request queued behind
    busy threads, which a thread will read at once when its turn comes, is not slow.  (A
    thread that is reading a request has taken its bytes; and TLS bytes cannot be looked
    into: TLS ends at the proxy.)"""
    if isinstance(sock, ssl.SSLSocket):
        return False
    try:
        waiting = sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:  # nothing waiting (EAGAIN), or the client went away
        return False
    return b"\r\n\r\n" in waiting or b"\n\n" in waiting


def worker_class(header_timeout: float) -> type[HeaderDeadlineWorker]:
    """:class:`HeaderDeadlineWorker` with ``header_timeout``, for gunicorn to instantiate."""
    return type("HeaderDeadlineWorker", (HeaderDeadlineWorker,), {"header_timeout": header_timeout})


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: t.Any, options: dict[str, t.Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> t.Any:
        return self._app


def gunicorn_options(
    *,
    bind: str,
    workers: int,
    threads: int = 4,
    access_log: bool = True,
    engine: Engine | None = None,
    data_dir: Path | None = None,
    header_timeout: float = HEADER_TIMEOUT_SECONDS,
) -> dict[str, t.Any]:
    """gunicorn's settings for :func:`run_gunicorn`.

    :param engine: the app's database engine, for each forked worker to start a pool of
        its own (:func:`forget_inherited_connections`).
    :param data_dir: where gunicorn's control socket goes; none without one.
    """
    options: dict[str, t.Any] = {
        "bind": bind,
        "workers": workers,
        "worker_class": worker_class(header_timeout),
        "threads": threads,
        **CLIENT_LIMITS,
        "logger_class": MaskingLogger,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        **control_socket(data_dir),
    }
    if engine is not None:
        options["post_fork"] = forget_inherited_connections(engine)
    return options


def run_gunicorn(
    app: t.Any,
    *,
    bind: str,
    workers: int,
    threads: int = 4,
    access_log: bool = True,
    engine: Engine | None = None,
    data_dir: Path | None = None,
    header_timeout: float = HEADER_TIMEOUT_SECONDS,
) -> None:
    """Serve ``app`` until gunicorn is told to stop (SIGTERM/SIGINT); the options are those
    of :func:`gunicorn_options`."""
    gunicorn.http.wsgi.SERVER = SERVER_HEADER
    options = gunicorn_options(
        bind=bind,
        workers=workers,
        threads=threads,
        access_log=access_log,
        engine=engine,
        data_dir=data_dir,
        header_timeout=header_timeout,
    )
    GunicornServer(app, options).run()


def control_socket(data_dir: Path | None) -> dict[str, t.Any]:
    """gunicorn's control socket in ``data_dir``, or none.

    gunicorn's default is one path per user (``~/.gunicorn/gunicorn.ctl``): a second
    ``serve`` on the host took it over, and the first to stop removed the other's.
    """
    if data_dir is None:
        return {"control_socket_disable": True}
    path = data_dir / CONTROL_SOCKET_NAME
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        log.warning("no gunicorn control socket: %s is too long a path for a socket", path)
        return {"control_socket_disable": True}
    return {"control_socket": str(path)}


def forget_inherited_connections(engine: Engine) -> t.Callable[[t.Any, t.Any], None]:
    """gunicorn's ``post_fork`` hook: a forked worker must not use the database connections
    the master opened (for the schema upgrade), as two processes on one socket corrupt each
    other's conversation.  The inherited pool is dropped without closing its sockets, which
    the master still owns."""

    def post_fork(_server: t.Any, _worker: t.Any) -> None:
        engine.dispose(close=False)

    return post_fork
