"""Control API of the webhook receiver (``/sandbox/...``, JSON, loopback callers only).

- ``GET /sandbox/received``: stored deliveries ``[{"idempotency_key", "signature",
  "body"}]`` in arrival order
- ``GET /sandbox/stats``: ``counts`` (accepted, duplicate, conflict, pings) and
  ``statuses`` (answers by HTTP status)
- ``PUT /sandbox/answer`` ``{"status": 100-599 | null, "body"?: {...}}``: answer every
  delivery with this instead of processing it (e.g. 410); ``null`` stops
- ``POST /sandbox/reset``: forget deliveries, counters and the forced answer
- ``PUT /sandbox/faults`` (see :mod:`plugin.sandbox.vendors.faults`)
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import jsonify
from flask import request

from plugin.sandbox.ats.webhook.context import current
from plugin.sandbox.ats.webhook.state import ForcedAnswer
from plugin.sandbox.vendors.common import invalid_request
from plugin.sandbox.vendors.common import json_object

bp = Blueprint("webhook_control", __name__, url_prefix="/sandbox")
bp.register_error_handler(ValueError, invalid_request)

_LOOPBACK = frozenset({"127.0.0.1", "::1"})


@bp.before_request
def loopback_only() -> None:
    """Refuse callers that are not on this machine."""
    if request.remote_addr not in _LOOPBACK:
        abort(403)


@bp.get("/received")
def received() -> Response:
    state = current().state
    with state.lock:
        return jsonify(received=list(state.received))


@bp.get("/stats")
def stats() -> Response:
    state = current().state
    with state.lock:
        return jsonify(
            counts=dict(state.counts),
            statuses={str(code): n for code, n in state.statuses.items()},
        )


@bp.put("/answer")
def answer() -> Response:
    body = json_object()
    status, reply = body.get("status"), body.get("body", {})
    if status is not None and (type(status) is not int or not 100 <= status <= 599):
        raise ValueError("status must be an HTTP status (100-599) or null")
    if not isinstance(reply, dict):
        raise ValueError("body must be a JSON object")
    state = current().state
    with state.lock:
        state.forced = None if status is None else ForcedAnswer(status, reply)
    return jsonify(status=status, body=reply)


@bp.post("/reset")
def reset() -> Response:
    current().state.reset()
    return jsonify(reset=True)
