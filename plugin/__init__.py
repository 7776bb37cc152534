"""Assessment Bridge: the Flask application and everything it composes."""

from __future__ import annotations

import os
import typing as t

from flask import Flask

from config import load_settings


def create_app(overrides: dict[str, t.Any] | None = None) -> Flask:
    """Build the application.

    Settings come from ``BRIDGE_*`` environment variables; ``overrides`` may
    replace any of them (same names) and set plain Flask keys such as ``TESTING``.

    :raises config.SettingsError: for a setting the application cannot start with.
    """
    overrides = dict(overrides or {})
    bridge = {key: str(value) for key, value in overrides.items() if key.startswith("BRIDGE_")}
    settings = load_settings({**os.environ, **bridge})
    from plugin.runtime.files import prepare_data_dir

    prepare_data_dir(settings)
    app = Flask(__name__, instance_path=str(settings.data_dir))

    from plugin import ats
    from plugin import attempts
    from plugin import jobs
    from plugin import outbox
    from plugin import registrations
    from plugin import runtime
    from plugin import services
    from plugin import sync
    from plugin import vendors
    from plugin import web

    services.init_app(app, settings)
    runtime.init_app(app)
    app.config.update({k: v for k, v in overrides.items() if not k.startswith("BRIDGE_")})
    jobs.init_app(app)
    registrations.init_app(app)
    vendors.init_app(app)
    ats.init_app(app)
    attempts.init_app(app)
    outbox.init_app(app)
    sync.init_app(app)
    web.init_app(app)
    return app
