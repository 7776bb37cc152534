"""The simulator's control API under ``/sandbox/`` (JSON, no authentication).

* ``POST /sandbox/exam-configs`` ``{"id"?, "name"?, "examName"?, "examId"?, "allowRetakes"?,
  "attemptResolution"? ("HIGHEST" | "LATEST"), "questions"? (1..20, default 3)}`` -> 201
  ``{"examConfig": {..., "items": [{"id", "options", "key"}]}}``
* ``GET /sandbox/exam-configs``
* ``GET /sandbox/sessions``, ``GET /sandbox/sessions/<id>``: state, with a fresh ``player_url``
* ``POST /sandbox/attempts/<session id>/complete`` ``{"score"?: points (0..items, default
  all)}``: answers and scores the current attempt, fires the grade passback, and returns
  the session and the ``event`` the player would have emitted
* ``GET/PUT /sandbox/settings`` ``{"callback_url", "outcome_format", "retry_delays",
  "page_token_ttl_s", "answer_shape"}``: ``callback_url`` is where the player page posts
  its event; ``answer_shape`` (``wrapped``, the default, or ``bare``) is how the workspace
  read answers
* ``GET /sandbox/webhooks``: every grade passback and each of its tries
* ``POST /sandbox/page-tokens/expire``: every issued ``nextToken`` expires now
* ``POST /sandbox/sdk-tokens/forget``: every issued SDK login token is unknown from now
"""

from __future__ import annotations

import dataclasses
import typing as t

from flask import Blueprint
from flask import jsonify
from flask import request

from plugin.sandbox.vendors.examspark import views
from plugin.sandbox.vendors.examspark.candidate import SUBMITTED_EVENT
from plugin.sandbox.vendors.examspark.context import current
from plugin.sandbox.vendors.examspark.context import json_object
from plugin.sandbox.vendors.examspark.errors import ApiError

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.vendors.examspark.models import Session

bp = Blueprint("examspark_control", __name__, url_prefix="/sandbox")


@bp.post("/exam-configs")
def add_config() -> tuple[Response, int]:
    body = json_object()
    if body.get("attemptResolution", "HIGHEST") not in {"HIGHEST", "LATEST"}:
        raise ApiError(400, "attemptResolution must be HIGHEST or LATEST")
    if not isinstance(body.get("questions", 3), int):
        raise ApiError(400, "questions must be an integer")
    config = current().workspace.add_config(body)
    return jsonify(examConfig=views.config_view(config, with_keys=True)), 201


@bp.get("/exam-configs")
def list_configs() -> Response:
    workspace = current().workspace
    with workspace.lock:
        configs = list(workspace.configs.values())
    return jsonify(examConfigs=[views.config_view(c, with_keys=True) for c in configs])


@bp.get("/sessions")
def list_sessions() -> Response:
    workspace = current().workspace
    with workspace.lock:
        sessions = sorted(workspace.sessions.values(), key=lambda s: s.seq)
    return jsonify(sessions=[_inspect(s) for s in sessions])


@bp.get("/sessions/<session_id>")
def get_session(session_id: str) -> Response:
    return jsonify(_inspect(current().workspace.session(session_id)))


@bp.post("/attempts/<session_id>/complete")
def complete(session_id: str) -> Response:
    sandbox = current()
    workspace = sandbox.workspace
    session = workspace.session(session_id)
    config = workspace.config(session.config_id)
    points = json_object().get("score", len(config.items))
    if not isinstance(points, int) or not 0 <= points <= len(config.items):
        raise ApiError(400, f"score must be a whole number of points in 0..{len(config.items)}")
    answers = {
        item.id: item.key if number < points else (item.key + 1) % len(item.options)
        for number, item in enumerate(config.items)
    }
    workspace.submit(session, answers, score=True)
    sandbox.after_scoring(session)
    event = {
        "event": SUBMITTED_EVENT,
        "data": {"examConfigId": config.id, "examSessionId": session.id},
    }
    return jsonify({**views.envelope(workspace, session, {"results", "responses"}), "event": event})


@bp.get("/settings")
def get_settings() -> Response:
    return jsonify(dataclasses.asdict(current().workspace.settings))


@bp.put("/settings")
def put_settings() -> Response:
    workspace = current().workspace
    body = json_object()
    changes = _settings_changes(body)
    with workspace.lock:
        workspace.settings = dataclasses.replace(workspace.settings, **changes)
    return jsonify(dataclasses.asdict(workspace.settings))


@bp.get("/webhooks")
def webhooks() -> Response:
    return jsonify(deliveries=current().passbacks.history())


@bp.post("/page-tokens/expire")
def expire_page_tokens() -> Response:
    return jsonify(expired=current().workspace.expire_page_tokens())


@bp.post("/sdk-tokens/forget")
def forget_sdk_tokens() -> Response:
    return jsonify(forgotten=current().workspace.forget_sdk_tokens())


def _inspect(session: Session) -> dict[str, t.Any]:
    sandbox = current()
    document = views.envelope(sandbox.workspace, session, {"results", "responses"})
    document.update(
        outcomeServiceUrl=session.outcome_url,
        resultSourcedId=session.result_sourcedid,
        attempts=[dataclasses.asdict(attempt) for attempt in session.attempts],
        player_url=sandbox.player_url(session, base_url=request.host_url),
    )
    return document


def _settings_changes(body: dict[str, t.Any]) -> dict[str, t.Any]:
    unknown = set(body) - {
        "callback_url",
        "outcome_format",
        "retry_delays",
        "page_token_ttl_s",
        "answer_shape",
    }
    if unknown:
        raise ApiError(400, f"Unknown settings: {', '.join(sorted(unknown))}")
    changes = dict(body)
    if "callback_url" in body and not (
        body["callback_url"] is None or isinstance(body["callback_url"], str)
    ):
        raise ApiError(400, "callback_url must be a URL or null")
    if body.get("outcome_format", "pox") not in {"pox", "json"}:
        raise ApiError(400, "outcome_format must be pox or json")
    if body.get("answer_shape", "wrapped") not in {"wrapped", "bare"}:
        raise ApiError(400, "answer_shape must be wrapped or bare")
    if "retry_delays" in body:
        delays = body["retry_delays"]
        if not isinstance(delays, list) or not all(
            isinstance(d, int | float) and 0 <= d <= 3600 for d in delays
        ):
            raise ApiError(400, "retry_delays must be a list of seconds (0..3600)")
        changes["retry_delays"] = tuple(float(d) for d in delays)
    ttl = body.get("page_token_ttl_s", 1)
    if not isinstance(ttl, int | float) or ttl <= 0:
        raise ApiError(400, "page_token_ttl_s must be a positive number")
    return changes
