"""The huey tasks: syncs, deliveries, the sweep, reconciliation and housekeeping.

Each task takes ids, loads what it needs through the app's services and calls one
service method.  Names are given explicitly (``name=``) and queued as
``plugin.jobs.<name>`` (:class:`plugin.jobs.queue.StableNameRegistry`), so a job queued
before a module moved still finds its task.
"""

from __future__ import annotations

import datetime as dt
import threading
import typing as t

from flask import Flask
from flask import current_app
from flask import has_app_context
from huey import crontab

from plugin.jobs.queue import huey
from plugin.services import services

HEARTBEAT_KEY = "bridge:consumer-heartbeat"

#: How long an owed sync waits before the sweep asks the vendor again.
OWED_SYNC_RETRY = dt.timedelta(minutes=1)

_process_app: list[Flask] = []


def run_in(app: Flask) -> None:
    """Make ``app`` the one tasks run in when no application context is active."""
    _process_app[:] = [app]


def task_app() -> Flask:
    """The running application: the caller's when a task runs inline (``memory://``
    queue), else the one this process built last (:func:`run_in`)."""
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    if not _process_app:
        from plugin import create_app

        create_app()
    return _process_app[0]


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


@huey.periodic_task(crontab(minute="*"), name="heartbeat")
def heartbeat() -> None:
    """Record that a consumer is alive (shown by ``/healthz``)."""
    from plugin.runtime.cache import cache

    with task_app().app_context():
        cache.set(HEARTBEAT_KEY, dt.datetime.now(dt.UTC).isoformat(), timeout=3600)


def last_heartbeat() -> dt.datetime | None:
    from plugin.runtime.cache import cache

    value: t.Any = cache.get(HEARTBEAT_KEY)
    return dt.datetime.fromisoformat(value) if value else None


@huey.periodic_task(crontab(minute="*/10"), name="prune_launch_state")
def prune_launch_state() -> None:
    """Remove expired login states and launch data from the file store."""
    services(task_app()).shared_store.prune()


@huey.task(name="sync_attempt")
def sync_attempt(attempt_id: int) -> None:
    """Fetch, map and store one attempt's result; queue its deliveries, and one more sync
    when a signal came while this one ran (signals coalesce while a sync is pending)."""
    services(task_app()).sync.sync_queued(attempt_id)


@huey.task(name="deliver")
def deliver(delivery_id: int) -> None:
    """Send one delivery (does nothing when it is not due or another worker holds it)."""
    services(task_app()).delivery_worker.deliver(delivery_id)


@huey.task(name="deliver_batch")
def deliver_batch(delivery_ids: list[int]) -> None:
    """Send several deliveries in turn (queued by a sync of many results at once)."""
    worker = services(task_app()).delivery_worker
    for delivery_id in delivery_ids:
        worker.deliver(delivery_id)


@huey.periodic_task(crontab(minute="*"), name="sweep")
def sweep() -> None:
    """Wake workers for overdue deliveries (including claims of killed workers) and owed
    syncs: the database, not the queue, decides what is left to do."""
    registry = services(task_app())
    for delivery_id in registry.outbox.overdue():
        deliver(delivery_id)
    for attempt_id in registry.sync.owed(retry_after=OWED_SYNC_RETRY):
        sync_attempt(attempt_id)


def _reconcile_due(moment: dt.datetime) -> bool:
    minutes = services(task_app()).settings.reconcile_minutes
    return (moment.hour * 60 + moment.minute) % minutes == 0


@huey.periodic_task(_reconcile_due, name="reconcile")
def reconcile() -> None:
    """Ask every vendor for attempts changed since its cursor (``BRIDGE_RECONCILE_MINUTES``)."""
    services(task_app()).reconciler.run_all()
