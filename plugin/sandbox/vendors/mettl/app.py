"""Factory of the Mettl simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask
from flask import Response

from plugin.sandbox.vendors.common import install_simulator
from plugin.sandbox.vendors.mettl import api
from plugin.sandbox.vendors.mettl import candidate
from plugin.sandbox.vendors.mettl import control
from plugin.sandbox.vendors.mettl.context import EXTENSION_KEY
from plugin.sandbox.vendors.mettl.context import MettlSimulator
from plugin.sandbox.vendors.mettl.errors import SimulatorError
from plugin.sandbox.vendors.mettl.errors import mettl_error
from plugin.sandbox.vendors.mettl.errors import render_http_error
from plugin.sandbox.vendors.mettl.flow import Flows
from plugin.sandbox.vendors.mettl.notifications import DEFAULT_RETRY_DELAYS
from plugin.sandbox.vendors.mettl.notifications import Notifier
from plugin.sandbox.vendors.mettl.state import MettlState

if t.TYPE_CHECKING:
    from collections.abc import Callable


def create_mettl_app(
    *,
    public_key: str,
    private_key: str,
    callback_url: str | None = None,
    clock: Callable[[], float] = time.time,
    account_name: str = "Sandbox Account",
    notification_retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
    notification_timeout: float = 5.0,
) -> Flask:
    """A strict stand-in for ``https://api.mettl.com`` holding one account.

    :param public_key: the account's Public-API-Key (``ak``).
    :param private_key: the Private-API-Key that signs requests.
    :param callback_url: finish and graded notification URL of every schedule created
        (a schedule's own settings take precedence).
    :param clock: Unix time source (timestamp checks, test times).
    :param notification_retry_delays: pauses before each retry of a failed notification.
    :param notification_timeout: seconds to wait for the receiver of a notification.
    """
    app = Flask(__name__)
    state = MettlState()
    state.default_notification_url = callback_url
    notifier = Notifier(
        retry_delays=notification_retry_delays, timeout=notification_timeout, clock=clock
    )
    app.extensions[EXTENSION_KEY] = MettlSimulator(
        public_key, private_key, account_name, state, Flows(state, notifier, clock), notifier, clock
    )
    install_simulator(
        app,
        blueprints=(api.bp, control.bp, candidate.bp),
        render_error=render_http_error,
        exempt_prefix=candidate.PREFIX,
        http_errors=(404, 405),
    )
    app.register_error_handler(SimulatorError, _api_error)
    return app


def _api_error(exc: SimulatorError) -> Response:
    return mettl_error(exc.code, exc.message)
