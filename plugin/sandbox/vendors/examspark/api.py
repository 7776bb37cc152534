"""The simulated REST API: ``/api/...`` routes of the legacy reference, Basic auth on all.

Routes and samples: https://docs.campfirelearning.com/developers/api-legacy/assessment/
(exam-sessions, exam-config, exams), /api-legacy/workspace and /sdk/components-v2/authentication.
"""

from __future__ import annotations

import re
import typing as t

from flask import Blueprint
from flask import jsonify

from plugin.sandbox.vendors.examspark import paging
from plugin.sandbox.vendors.examspark import views
from plugin.sandbox.vendors.examspark.context import current
from plugin.sandbox.vendors.examspark.context import includes
from plugin.sandbox.vendors.examspark.context import json_object
from plugin.sandbox.vendors.examspark.errors import ApiError

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.vendors.examspark.models import Session

bp = Blueprint("examspark_api", __name__, url_prefix="/api")

_URL = re.compile(r"https?://[^\s/]+\S*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_LTI_FIELDS = (
    "user_id",
    "context_id",
    "resource_link_id",
    "context_label",
    "context_title",
    "lis_person_name_given",
    "lis_person_name_family",
    "lis_person_sourcedid",
    "lis_outcome_service_url",
    "lis_result_sourcedid",
)


@bp.before_request
def _authenticate() -> None:
    current().require_basic_auth()


@bp.post("/exam-config/<config_id>/exam-session")
@bp.post("/exam-config/<config_id>/exam-sessions")
def create_session(config_id: str) -> Response:
    workspace = current().workspace
    config = workspace.config(config_id)
    body = json_object()
    fields = {name: body[name] for name in _LTI_FIELDS if name in body}
    if any(not isinstance(value, str) for value in fields.values()):
        raise ApiError(400, "LTI fields must be strings")
    if not fields.get("user_id", "").strip():
        raise ApiError(400, "user_id is required")
    outcome = fields.get("lis_outcome_service_url")
    if outcome and not _URL.fullmatch(outcome):
        raise ApiError(400, "lis_outcome_service_url must be an http(s) URL")
    session = workspace.ensure_session(config, fields)
    return jsonify(views.envelope(workspace, session))


@bp.get("/exam-session/<session_id>")
def get_session(session_id: str) -> Response:
    workspace = current().workspace
    return jsonify(views.envelope(workspace, workspace.session(session_id), includes()))


@bp.get("/exam-session/<session_id>/results")
def get_results(session_id: str) -> Response:
    workspace = current().workspace
    return jsonify(views.results_document(workspace, workspace.session(session_id)))


@bp.post("/exam-session/<session_id>/responses")
def set_responses(session_id: str) -> Response:
    sandbox = current()
    workspace = sandbox.workspace
    session = workspace.session(session_id)
    body = json_object()
    responses = _responses(session, body.get("responses"))
    submit = body.get("submitForScoring", False)
    if not isinstance(submit, bool):
        raise ApiError(400, "submitForScoring must be a boolean")
    workspace.submit(session, responses, score=submit)
    if submit:
        sandbox.after_scoring(session)
    return jsonify(views.envelope(workspace, session, {"results", "responses"}))


@bp.get("/exam-session/<session_id>/<action>")
def session_action(session_id: str, action: str) -> Response:
    workspace = current().workspace
    handlers = {"retake": workspace.retake, "reset": workspace.reset, "reopen": workspace.reopen}
    if action not in handlers:
        raise ApiError(404, f"Route GET /api/exam-session/:id/{action} not found")
    session = workspace.session(session_id)
    handlers[action](session)
    return jsonify(views.envelope(workspace, session))


@bp.post("/exam-sessions")
def list_sessions() -> Response:
    return jsonify(paging.list_sessions(current().workspace, json_object(), includes()))


@bp.post("/exams")
def list_exams() -> Response:
    return jsonify(paging.list_exams(current().workspace, json_object()))


@bp.post("/login/sdk")
def sdk_login() -> Response:
    workspace = current().workspace
    body = json_object()
    email, workspace_id = body.get("email"), body.get("workspaceId")
    if not isinstance(email, str) or not _EMAIL.fullmatch(email):
        raise ApiError(400, "email must be an e-mail address")
    if workspace_id != workspace.workspace_id:
        raise ApiError(403, f"App key has no access to workspace {workspace_id}")
    return jsonify(auth=workspace.mint_sdk_token(email))


@bp.get("/workspace/<workspace_id>")
def get_workspace(workspace_id: str) -> Response:
    workspace = current().workspace
    if workspace_id != workspace.workspace_id:
        raise ApiError(403, f"App key has no access to workspace {workspace_id}")
    found = {"id": workspace.workspace_id, "name": "Sandbox district"}
    return jsonify(found if workspace.settings.answer_shape == "bare" else {"workspace": found})


def _responses(session: Session, raw: object) -> dict[str, int]:
    """``[{"itemId", "questions": [{"id", "response": {"options": [{"index"}]}}]}]``."""
    config = current().workspace.config(session.config_id)
    if not isinstance(raw, list):
        raise ApiError(400, "responses must be a list")
    chosen: dict[str, int] = {}
    for entry in raw:
        item = config.item(str(entry.get("itemId"))) if isinstance(entry, dict) else None
        if item is None:
            raise ApiError(400, "Each response needs the itemId of an item of this exam")
        for question in entry.get("questions") or []:
            if not isinstance(question, dict) or question.get("id") != item.question_id:
                raise ApiError(400, f"Unknown question in item {item.id}")
            options = (question.get("response") or {}).get("options") or []
            index = options[0].get("index") if options and isinstance(options[0], dict) else None
            if not isinstance(index, int) or not 0 <= index < len(item.options):
                raise ApiError(400, f"Option index out of range in item {item.id}")
            chosen[item.id] = index
    return chosen
