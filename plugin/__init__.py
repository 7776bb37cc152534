"""Assessment Bridge: the Flask application and everything it composes."""

from __future__ import annotations

import logging
import os
import typing as t

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Settings
from config import load_settings

log = logging.getLogger(__name__)

SETTINGS_KEY = "bridge.settings"
#: Kept-alive connections per platform for grade deliveries (more than consumer threads).
AGS_POOL_SIZE = 32


def create_app(overrides: dict[str, t.Any] | None = None) -> Flask:
    """Build the application.

    Settings come from ``BRIDGE_*`` environment variables; ``overrides`` may
    replace any of them (same names) and set plain Flask keys such as ``TESTING``.

    :raises config.SettingsError: for a setting the application cannot start with.
    """
    overrides = dict(overrides or {})
    environ = {**os.environ, **{k: str(v) for k, v in overrides.items() if k.startswith("BRIDGE_")}}
    settings = load_settings(environ)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    from plugin import cache
    from plugin.crypto import SecretBox
    from plugin.crypto import load_secret_keys
    from plugin.logs import configure_logging
    from plugin.platforms import PlatformService
    from plugin.store import db
    from plugin.tool_keys import ToolKeyService

    configure_logging(settings.log_level)
    secrets = SecretBox(load_secret_keys(settings))
    app = Flask(__name__, instance_path=str(settings.data_dir))
    app.config.from_mapping(
        SECRET_KEY=secrets.derive_key("flask-session"),
        SESSION_COOKIE_SECURE=settings.is_https,
        SESSION_COOKIE_SAMESITE="None" if settings.is_https else "Lax",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    app.config.update({k: v for k, v in overrides.items() if not k.startswith("BRIDGE_")})
    app.extensions[SETTINGS_KEY] = settings
    app.extensions["bridge.secrets"] = secrets
    if settings.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    engine = db.make_engine(settings.database_url)
    app.extensions["bridge.engine"] = engine
    db.init_app(app, engine)
    cache.init_app(app, settings)
    sessions = db.session_factory(app)
    keys = ToolKeyService(sessions, secrets)
    platforms = PlatformService(sessions)
    app.extensions["bridge.keys"] = keys
    app.extensions["bridge.platforms"] = platforms
    _init_vendor_services(app, sessions, secrets, settings)

    from plugin import lti_tool
    from plugin.web import errors
    from plugin.web import health
    from plugin.web import lti as lti_views
    from plugin.web import signals as signal_views

    lti_tool.init_app(app, settings, platforms, keys)
    _init_sync_services(app, sessions, secrets, settings)
    errors.init_app(app)
    app.register_blueprint(lti_views.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(signal_views.bp)
    return app


def _init_vendor_services(app: Flask, sessions: t.Any, secrets: t.Any, settings: Settings) -> None:
    from plugin.assessments import AssessmentService
    from plugin.attempts import AttemptService
    from plugin.connections import ConnectionService
    from plugin.signals import SignalIntake

    connections = ConnectionService(
        sessions,
        secrets,
        base_url=settings.base_url,
        timeouts=(settings.http_connect_timeout, settings.http_read_timeout),
    )
    app.extensions["bridge.connections"] = connections
    app.extensions["bridge.assessments"] = AssessmentService(sessions)
    app.extensions["bridge.attempts"] = AttemptService(
        sessions, connections, base_url=settings.base_url
    )
    app.extensions["bridge.signals"] = SignalIntake(sessions, connections)


def settings_of(app: Flask) -> Settings:
    settings: Settings = app.extensions[SETTINGS_KEY]
    return settings


def _init_sync_services(app: Flask, sessions: t.Any, secrets: t.Any, settings: Settings) -> None:
    """Results, the outbox and its senders, reconciliation (:mod:`plugin.sync` and friends)."""
    import datetime as dt
    import functools

    from lti.ags.clients import AgsClients
    from lti.ags.sessions import PlatformSessions
    from lti.http import TimeoutSession
    from plugin.ats_connections import AtsConnectionService
    from plugin.ats_sender import AtsSender
    from plugin.deliveries import Outbox
    from plugin.deliveries import RetryPolicy
    from plugin.delivery_worker import DeliveryWorker
    from plugin.job_queue import HueyJobQueue
    from plugin.lms_sender import LmsSender
    from plugin.lti_tool import EXTENSION_KEY
    from plugin.reconcile import Reconciler
    from plugin.result_targets import TargetPlanner
    from plugin.sync import SyncService

    queue = HueyJobQueue()
    outbox = Outbox(
        sessions,
        RetryPolicy(
            first=dt.timedelta(seconds=settings.retry_first_seconds),
            max_tries=settings.delivery_max_tries,
            lease=dt.timedelta(seconds=settings.delivery_lease_seconds),
        ),
    )
    ats = AtsConnectionService(
        sessions, secrets, timeouts=(settings.http_connect_timeout, settings.http_read_timeout)
    )
    http = functools.partial(
        TimeoutSession,
        connect_timeout=settings.http_connect_timeout,
        read_timeout=settings.http_read_timeout,
        # One session per platform is shared by every consumer thread.
        pool_size=AGS_POOL_SIZE,
    )
    ags = AgsClients(
        app.extensions["bridge.keys"],
        app.extensions[EXTENSION_KEY].ephemeral,
        sessions=PlatformSessions(http),
    )
    connections = app.extensions["bridge.connections"]
    sync = SyncService(sessions, connections, secrets, outbox, TargetPlanner(), queue)
    app.extensions.update(
        {
            "bridge.queue": queue,
            "bridge.outbox": outbox,
            "bridge.ats": ats,
            "bridge.ags": ags,
            "bridge.sync": sync,
            "bridge.delivery_worker": DeliveryWorker(
                outbox,
                LmsSender(sessions, app.extensions["bridge.platforms"], ags),
                AtsSender(sessions, ats),
                queue,
            ),
            "bridge.reconciler": Reconciler(sessions, connections, sync),
        }
    )
