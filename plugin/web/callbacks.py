"""Where vendors and learners' browsers tell us an attempt is done.

``/callbacks/<vendor>/<connection id>?token=...`` takes vendor callbacks and
webhooks; ``/callbacks/<vendor>/<connection id>/browser?token=...`` takes a vendor's
redirect of the learner's browser (StartExam), with the connection's browser token;
``/return/<attempt token>`` takes the learner's browser coming back and the embedded
player's relayed events.  All of them only record the signal.

A browser is shown an attempt's result only when its attempt cookie
(:mod:`plugin.web.attempt_cookie`) names the attempt or it brings a relaunch's grant
(:mod:`plugin.web.result_grant`); anyone else gets the neutral page, which says nothing
about the attempt.
"""

from __future__ import annotations

import logging
import typing as t

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.exceptions import RequestEntityTooLarge

from plugin.attempts.completions import CompletionIntake
from plugin.attempts.completions import RecordedSignal
from plugin.attempts.completions import SignalResponder
from plugin.attempts.outcome import attempt_outcome
from plugin.services import services
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import SignalKind
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.registry import kind_named
from plugin.web.attempt_cookie import names_attempt
from plugin.web.attempt_cookie import remember_attempt
from plugin.web.errors import refusal
from plugin.web.result_grant import grants

log = logging.getLogger(__name__)

bp = Blueprint("callbacks", __name__)

RESULT_REFRESH_SECONDS = 3
NEUTRAL_TEMPLATE = "attempt_neutral.html"


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


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> t.Any:
    """A body over ``MAX_CONTENT_LENGTH``, refused by werkzeug before it is read: name the
    limit, which the generic 413 page does not."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return refusal(
        status=413,
        code="body_too_large",
        message=f"The request body is larger than {limit // 1024} KiB, the most a signal"
        " may carry.",
    )


@bp.route("/callbacks/<kind>/<int:connection_id>", methods=["GET", "POST"])
def callback(kind: str, connection_id: int) -> t.Any:
    incoming = _incoming()
    try:
        recorded = _intake().from_callback(
            kind, connection_id, request.args.get("token", ""), incoming
        )
    except SignalRejectedError as exc:
        return _rejected(exc, incoming, kind=kind, connection_id=connection_id)
    if kind_named(kind).browser_callback:
        # Installs from before the browser URL pasted this one into the vendor's settings:
        # it still works, but a learner's browser gets no more than from the browser URL.
        log.warning(
            "connection %s: a learner's browser came back on the vendor callback URL; paste"
            " the browser URL (`assessment-bridge vendor show NAME`) into the vendor's settings",
            connection_id,
        )
        return _back_in_browser(recorded)
    return _answer(recorded, incoming)


@bp.get("/callbacks/<kind>/<int:connection_id>/browser")
def browser_callback(kind: str, connection_id: int) -> t.Any:
    try:
        recorded = _intake().from_browser(
            kind, connection_id, request.args.get("token", ""), _incoming()
        )
    except SignalRejectedError as exc:
        return _rejected(exc)
    return _back_in_browser(recorded)


@bp.route("/return/<token>", methods=["GET", "POST"])
def attempt_return(token: str) -> t.Any:
    incoming = _incoming()
    try:
        recorded = _intake().from_attempt(token, incoming)
    except SignalRejectedError as exc:
        return _rejected(exc)
    return _answer(recorded, incoming)


def _answer(recorded: RecordedSignal, incoming: IncomingRequest) -> t.Any:
    """The answer to a signal, the same whether it named an attempt we know or not."""
    _queue_sync(recorded)
    if recorded.kind is SignalKind.BROWSER_RETURN and recorded.attempt_token:
        return redirect(url_for("callbacks.attempt_result", token=recorded.attempt_token), 303)
    if isinstance(recorded.adapter, SignalResponder):
        answer = recorded.adapter.signal_answer(incoming, None)
        return Response(answer.body, status=answer.status, content_type=answer.content_type)
    return jsonify(status="received")


def _queue_sync(recorded: RecordedSignal) -> None:
    """Queue the sync the signal asked for, unless one is pending for the attempt: that
    one covers the signal (:mod:`plugin.attempts.completions`)."""
    if recorded.sync_due and recorded.attempt_id is not None:
        services().queue.sync(recorded.attempt_id)


def _back_in_browser(recorded: RecordedSignal) -> t.Any:
    """Answer a browser that a vendor sent back naming an attempt (a participant id).

    The URL it came on is known to every learner of the connection and the participant
    id is the browser's to choose, so it is sent on to the attempt's result page only
    when its own cookie names that attempt; otherwise it gets the neutral page, the same
    whether the attempt exists or not.  The sync is asked for either way.
    """
    attempt_id = recorded.attempt_id
    if attempt_id is not None:
        _queue_sync(recorded)
        if names_attempt(attempt_id):
            result_url = services().attempts.result_url_of(attempt_id)
            if result_url is not None:
                return redirect(result_url, 303)
    return _neutral(return_url=None)


@bp.get("/return/<token>/result")
def attempt_result(token: str) -> t.Any:
    """Where the learner waits for their result; refreshes itself until it is settled.

    The URL alone shows nothing: the score is for the browser that launched the attempt
    (its cookie) or that comes from a relaunch (the grant, which then sets the cookie).
    """
    outcome = attempt_outcome(services().sessions, token)
    if outcome is None:
        return refusal(status=404, code="unknown_attempt", message="There is no such attempt.")
    granted = grants(request.args.get("grant", ""), outcome.attempt_id)
    if not granted and not names_attempt(outcome.attempt_id):
        return _neutral(return_url=outcome.return_url)
    response = make_response(
        render_template(
            "attempt_returned.html", outcome=outcome, refresh_seconds=RESULT_REFRESH_SECONDS
        )
    )
    if granted:
        remember_attempt(response, outcome.attempt_id)
    return _unstored(response)


def _neutral(*, return_url: str | None) -> Response:
    """The page for a browser that may not see the attempt: no score, no status, no
    refresh; only the course's own return link when the attempt's URL named it."""
    return _unstored(make_response(render_template(NEUTRAL_TEMPLATE, return_url=return_url)))


def _unstored(response: Response) -> Response:
    """What is shown depends on the browser's cookie: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _rejected(
    exc: SignalRejectedError,
    incoming: IncomingRequest | None = None,
    *,
    kind: str = "",
    connection_id: int | None = None,
) -> t.Any:
    """Refuse a signal.

    On a connection's callback URL with its token (``kind`` and ``connection_id`` given),
    a vendor that expects its own answer gets it, carrying the reason: ExamSpark's POX
    ``failure`` envelope, which its sender can read.  Anyone else, a caller with a wrong
    token included, gets the refusal page, which says nothing about the connection.
    """
    if incoming is not None and connection_id is not None:
        adapter = services().vendor_connections.callback_adapter(
            connection_id, kind, request.args.get("token", "")
        )
        # (``is not None`` first: mypy cannot narrow an Optional protocol to another one.)
        if adapter is not None and isinstance(adapter, SignalResponder):
            answer = adapter.signal_answer(incoming, exc)
            log.warning(
                "refused %s signal_rejected: %s (HTTP %d)", request.path, exc, answer.status
            )
            return Response(answer.body, status=answer.status, content_type=answer.content_type)
    return refusal(
        status=exc.status,
        code="signal_rejected",
        message=str(exc),
        admin_hint="Check the callback URL and secret configured at the vendor "
        "(`assessment-bridge vendor show NAME`).",
    )
