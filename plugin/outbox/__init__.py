"""The outbox: durable deliveries of result versions to the LMS gradebook and to ATSs,
the worker that sends them, its senders, and the read side people look at."""

from __future__ import annotations

import datetime as dt
import functools

from flask import Flask

#: Kept-alive connections per platform for grade deliveries (more than consumer threads).
AGS_POOL_SIZE = 32


def init_app(app: Flask) -> None:
    from lti.ags.factory import AgsClientFactory
    from lti.ags.sessions import PlatformSessions
    from lti.http import TimeoutSession
    from plugin.outbox.deliveries import Outbox
    from plugin.outbox.deliveries import RetryPolicy
    from plugin.outbox.report import DeliveryReport
    from plugin.outbox.senders.ats import AtsSender
    from plugin.outbox.senders.lms import LmsSender
    from plugin.outbox.worker import DeliveryWorker
    from plugin.services import services

    registry = services(app)
    settings = registry.settings
    registry.outbox = Outbox(
        registry.sessions,
        RetryPolicy(
            first=dt.timedelta(seconds=settings.retry_first_seconds),
            max_tries=settings.delivery_max_tries,
            lease=dt.timedelta(seconds=settings.delivery_lease_seconds),
        ),
    )
    http = functools.partial(
        TimeoutSession,
        connect_timeout=settings.http_connect_timeout,
        read_timeout=settings.http_read_timeout,
        # One session per platform is shared by every consumer thread.
        pool_size=AGS_POOL_SIZE,
    )
    registry.ags = AgsClientFactory(
        registry.keys, registry.shared_store, sessions=PlatformSessions(http)
    )
    registry.delivery_report = DeliveryReport(registry.sessions)
    registry.delivery_worker = DeliveryWorker(
        registry.outbox,
        LmsSender(registry.sessions, registry.platforms, registry.ags),
        AtsSender(registry.sessions, registry.ats_connections),
        registry.queue,
    )
