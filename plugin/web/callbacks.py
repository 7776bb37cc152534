"""Where vendors and learners' browsers tell us an attempt is done.

``/callbacks/<vendor>/<connection id>?token=...`` takes vendor callbacks and
webhooks; ``/return/<attempt token>`` takes the learner's browser coming back
and the embedded player's relayed events.  Both only record the signal.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from plugin.attempts.completions import CompletionIntake
from plugin.attempts.completions import RecordedSignal
from plugin.attempts.completions import SignalResponder
from plugin.attempts.outcome import attempt_outcome
from plugin.services import services
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import SignalKind
from plugin.vendors.errors import SignalRejectedError
from plugin.web.errors import refusal

bp = Blueprint("callbacks", __name__)

RESULT_REFRESH_SECONDS = 3


def _intake() -> CompletionIntake:
    intake: CompletionIntake = services().completions
    return intake


def _incoming() -> IncomingRequest:
    """The request as the vendor addressed it (signatures cover the public URL)."""
    base = services().settings.base_url
    query = request.query_string.decode()
    return IncomingRequest(
        method=request.method,
        path=request.path,
        headers=dict(request.headers),
        query=request.args.to_dict(),
        body=request.get_data(),
        url=base + request.path + (f"?{query}" if query else ""),
    )


@bp.route("/callbacks/<kind>/<int:connection_id>", methods=["GET", "POST"])
def callback(kind: str, connection_id: int) -> t.Any:
    incoming = _incoming()
    try:
        recorded = _intake().from_callback(
            kind, connection_id, request.args.get("token", ""), incoming
        )
    except SignalRejectedError as exc:
        return _rejected(exc)
    return _answer(recorded, incoming)


@bp.route("/return/<token>", methods=["GET", "POST"])
def attempt_return(token: str) -> t.Any:
    incoming = _incoming()
    try:
        recorded = _intake().from_attempt(token, incoming)
    except SignalRejectedError as exc:
        return _rejected(exc)
    return _answer(recorded, incoming)


def _answer(recorded: RecordedSignal, incoming: IncomingRequest) -> t.Any:
    if recorded.attempt_id is not None:
        services().queue.sync(recorded.attempt_id)
    if recorded.kind is SignalKind.BROWSER_RETURN and recorded.attempt_token:
        return redirect(url_for("callbacks.attempt_result", token=recorded.attempt_token), 303)
    if isinstance(recorded.adapter, SignalResponder):
        answer = recorded.adapter.signal_answer(incoming, None)
        return Response(answer.body, status=answer.status, content_type=answer.content_type)
    return jsonify(status="received", signal_id=recorded.signal_id)


@bp.get("/return/<token>/result")
def attempt_result(token: str) -> t.Any:
    """Where the learner waits for their result; refreshes itself until it is settled."""
    outcome = attempt_outcome(services().sessions, token)
    if outcome is None:
        return refusal(status=404, code="unknown_attempt", message="There is no such attempt.")
    return render_template(
        "attempt_returned.html", outcome=outcome, refresh_seconds=RESULT_REFRESH_SECONDS
    )


def _rejected(exc: SignalRejectedError) -> t.Any:
    return refusal(
        status=exc.status,
        code="signal_rejected",
        message=str(exc),
        admin_hint="Check the callback URL and secret configured at the vendor "
        "(`assessment-bridge vendor show NAME`).",
    )
