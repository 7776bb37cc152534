"""The receiver's per-app objects."""

from __future__ import annotations

import dataclasses
import typing as t

from flask import Response
from flask import current_app
from flask import jsonify

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from plugin.sandbox.ats.webhook.state import ReceiverState

EXTENSION_KEY = "sandbox.webhook"


@dataclasses.dataclass
class WebhookReceiver:
    secret: str
    tolerance: int
    clock: Callable[[], float]
    state: ReceiverState


def current() -> WebhookReceiver:
    receiver: WebhookReceiver = current_app.extensions[EXTENSION_KEY]
    return receiver


def receiver_error(status: int, message: str) -> Response:
    """The receiver's error body, ``{"error": "<reason>"}``."""
    response = jsonify(error=message)
    response.status_code = status
    return response
