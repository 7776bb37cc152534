"""Running the WSGI app under gunicorn, with access logs that never show secrets.

Callback and return URLs carry unguessable tokens; gunicorn's access log would
print them verbatim, so its log atoms pass through :func:`plugin.runtime.logs.mask_secrets`.
"""

from __future__ import annotations

import typing as t

import gunicorn.http.wsgi
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from plugin.runtime.logs import mask_secrets

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
#: What gunicorn sends as ``Server``: it always writes the header, from the ``SERVER``
#: its response module imported (``gunicorn``), so naming neither the server nor a version
#: means replacing that module's copy before the workers fork.
SERVER_HEADER = "assessment-bridge"


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


def run_gunicorn(
    app: t.Any, *, bind: str, workers: int, threads: int = 4, access_log: bool = True
) -> None:
    """Serve ``app`` until gunicorn is told to stop (SIGTERM/SIGINT)."""
    gunicorn.http.wsgi.SERVER = SERVER_HEADER
    GunicornServer(
        app,
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 60,
            "logger_class": MaskingLogger,
            "accesslog": "-" if access_log else None,
            "access_log_format": ACCESS_LOG_FORMAT,
            "post_fork": _forget_inherited_connections,
        },
    ).run()


def _forget_inherited_connections(server: t.Any, worker: t.Any) -> None:
    """A forked worker must not use the database connections the master opened (for the
    schema upgrade): two processes on one socket corrupt each other's conversation.  The
    inherited pool is dropped without closing its sockets, which the master still owns."""
    engine = getattr(worker.app.wsgi(), "extensions", {}).get("bridge.engine")
    if engine is not None:
        engine.dispose(close=False)
