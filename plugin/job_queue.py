"""How services wake workers: a sync or a delivery to run now or at a time.

The queue holds only wake-up calls; losing one loses nothing, because the sweep
finds owed syncs and overdue deliveries in the database.
"""

from __future__ import annotations

import datetime as dt
import typing as t


class JobQueue(t.Protocol):
    def sync(self, attempt_id: int) -> None:
        """Run a sync of ``attempt_id`` soon."""

    def deliver(self, delivery_id: int, *, eta: dt.datetime | None = None) -> None:
        """Send ``delivery_id`` now, or at ``eta``."""


class HueyJobQueue:
    """Enqueues the huey tasks of :mod:`plugin.jobs`."""

    def sync(self, attempt_id: int) -> None:
        from plugin import jobs

        jobs.sync_attempt(attempt_id)

    def deliver(self, delivery_id: int, *, eta: dt.datetime | None = None) -> None:
        from plugin import jobs

        if eta is None:
            jobs.deliver(delivery_id)
        else:
            jobs.deliver.schedule((delivery_id,), eta=eta)
