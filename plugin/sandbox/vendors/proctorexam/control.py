"""Control API of the ProctorExam simulator (JSON under ``/sandbox/``, no signature).

- ``GET /sandbox/info``: the base URL and student URL template to configure.
- ``POST /sandbox/exams``: create an exam (``name``, ``type``, ``status``, ``duration_minutes``).
- ``PATCH /sandbox/exams/<id>``: change ``status`` (``deleted`` hides it) or ``name``.
- ``PUT /sandbox/callback``: store the institute ``callback_url``. ProctorExam documents
  no completion call, so the simulator never calls it.
- ``GET /sandbox/state``, ``GET /sandbox/attempts/<student session id>``: inspect.
- ``POST /sandbox/attempts/<id>/complete``: end the exam without a browser (optional
  ``checks`` of name -> bool); with ``reviewed`` it is reviewed at once (``incidents``:
  comments, ``review_commentary``). ProctorExam has no score: the proctoring result is
  ``reviewed`` plus incidents.
- ``POST /sandbox/attempts/<id>/review``: review a finished exam the same way.
- ``PUT /sandbox/settings`` ``{"answerShape"}``: the form of ``GET /exams`` (``exams``,
  the default: ``{"exams": [...]}``; ``items``, ``data``, ``result``: the array under that
  key; ``bare``: the array itself). Signing and the token are still checked.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import jsonify
from flask import request

from plugin.sandbox.vendors.common import optional_json_object
from plugin.sandbox.vendors.proctorexam import flow
from plugin.sandbox.vendors.proctorexam.context import current_state
from plugin.sandbox.vendors.proctorexam.errors import ApiError
from plugin.sandbox.vendors.proctorexam.state import EXAM_LIST_SHAPES
from plugin.sandbox.vendors.proctorexam.state import Exam

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.vendors.proctorexam.state import StudentSession

bp = Blueprint("proctorexam_control", __name__, url_prefix="/sandbox")

EXAM_TYPES = frozenset({"demo", "classic", "record_review", "live_proctoring"})


@bp.get("/info")
def info() -> Response:
    root = request.host_url.rstrip("/")
    return jsonify(baseUrl=root, studentUrlTemplate="{base_url}/student_sessions/{token}")


@bp.post("/exams")
def create_exam() -> tuple[Response, int]:
    state = current_state()
    body = optional_json_object(ApiError)
    kind = body.get("type", "record_review")
    if kind not in EXAM_TYPES:
        raise ApiError(400, f"type must be one of {', '.join(sorted(EXAM_TYPES))}")
    now = state.clock()
    exam = Exam(
        id=state.next_id(),
        name=str(body.get("name") or "Sandbox exam"),
        type=kind,
        status=str(body.get("status", "open")),
        duration_minutes=body.get("duration_minutes", 60),
        created=now,
        updated=now,
    )
    with state.lock:
        state.exams[exam.id] = exam
    return jsonify(exam.as_json()), 201


@bp.patch("/exams/<int:exam_id>")
def change_exam(exam_id: int) -> Response:
    state = current_state()
    body = optional_json_object(ApiError)
    with state.lock:
        exam = state.exams.get(exam_id)
        if exam is None:
            raise ApiError(404, f"Couldn't find Exam with 'id'={exam_id}")
        exam.status = str(body.get("status", exam.status))
        exam.name = str(body.get("name", exam.name))
        exam.updated = state.clock()
        return jsonify(exam.as_json())


@bp.put("/callback")
def set_callback() -> Response:
    state = current_state()
    url = optional_json_object(ApiError).get("url")
    with state.lock:
        state.callback_url = url
    return jsonify(url=url)


@bp.put("/settings")
def settings() -> Response:
    state = current_state()
    shape = optional_json_object(ApiError).get("answerShape", state.answer_shape)
    if shape not in EXAM_LIST_SHAPES:
        raise ApiError(400, f"answerShape must be one of: {', '.join(EXAM_LIST_SHAPES)}")
    with state.lock:
        state.answer_shape = shape
    return jsonify(answerShape=shape)


@bp.get("/state")
def dump_state() -> Response:
    state = current_state()
    with state.lock:
        return jsonify(
            callbackUrl=state.callback_url,
            exams=[exam.as_json() for exam in state.exams.values()],
            students=[session.as_json() for session in state.sessions.values()],
            noncesRemembered=len(state.nonces),
        )


@bp.get("/attempts/<int:session_id>")
def inspect_attempt(session_id: int) -> Response:
    return jsonify(_session(session_id).as_json())


@bp.post("/attempts/<int:session_id>/complete")
def complete_attempt(session_id: int) -> Response:
    state = current_state()
    session = _session(session_id)
    body = optional_json_object(ApiError)
    checks = body.get("checks", {"webcam": True, "microphone": True, "screenshare": True})
    if not isinstance(checks, dict):
        raise ApiError(400, "checks must map check names to true or false")
    flow.finish(state, session, {str(name): bool(ok) for name, ok in checks.items()})
    if body.get("reviewed") is not None:
        _review(session, body)
    return jsonify(session.as_json())


@bp.post("/attempts/<int:session_id>/review")
def review_attempt(session_id: int) -> Response:
    session = _session(session_id)
    _review(session, {"reviewed": "10", **optional_json_object(ApiError)})
    return jsonify(session.as_json())


def _review(session: StudentSession, body: dict[str, t.Any]) -> None:
    incidents = body.get("incidents", [])
    if not isinstance(incidents, list) or not all(isinstance(i, str) for i in incidents):
        raise ApiError(400, "incidents must be a list of comments")
    flow.review(
        current_state(),
        session,
        reviewed=str(body["reviewed"]),
        incidents=incidents,
        commentary=body.get("review_commentary"),
    )


def _session(session_id: int) -> StudentSession:
    state = current_state()
    with state.lock:
        session = state.sessions.get(session_id)
    if session is None:
        raise ApiError(404, f"Couldn't find Student Session with 'id'={session_id}")
    return session
