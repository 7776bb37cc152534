"""Control API of the Mettl simulator (``/sandbox/...``, JSON, no authentication).

- ``POST /sandbox/schedules`` ``{"name", "accessKey"?, "assessmentName"?, "sections"?,
  "testFinishNotificationUrl"?, "testGradedNotificationUrl"?, "exitRedirectionUrl"?}``
- ``GET /sandbox/schedules``, ``GET /sandbox/schedules/<access key>``
- ``PUT /sandbox/schedules/<access key>/settings`` (the three URLs above)
- ``PUT /sandbox/callback-url`` ``{"url"}``: finish and graded notification URL of
  every schedule, and the default of new ones
- ``POST /sandbox/schedules/<access key>/bulk`` ``{"count", "completed_ratio"}``
- ``GET /sandbox/attempts/<access key>/<email>``; ``POST .../start``;
  ``POST .../complete`` ``{"percent": 0-100, "completionMode"?, "graded"?}``;
  ``POST .../grade`` (finish grading a test completed with ``"graded": false``)
- ``GET /sandbox/notifications``: every notification try
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import jsonify

from plugin.sandbox.vendors.common import invalid_request
from plugin.sandbox.vendors.common import json_object
from plugin.sandbox.vendors.common import percent_field
from plugin.sandbox.vendors.mettl.api import schedule_doc
from plugin.sandbox.vendors.mettl.context import current
from plugin.sandbox.vendors.mettl.errors import SimulatorError
from plugin.sandbox.vendors.mettl.exam import answers_for_percent
from plugin.sandbox.vendors.mettl.exam import sections_from_json

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.mettl.state import Candidate
    from plugin.sandbox.vendors.mettl.state import Schedule

bp = Blueprint("mettl_control", __name__, url_prefix="/sandbox")

MAX_BULK = 100_000
_URL_FIELDS = {
    "testFinishNotificationUrl": "finish_url",
    "testGradedNotificationUrl": "graded_url",
    "exitRedirectionUrl": "exit_url",
}

bp.register_error_handler(ValueError, invalid_request)


@bp.errorhandler(SimulatorError)
def _refused(exc: SimulatorError) -> tuple[Response, int]:
    return jsonify(error=exc.message, code=exc.code), 404 if exc.code == "E404" else 400


def _summary(schedule: Schedule) -> dict[str, t.Any]:
    return {**schedule_doc(schedule), "candidateCount": len(schedule.candidates)}


@bp.post("/schedules")
def create_schedule() -> tuple[Response, int]:
    body = json_object()
    name = str(body.get("name") or "Sandbox schedule")
    urls = {attr: body.get(key) for key, attr in _URL_FIELDS.items()}
    schedule = current().state.add_schedule(
        name=name,
        assessment_name=str(body.get("assessmentName") or name),
        sections=sections_from_json(body.get("sections")),
        access_key=body.get("accessKey"),
        **urls,
    )
    return jsonify(_summary(schedule)), 201


@bp.get("/schedules")
def list_schedules() -> Response:
    state = current().state
    with state.lock:
        return jsonify(schedules=[_summary(s) for s in state.schedules.values()])


@bp.get("/schedules/<access_key>")
def show_schedule(access_key: str) -> Response:
    state = current().state
    with state.lock:
        return jsonify(_summary(state.schedule(access_key)))


@bp.put("/schedules/<access_key>/settings")
def schedule_settings(access_key: str) -> Response:
    body, state = json_object(), current().state
    with state.lock:
        schedule = state.schedule(access_key)
        for key, attr in _URL_FIELDS.items():
            if key in body:
                setattr(schedule, attr, body[key] or None)
        return jsonify(_summary(schedule))


@bp.put("/callback-url")
def callback_url() -> Response:
    url = json_object().get("url") or None
    state = current().state
    with state.lock:
        state.default_notification_url = url
        for schedule in state.schedules.values():
            schedule.finish_url = schedule.graded_url = url
    return jsonify(url=url)


@bp.post("/schedules/<access_key>/bulk")
def bulk(access_key: str) -> tuple[Response, int]:
    body, simulator = json_object(), current()
    count, ratio = body.get("count"), body.get("completed_ratio", 1.0)
    if not isinstance(count, int) or not 1 <= count <= MAX_BULK:
        raise ValueError(f"count must be an integer from 1 to {MAX_BULK}")
    if not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
        raise ValueError("completed_ratio must be a number from 0 to 1")
    schedule = simulator.state.schedule(access_key)
    simulator.state.bulk(schedule, count, float(ratio), simulator.clock())
    return jsonify(created=count, candidateCount=len(schedule.candidates)), 201


def _attempt(ref: str) -> tuple[Schedule, Candidate]:
    access_key, _, address = ref.partition("/")
    return current().state.candidate(access_key, address)


@bp.get("/attempts/<path:ref>")
def show_attempt(ref: str) -> Response:
    schedule, candidate = _attempt(ref)
    with current().state.lock:
        return jsonify(accessKey=schedule.access_key, token=candidate.token, **candidate.doc)


@bp.post("/attempts/<path:ref>/start")
def start_attempt(ref: str) -> Response:
    found = _attempt(ref)
    current().flows.start(*found)
    return show_attempt(ref)


@bp.post("/attempts/<path:ref>/complete")
def complete_attempt(ref: str) -> Response:
    body = json_object()
    percent = percent_field(body)
    schedule, candidate = _attempt(ref)
    answers = answers_for_percent(schedule.sections, percent)
    current().flows.finish(
        schedule,
        candidate,
        answers,
        mode=str(body.get("completionMode", "Completed")),
        graded=bool(body.get("graded", True)),
    )
    return show_attempt(ref)


@bp.post("/attempts/<path:ref>/grade")
def grade_attempt(ref: str) -> Response:
    current().flows.grade(*_attempt(ref))
    return show_attempt(ref)


@bp.get("/notifications")
def notifications() -> Response:
    return jsonify(notifications=current().notifier.history())
