"""The job queue: one huey instance per process, its storage chosen from ``Settings`` by
the app factory, and the narrow interface services use to wake workers.

The queue holds only wake-up calls; losing one loses nothing, because the sweep
finds owed syncs and overdue deliveries in the database.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from urllib.parse import urlsplit

from huey.api import Huey
from huey.registry import Registry
from huey.storage import MemoryStorage
from huey.storage import RedisStorage
from huey.storage import SqliteStorage

if t.TYPE_CHECKING:
    from config import Settings

QUEUE_NAME = "assessment-bridge"
#: Prefix of every task's name in queued messages; kept when modules move, so jobs
#: queued by an older release still resolve.
TASK_NAME_PREFIX = "plugin.jobs."


class StableNameRegistry(Registry):  # type: ignore[misc]
    """Names tasks ``plugin.jobs.<name>`` whatever module declares them."""

    def task_to_string(self, task_class: type) -> str:
        return TASK_NAME_PREFIX + task_class.__name__


class BridgeHuey(Huey):  # type: ignore[misc]
    """A huey whose storage is set by :meth:`configure` (tasks are declared against the
    instance at import time; the app factory says where their messages go)."""

    def __init__(self) -> None:
        super().__init__(QUEUE_NAME, utc=True, storage_class=MemoryStorage)
        self._registry = StableNameRegistry()

    def configure(self, queue_url: str) -> None:
        """Use the queue ``queue_url`` names: ``sqlite:///PATH``, ``redis://...``, or
        ``memory://`` (tasks run as soon as they are queued)."""
        storage_class, kwargs = _storage_for(queue_url)
        self.storage_class, self.storage_kwargs = storage_class, kwargs
        self._immediate = storage_class is MemoryStorage
        self.storage = self.create_storage()


def _storage_for(queue_url: str) -> tuple[type, dict[str, t.Any]]:
    parts = urlsplit(queue_url)
    if parts.scheme == "sqlite":
        return SqliteStorage, {"filename": parts.path}
    if parts.scheme in {"redis", "rediss"}:
        return RedisStorage, {"url": queue_url}
    return MemoryStorage, {}


def inspect_queue(settings: Settings) -> Huey:
    """A separate handle on the queue ``settings`` name, to count or flush its messages."""
    storage_class, kwargs = _storage_for(settings.queue_url)
    return Huey(QUEUE_NAME, utc=True, storage_class=storage_class, **kwargs)


huey = BridgeHuey()


class JobQueue(t.Protocol):
    def sync(self, attempt_id: int) -> None:
        """Run a sync of ``attempt_id`` soon."""

    def deliver(self, delivery_id: int, *, eta: dt.datetime | None = None) -> None:
        """Send ``delivery_id`` now, or at ``eta``."""

    def deliver_many(self, delivery_ids: t.Sequence[int]) -> None:
        """Send these deliveries now (in a few jobs, each sending several)."""


#: Deliveries one job sends in turn: few enough that a page of results still spreads over
#: every consumer thread, enough that queueing a page costs a handful of writes.
DELIVERIES_PER_JOB = 10


class HueyJobQueue:
    """Enqueues the huey tasks of :mod:`plugin.jobs.tasks`."""

    def sync(self, attempt_id: int) -> None:
        from plugin.jobs import tasks

        tasks.sync_attempt(attempt_id)

    def deliver(self, delivery_id: int, *, eta: dt.datetime | None = None) -> None:
        from plugin.jobs import tasks

        if eta is None:
            tasks.deliver(delivery_id)
        else:
            tasks.deliver.schedule((delivery_id,), eta=eta)

    def deliver_many(self, delivery_ids: t.Sequence[int]) -> None:
        from plugin.jobs import tasks

        if len(delivery_ids) == 1:
            tasks.deliver(delivery_ids[0])
            return
        for start in range(0, len(delivery_ids), DELIVERIES_PER_JOB):
            tasks.deliver_batch(list(delivery_ids[start : start + DELIVERIES_PER_JOB]))
