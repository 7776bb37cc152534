"""Factory of the iMocha simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask

from plugin.sandbox.vendors.common import install_simulator
from plugin.sandbox.vendors.imocha import api
from plugin.sandbox.vendors.imocha import candidate
from plugin.sandbox.vendors.imocha import control
from plugin.sandbox.vendors.imocha.callbacks import CallbackSender
from plugin.sandbox.vendors.imocha.context import EXTENSION_KEY
from plugin.sandbox.vendors.imocha.context import IMochaSimulator
from plugin.sandbox.vendors.imocha.errors import SimulatorError
from plugin.sandbox.vendors.imocha.errors import error_response
from plugin.sandbox.vendors.imocha.errors import render_http_error
from plugin.sandbox.vendors.imocha.state import IMochaState

if t.TYPE_CHECKING:
    from collections.abc import Callable


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
    install_simulator(
        app,
        blueprints=(api.bp, control.bp, candidate.bp),
        render_error=render_http_error,
        exempt_prefix=api.CANDIDATE_PAGE,
        http_errors=(404, 405),
    )
    app.register_error_handler(SimulatorError, error_response)
    return app
