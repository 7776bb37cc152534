"""Factory of the Greenhouse Harvest v3 simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask
from flask import Response
from werkzeug.exceptions import HTTPException

from plugin.sandbox.ats.greenhouse import api
from plugin.sandbox.ats.greenhouse import control
from plugin.sandbox.ats.greenhouse import oauth
from plugin.sandbox.ats.greenhouse.context import EXTENSION_KEY
from plugin.sandbox.ats.greenhouse.context import GreenhouseSimulator
from plugin.sandbox.ats.greenhouse.context import finish_response
from plugin.sandbox.ats.greenhouse.errors import ApiError
from plugin.sandbox.ats.greenhouse.errors import OAuthError
from plugin.sandbox.ats.greenhouse.errors import render_api_error
from plugin.sandbox.ats.greenhouse.errors import render_error
from plugin.sandbox.ats.greenhouse.errors import render_oauth_error
from plugin.sandbox.ats.greenhouse.ratelimit import RateLimiter
from plugin.sandbox.ats.greenhouse.state import GreenhouseState
from plugin.sandbox.vendors.faults import install_faults

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable


def create_greenhouse_app(
    *,
    client_id: str,
    client_secret: str,
    users: Iterable[int],
    rate_limit: int = 50,
    window_seconds: float = 10.0,
    token_lifetime: int = 3600,
    page_size: int = 100,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """A strict stand-in for ``harvest.greenhouse.io`` and its token endpoint (``/token``).

    :param client_id: the OAuth2 client of the integration.
    :param client_secret: its secret.
    :param users: ids of the Greenhouse users a token may act as (``sub``) and notes
        may be written by.
    :param rate_limit: requests per window and access token (``X-RateLimit-Limit``).
    :param window_seconds: the window length (Greenhouse: 10 s; shorter in tests).
    :param token_lifetime: seconds an access token is valid (``expires_in``).
    :param page_size: ``per_page`` of a list request that gives none.
    :param clock: Unix time source.
    """
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = GreenhouseSimulator(
        client_id=client_id,
        client_secret=client_secret,
        users=frozenset(users),
        token_lifetime=token_lifetime,
        page_size=page_size,
        state=GreenhouseState(),
        limiter=RateLimiter(rate_limit, window_seconds, clock),
        clock=clock,
    )
    install_faults(app, render_error)
    for blueprint in (oauth.bp, api.bp, control.bp):
        app.register_blueprint(blueprint)
    app.register_error_handler(ApiError, render_api_error)
    app.register_error_handler(OAuthError, render_oauth_error)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(finish_response)
    return app


def _http_error(exc: HTTPException) -> Response:
    return render_error(exc.code or 500, exc.description or exc.name)
