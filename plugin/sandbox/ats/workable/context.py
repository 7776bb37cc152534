"""The simulator's per-app objects and the helpers its views share."""

from __future__ import annotations

import dataclasses
import typing as t

from flask import Response
from flask import current_app
from flask import jsonify

if t.TYPE_CHECKING:
    from plugin.sandbox.ats.workable.limiter import IntervalLimiter
    from plugin.sandbox.ats.workable.state import WorkableState

EXTENSION_KEY = "sandbox.workable"


@dataclasses.dataclass
class WorkableSimulator:
    subdomain: str
    token: str
    page_size: int
    state: WorkableState
    limiter: IntervalLimiter


def current() -> WorkableSimulator:
    simulator: WorkableSimulator = current_app.extensions[EXTENSION_KEY]
    return simulator


def workable_error(status: int, message: str) -> Response:
    """Workable's error body, ``{"error": "<reason>"}``."""
    response = jsonify(error=message)
    response.status_code = status
    return response
