"""Factory of the webhook receiver simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask
from flask import Response
from flask import request

from plugin.sandbox.ats.webhook import control
from plugin.sandbox.ats.webhook import hook
from plugin.sandbox.ats.webhook.context import EXTENSION_KEY
from plugin.sandbox.ats.webhook.context import WebhookReceiver
from plugin.sandbox.ats.webhook.context import current
from plugin.sandbox.ats.webhook.context import receiver_error
from plugin.sandbox.ats.webhook.state import ReceiverState
from plugin.sandbox.vendors.common import install_simulator

if t.TYPE_CHECKING:
    from collections.abc import Callable


def create_webhook_receiver_app(
    *, secret: str, tolerance: int = 300, clock: Callable[[], float] = time.time
) -> Flask:
    """A customer's receiver of signed deliveries, at ``POST /webhook``.

    :param secret: the shared signing secret.
    :param tolerance: largest accepted age (either way) of a signature, in seconds.
    :param clock: Unix time source of the staleness check.
    """
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = WebhookReceiver(secret, tolerance, clock, ReceiverState())
    install_simulator(
        app,
        blueprints=(hook.bp, control.bp),
        render_error=receiver_error,
        exempt_prefix="/sandbox/",
        http_errors=(404, 405),
    )
    app.after_request(_count)
    return app


def _count(response: Response) -> Response:
    if request.path == hook.PATH:
        current().state.answered(response.status_code)
    return response
