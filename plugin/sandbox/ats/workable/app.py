"""Factory of the Workable simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask
from flask import Response
from flask import request

from plugin.sandbox.ats.workable import api
from plugin.sandbox.ats.workable import control
from plugin.sandbox.ats.workable.context import EXTENSION_KEY
from plugin.sandbox.ats.workable.context import WorkableSimulator
from plugin.sandbox.ats.workable.context import current
from plugin.sandbox.ats.workable.context import workable_error
from plugin.sandbox.ats.workable.limiter import IntervalLimiter
from plugin.sandbox.ats.workable.state import SimulatorError
from plugin.sandbox.ats.workable.state import WorkableState
from plugin.sandbox.vendors.common import install_simulator

if t.TYPE_CHECKING:
    from collections.abc import Callable


def create_workable_app(
    *,
    subdomain: str,
    token: str,
    rate_limit: int = 10,
    window_seconds: float = 10.0,
    page_size: int = 50,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """A strict stand-in for ``https://<subdomain>.workable.com/spi/v3`` (one account).

    :param token: the only accepted account token.
    :param rate_limit: requests per interval and token (account tokens: 10).
    :param window_seconds: interval length (Workable: 10 s; tests use less).
    :param page_size: candidates per listing page when no ``limit`` is given.
    :param clock: Unix time source of the intervals.
    """
    if not 1 <= page_size <= api.MAX_LIMIT:
        raise ValueError(f"page_size must be from 1 to {api.MAX_LIMIT}")
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = WorkableSimulator(
        subdomain,
        token,
        page_size,
        WorkableState(),
        IntervalLimiter(rate_limit, window_seconds, clock),
    )
    install_simulator(
        app,
        blueprints=(api.bp, control.bp),
        render_error=workable_error,
        exempt_prefix=control.bp.url_prefix or "/sandbox",
        http_errors=(404, 405),
    )
    app.register_error_handler(SimulatorError, _api_error)
    app.after_request(_rate_headers_and_count)
    return app


def _api_error(exc: SimulatorError) -> Response:
    return workable_error(exc.status, exc.message)


def _rate_headers_and_count(response: Response) -> Response:
    """Every API answer (faults included) carries the token's interval and is counted."""
    if request.path.startswith(api.PREFIX):
        simulator = current()
        response.headers.update(simulator.limiter.headers(api.presented_token()))
        endpoint = request.url_rule.endpoint.rsplit(".", 1)[-1] if request.url_rule else "unknown"
        simulator.state.count(endpoint, response.status_code)
    return response
