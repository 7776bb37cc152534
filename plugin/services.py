"""The typed registry of one application's services.

Every long-lived object the views, commands and tasks use lives on one
:class:`Services` instance in ``app.extensions``, read through :func:`services`.
Each part of :mod:`plugin` fills in its own fields from its ``init_app``, in the
order :func:`plugin.create_app` calls them; a field read before its part was set
up raises ``AttributeError`` naming it.
"""

from __future__ import annotations

import dataclasses
import typing as t

from flask import Flask
from flask import current_app

if t.TYPE_CHECKING:
    from huey.api import Huey
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker

    from config import Settings
    from lti.ags.factory import AgsClientFactory
    from plugin.ats.connections import AtsConnectionService
    from plugin.attempts.assessments import AssessmentService
    from plugin.attempts.completions import CompletionIntake
    from plugin.attempts.start import AttemptService
    from plugin.jobs.queue import JobQueue
    from plugin.outbox.deliveries import Outbox
    from plugin.outbox.report import DeliveryReport
    from plugin.outbox.worker import DeliveryWorker
    from plugin.registrations.invites import RegistrationInvites
    from plugin.registrations.lti_tool import LtiTool
    from plugin.registrations.platforms import PlatformService
    from plugin.registrations.tool_keys import ToolKeyService
    from plugin.runtime.crypto import SecretBox
    from plugin.runtime.key_check import KeyCheck
    from plugin.runtime.rate_limit import RateLimiter
    from plugin.runtime.shared_store import ExpiringStore
    from plugin.sync.reconcile import Reconciler
    from plugin.sync.service import SyncService
    from plugin.vendors.connections import VendorConnectionService

EXTENSION_KEY = "bridge"


@dataclasses.dataclass(eq=False)
class Services:
    """What one application is made of, grouped by the part that sets it up."""

    settings: Settings

    # plugin.runtime
    secrets: SecretBox = dataclasses.field(init=False, repr=False)
    engine: Engine = dataclasses.field(init=False, repr=False)
    sessions: sessionmaker[Session] = dataclasses.field(init=False, repr=False)
    shared_store: ExpiringStore = dataclasses.field(init=False, repr=False)
    key_check: KeyCheck = dataclasses.field(init=False, repr=False)
    login_limiter: RateLimiter = dataclasses.field(init=False, repr=False)

    # plugin.jobs
    huey: Huey = dataclasses.field(init=False, repr=False)
    queue: JobQueue = dataclasses.field(init=False, repr=False)

    # plugin.registrations
    keys: ToolKeyService = dataclasses.field(init=False, repr=False)
    platforms: PlatformService = dataclasses.field(init=False, repr=False)
    lti: LtiTool = dataclasses.field(init=False, repr=False)
    invites: RegistrationInvites = dataclasses.field(init=False, repr=False)

    # plugin.vendors and plugin.ats
    vendor_connections: VendorConnectionService = dataclasses.field(init=False, repr=False)
    ats_connections: AtsConnectionService = dataclasses.field(init=False, repr=False)

    # plugin.attempts
    assessments: AssessmentService = dataclasses.field(init=False, repr=False)
    attempts: AttemptService = dataclasses.field(init=False, repr=False)
    completions: CompletionIntake = dataclasses.field(init=False, repr=False)

    # plugin.outbox
    ags: AgsClientFactory = dataclasses.field(init=False, repr=False)
    outbox: Outbox = dataclasses.field(init=False, repr=False)
    delivery_report: DeliveryReport = dataclasses.field(init=False, repr=False)
    delivery_worker: DeliveryWorker = dataclasses.field(init=False, repr=False)

    # plugin.sync
    sync: SyncService = dataclasses.field(init=False, repr=False)
    reconciler: Reconciler = dataclasses.field(init=False, repr=False)


def init_app(app: Flask, settings: Settings) -> Services:
    registry = Services(settings)
    app.extensions[EXTENSION_KEY] = registry
    return registry


def services(app: Flask | None = None) -> Services:
    """The services of ``app``, or of the current application."""
    registry: Services = (app or current_app).extensions[EXTENSION_KEY]
    return registry
