"""Background jobs on huey: ``SqliteHuey`` storage in the data directory by default,
Redis when ``BRIDGE_QUEUE_URL`` is a redis:// URL, in-process for ``memory://``.

The queue only wakes workers up; the database stays the source of truth.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Point the process's huey at this app's queue and make this app the one its tasks
    run in (the last app built in a process wins, as there is one huey per process)."""
    from plugin.jobs import tasks
    from plugin.jobs.queue import HueyJobQueue
    from plugin.jobs.queue import huey
    from plugin.services import services

    registry = services(app)
    if registry.settings.queue_url.startswith("sqlite"):
        registry.settings.data_dir.mkdir(parents=True, exist_ok=True)
    huey.configure(registry.settings.queue_url)
    registry.huey = huey
    registry.queue = HueyJobQueue()
    tasks.run_in(app)
