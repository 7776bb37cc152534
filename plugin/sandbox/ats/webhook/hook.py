"""``POST /webhook``: a strict receiver of signed result deliveries.

Refuses a body that is not ``application/json`` (415), a missing, malformed, stale
or wrong signature (401), a delivery without ``Idempotency-Key`` (400) and a key
reused with another body (409). A repeat of a delivery (same key and body) is
answered 200 ``{"status": "duplicate"}`` and not stored again. ``{"type": "ping"}``
is answered 200 ``{"status": "pong"}`` and not stored.
"""

from __future__ import annotations

import hashlib
import json
import typing as t

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from plugin.sandbox.ats.webhook.context import current
from plugin.sandbox.ats.webhook.context import receiver_error
from plugin.sandbox.ats.webhook.verify import signature_problem

PATH = "/webhook"

bp = Blueprint("webhook_hook", __name__)


class RefusedError(Exception):
    """An error answer of the receiver."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(RefusedError)
def _refused(exc: RefusedError) -> Response:
    return receiver_error(exc.status, exc.message)


@bp.post(PATH)
def receive() -> Response:
    receiver = current()
    forced = receiver.state.forced
    if forced is not None:
        response = jsonify(forced.body)
        response.status_code = forced.status
        return response
    raw, header = request.get_data(), request.headers.get("X-Bridge-Signature", "")
    body = _verified_body(raw, header)
    if body.get("type") == "ping":
        receiver.state.count("pings")
        return jsonify(status="pong")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise RefusedError(400, "Idempotency-Key is required")
    entry = {"idempotency_key": key, "signature": header, "body": body}
    outcome = receiver.state.remember(key, hashlib.sha256(raw).hexdigest(), entry)
    if outcome == "conflict":
        raise RefusedError(409, "Idempotency-Key was used with a different body")
    return jsonify(status=outcome)


def _verified_body(raw: bytes, header: str) -> dict[str, t.Any]:
    """The JSON object ``raw`` holds, once its type and signature are checked."""
    if request.mimetype != "application/json":
        raise RefusedError(415, "Content-Type must be application/json")
    receiver = current()
    problem = (
        signature_problem(receiver.secret, header, raw, receiver.clock(), receiver.tolerance)
        if header
        else "missing signature"
    )
    if problem:
        raise RefusedError(401, problem)
    try:
        body = json.loads(raw)
    except ValueError:
        raise RefusedError(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise RefusedError(400, "the body must be a JSON object")
    return body
