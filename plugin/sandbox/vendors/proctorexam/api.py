"""The ProctorExam v3 API as the bridge uses it, under ``/api/v3``
(https://docs.proctorexam.com/v3/apidoc.html; ``docs/vendors/proctorexam.md#endpoints-we-call``)."""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import g
from flask import jsonify

from plugin.sandbox.vendors.proctorexam import query
from plugin.sandbox.vendors.proctorexam.auth import request_params
from plugin.sandbox.vendors.proctorexam.auth import verify_request
from plugin.sandbox.vendors.proctorexam.context import current_state
from plugin.sandbox.vendors.proctorexam.errors import ApiError
from plugin.sandbox.vendors.proctorexam.errors import missing
from plugin.sandbox.vendors.proctorexam.state import StudentSession

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.vendors.proctorexam.state import Exam

bp = Blueprint("proctorexam_api", __name__, url_prefix="/api/v3")

EXAM_STATUSES = frozenset({"draft", "open", "closed", "deleted"})
SESSION_STATUSES = frozenset(
    {
        "registered",
        "before_check_req_mail",
        "email_bounced",
        "email_sent",
        "after_check_req_mail",
        "before_check_req",
        "after_check_req",
        "in_setup",
        "exam_not_started",
        "exam_started",
        "exam_finished",
    }
)


@bp.before_request
def _authenticate() -> None:
    g.params = request_params()
    verify_request(current_state(), g.params)


@bp.get("/exams")
def index_exams() -> Response:
    state = current_state()
    page, limit = query.paging(g.params)
    status = query.one_of(g.params, "status", EXAM_STATUSES)
    with state.lock:
        rows = [
            exam.as_json()
            for exam in state.exams.values()
            if exam.status == status or (status is None and exam.status != "deleted")
        ]
        shape = state.answer_shape
    return _paged(shape, query.apply_sort(rows, None), page, limit)


@bp.get("/exams/<int:id>")
def show_exam(id: int) -> Response:
    return jsonify(exam=_exam(id).as_json())


@bp.post("/exams/<int:exam_id>/student_sessions")
def create_student_session(exam_id: int) -> tuple[Response, int]:
    state = current_state()
    exam = _exam(exam_id)
    name, email = g.params.get("name"), g.params.get("email")
    for field, value in (("name", name), ("email", email)):
        if not isinstance(value, str) or not value.strip():
            raise missing(field)
    with state.lock:
        if any(s.exam_id == exam.id and s.email == email for s in state.sessions.values()):
            raise ApiError(422, "email taken", {"email": ["has already been taken"]})
        now = state.clock()
        session = StudentSession(
            id=state.next_id(),
            exam_id=exam.id,
            name=str(name),
            email=str(email),
            individual_info=g.params.get("individual_info"),
            skip_requirements=bool(g.params.get("skip_requirements", False)),
            created=now,
            updated=now,
        )
        state.sessions[session.id] = session
        return jsonify(student=session.as_json()), 201


@bp.post("/exams/<int:id>/send_emails")
def send_emails(id: int) -> Response:
    invited = current_state().send_emails(_exam(id).id)
    return jsonify(students=[{"id": s.id, "status": s.status} for s in invited])


@bp.get("/exams/<int:exam_id>/student_sessions")
def index_student_sessions(exam_id: int) -> Response:
    state = current_state()
    exam = _exam(exam_id)
    page, limit = query.paging(g.params)
    status = query.one_of(g.params, "status", SESSION_STATUSES)
    with state.lock:
        rows = [
            s.as_json()
            for s in state.sessions.values()
            if s.exam_id == exam.id and (status is None or s.status == status)
        ]
    rows = query.apply_filter(rows, g.params.get("filter"))
    return _paged("students", query.apply_sort(rows, g.params.get("sort")), page, limit)


@bp.get("/student_sessions/<int:id>")
def show_student_session(id: int) -> Response:
    state = current_state()
    with state.lock:
        session = state.sessions.get(id)
        if session is None or state.live_exam(session.exam_id) is None:
            raise ApiError(404, f"Couldn't find Student Session with 'id'={id}")
        return jsonify(student=session.as_json())


def _exam(exam_id: int) -> Exam:
    exam = current_state().live_exam(exam_id)
    if exam is None:
        raise ApiError(404, f"Couldn't find Exam with 'id'={exam_id}")
    return exam


def _paged(key: str, rows: list[query.Row], page: int, limit: int) -> Response:
    """The page under ``key``, or the array itself when ``key`` is ``bare``."""
    items, headers = query.page_of(rows, page, limit)
    response = jsonify(items if key == "bare" else {key: items})
    response.headers.update(headers)
    return response
