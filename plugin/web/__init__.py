"""The HTTP surface: one blueprint per module, and one way to refuse a request."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from plugin.web import busy
    from plugin.web import callbacks
    from plugin.web import errors
    from plugin.web import exit_page
    from plugin.web import headers
    from plugin.web import health
    from plugin.web import lti
    from plugin.web import player
    from plugin.web import registration

    errors.init_app(app)
    busy.init_app(app)
    headers.init_app(app)
    app.register_blueprint(lti.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(callbacks.bp)
    app.register_blueprint(exit_page.bp)
    app.register_blueprint(player.bp)
