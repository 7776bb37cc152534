"""What every other part runs on: secrets, the database, caches, logging, the server."""

from __future__ import annotations

from flask import Flask

#: Largest request body accepted (callbacks and passbacks are small).
MAX_CONTENT_LENGTH = 2 * 1024 * 1024


def init_app(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from plugin.runtime import cache
    from plugin.runtime.crypto import KEY_FILE_NAME
    from plugin.runtime.crypto import SecretBox
    from plugin.runtime.crypto import load_secret_keys
    from plugin.runtime.key_check import KeyCheck
    from plugin.runtime.logs import configure_logging
    from plugin.runtime.rate_limit import RateLimiter
    from plugin.runtime.shared_store import store_for
    from plugin.services import services
    from plugin.store import db

    registry = services(app)
    settings = registry.settings
    configure_logging(settings.log_level)
    registry.secrets = SecretBox(load_secret_keys(settings))
    app.config.from_mapping(
        SECRET_KEY=registry.secrets.derive_key("flask-session"),
        SESSION_COOKIE_SECURE=settings.is_https,
        SESSION_COOKIE_SAMESITE="None" if settings.is_https else "Lax",
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
    )
    if settings.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    # A web request waits briefly for a lock and is answered 503; other work waits longer.
    registry.engine = db.make_engine(
        settings.database_url, request_lock_wait=settings.db_lock_wait_seconds
    )
    registry.sessions = db.init_app(app, registry.engine)
    cache.init_app(app, settings)
    key_file = None if settings.secret_keys else settings.data_dir / KEY_FILE_NAME
    registry.key_check = KeyCheck(registry.engine, registry.secrets, key_file=key_file)
    store = store_for(settings.cache_url, settings.data_dir)
    registry.shared_store = store
    registry.login_limiter = RateLimiter(
        store, name="login", limit=settings.login_rate_limit, window_seconds=60
    )
