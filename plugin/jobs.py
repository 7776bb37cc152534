"""Background jobs on huey: ``SqliteHuey`` in the data directory by default,
``RedisHuey`` when ``BRIDGE_QUEUE_URL`` is a redis:// URL.

The queue only wakes workers up; the database stays the source of truth. The
huey instance is built from the environment when this module is imported, so
the web processes (which enqueue) and the consumer (which runs) agree on it.
Task bodies run inside an application context built once per consumer process.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import typing as t
from urllib.parse import urlsplit

from flask import Flask
from flask import current_app
from flask import has_app_context
from huey import MemoryHuey
from huey import RedisHuey
from huey import SqliteHuey
from huey import crontab
from huey.api import Huey

from config import Settings
from config import load_settings

HEARTBEAT_KEY = "bridge:consumer-heartbeat"


def make_huey(settings: Settings) -> Huey:
    parts = urlsplit(settings.queue_url)
    if parts.scheme == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("assessment-bridge", filename=parts.path, utc=True)
    if parts.scheme in {"redis", "rediss"}:
        return RedisHuey("assessment-bridge", url=settings.queue_url, utc=True)
    return MemoryHuey("assessment-bridge", immediate=True, utc=True)


huey = make_huey(load_settings())


@functools.cache
def consumer_app() -> Flask:
    """The application the consumer's tasks run in (one per process)."""
    from plugin import create_app

    return create_app()


def task_app() -> Flask:
    """The running application: the caller's when a task runs inline (``memory://``
    queue), else the consumer's."""
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    return consumer_app()


#: Taken by the first worker thread to start, and kept.
_first_start = threading.Lock()


@huey.on_startup()
def record_startup() -> None:
    """A consumer that starts counts as alive at once and sweeps at once (once per process,
    though every worker thread runs this): work a killed consumer left behind is picked up
    without waiting for the next minute."""
    if not _first_start.acquire(blocking=False):
        return
    heartbeat.call_local()
    sweep()


@huey.periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Record that a consumer is alive (shown by ``/healthz``)."""
    from plugin.cache import cache

    with consumer_app().app_context():
        cache.set(HEARTBEAT_KEY, dt.datetime.now(dt.UTC).isoformat(), timeout=3600)


def last_heartbeat() -> dt.datetime | None:
    from plugin.cache import cache

    value: t.Any = cache.get(HEARTBEAT_KEY)
    return dt.datetime.fromisoformat(value) if value else None


@huey.periodic_task(crontab(minute="*/10"))
def prune_launch_state() -> None:
    """Remove expired login states and launch data from the file store."""
    from plugin.lti_tool import EXTENSION_KEY

    consumer_app().extensions[EXTENSION_KEY].ephemeral.prune()


#: How long an owed sync waits before the sweep asks the vendor again.
OWED_SYNC_RETRY = dt.timedelta(minutes=1)


@huey.task()
def sync_attempt(attempt_id: int) -> None:
    """Fetch, map and store one attempt's result; queue its deliveries."""
    task_app().extensions["bridge.sync"].sync(attempt_id)


@huey.task()
def deliver(delivery_id: int) -> None:
    """Send one delivery (does nothing when it is not due or another worker holds it)."""
    task_app().extensions["bridge.delivery_worker"].deliver(delivery_id)


@huey.task()
def deliver_batch(delivery_ids: list[int]) -> None:
    """Send several deliveries in turn (queued by a sync of many results at once)."""
    worker = task_app().extensions["bridge.delivery_worker"]
    for delivery_id in delivery_ids:
        worker.deliver(delivery_id)


@huey.periodic_task(crontab(minute="*"))
def sweep() -> None:
    """Wake workers for overdue deliveries (including claims of killed workers) and owed
    syncs: the database, not the queue, decides what is left to do."""
    app = task_app()
    for delivery_id in app.extensions["bridge.outbox"].overdue():
        deliver(delivery_id)
    for attempt_id in app.extensions["bridge.sync"].owed(retry_after=OWED_SYNC_RETRY):
        sync_attempt(attempt_id)


def _reconcile_due(moment: dt.datetime) -> bool:
    minutes: int = task_app().extensions["bridge.settings"].reconcile_minutes
    return (moment.hour * 60 + moment.minute) % minutes == 0


@huey.periodic_task(_reconcile_due)
def reconcile() -> None:
    """Ask every vendor for attempts changed since its cursor (``BRIDGE_RECONCILE_MINUTES``)."""
    task_app().extensions["bridge.reconciler"].run_all()
