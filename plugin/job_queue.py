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

    def deliver_many(self, delivery_ids: t.Sequence[int]) -> None:
        """Send these deliveries now (in a few jobs, each sending several)."""


#: Deliveries one job sends in turn: few enough that a page of results still spreads over
#: every consumer thread, enough that queueing a page costs a handful of writes.
DELIVERIES_PER_JOB = 10


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

    def deliver_many(self, delivery_ids: t.Sequence[int]) -> None:
        from plugin import jobs

        if len(delivery_ids) == 1:
            jobs.deliver(delivery_ids[0])
            return
        for start in range(0, len(delivery_ids), DELIVERIES_PER_JOB):
            jobs.deliver_batch(list(delivery_ids[start : start + DELIVERIES_PER_JOB]))
