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
import typing as t
from urllib.parse import urlsplit

from flask import Flask
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


@huey.on_startup()
def record_startup() -> None:
    """A consumer that starts counts as alive at once, not a minute later."""
    heartbeat.call_local()


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
