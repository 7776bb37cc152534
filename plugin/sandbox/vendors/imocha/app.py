"""Factory of the iMocha simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask
from flask import Response

from plugin.sandbox.vendors.faults import install_faults
from plugin.sandbox.vendors.imocha import api
from plugin.sandbox.vendors.imocha import control
from plugin.sandbox.vendors.imocha import pages
from plugin.sandbox.vendors.imocha.callbacks import CallbackSender
from plugin.sandbox.vendors.imocha.context import EXTENSION_KEY
from plugin.sandbox.vendors.imocha.context import IMochaSimulator
from plugin.sandbox.vendors.imocha.context import error_response
from plugin.sandbox.vendors.imocha.context import render_http_error
from plugin.sandbox.vendors.imocha.state import IMochaState
from plugin.sandbox.vendors.imocha.state import SimulatorError

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from werkzeug.exceptions import HTTPException


def create_imocha_app(
    *,
    api_key: str,
    callback_url: str | None = None,
    clock: Callable[[], float] = time.time,
    callback_retry_delay: float = 0.0,
    callback_timeout: float = 5.0,
) -> Flask:
    """A strict stand-in for ``https://apiv3.imocha.io`` holding one account.

    :param api_key: the account's ``X-API-KEY``.
    :param callback_url: where callbacks of invitations made without ``callbackUrl`` go.
    :param clock: Unix time source (invitation times, Retrieve Invites windows).
    :param callback_retry_delay: pause before each of the 5 retries of a failed callback.
    :param callback_timeout: seconds to wait for the receiver of a callback.
    """
    app = Flask(__name__)
    state = IMochaState()
    state.default_callback_url = callback_url
    sender = CallbackSender(retry_delay=callback_retry_delay, timeout=callback_timeout, clock=clock)
    app.extensions[EXTENSION_KEY] = IMochaSimulator(api_key, state, sender, clock)
    install_faults(app, render_http_error, exempt_prefixes=(api.CANDIDATE_PAGE,))
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(pages.bp)
    app.register_error_handler(SimulatorError, error_response)
    app.register_error_handler(404, _http_error)
    app.register_error_handler(405, _http_error)
    return app


def _http_error(exc: HTTPException) -> Response:
    return render_http_error(exc.code or 400, exc.description or exc.name)
