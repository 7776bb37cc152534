"""A database another process holds: ``503`` with ``Retry-After`` at once, not a thread held
for half a minute.

A web request waits at most ``BRIDGE_DB_LOCK_WAIT_SECONDS`` for a lock
(:mod:`plugin.store.db`); then :class:`~plugin.store.db.DatabaseBusyError` ends here.  The
statement that waited changed nothing, and every callback may be sent again, so vendors
retrying on ``503`` (as they do) deliver it later.
"""

from __future__ import annotations

from flask import Flask
from flask import Response

from plugin.services import services
from plugin.store.db import DatabaseBusyError
from plugin.web.errors import refusal

#: What ``Retry-After`` asks for: the lock is usually gone by then, and a retry storm is not
#: what a busy database needs.
RETRY_AFTER_SECONDS = 5


def _busy(_error: DatabaseBusyError) -> tuple[Response | str, int, dict[str, str]]:
    wait = services().settings.db_lock_wait_seconds
    body, status = refusal(
        status=503,
        code="database_busy",
        message="The database is busy; try again in a few seconds.",
        admin_hint=(
            f"Another process held a database lock for longer than this request waits"
            f" (BRIDGE_DB_LOCK_WAIT_SECONDS={wait:g}): a long command, a backup or a"
            " migration, or a SQLite file opened by another program."
        ),
    )
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    app.register_error_handler(DatabaseBusyError, _busy)
