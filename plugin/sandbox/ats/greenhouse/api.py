"""The simulated Harvest v3 routes the sink uses; a bearer token on every one.

- ``GET /v3/candidates?email=&job_id=&per_page=`` (cursor paging)
- ``PATCH /v3/candidates/<id>`` ``{"custom_fields": [...]}``: any other key is refused
  (list fields would be replaced wholesale); all elements are checked before any is stored.
- ``GET /v3/custom_fields?field_type=&include_inactive=&per_page=`` (cursor paging)
- ``POST /v3/notes`` ``{"candidate_id", "user_id", "body", "visibility"}``
"""

from __future__ import annotations

import datetime as dt
import typing as t

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from plugin.sandbox.ats.greenhouse.context import current
from plugin.sandbox.ats.greenhouse.errors import ApiError
from plugin.sandbox.ats.greenhouse.errors import ValidationFailedError
from plugin.sandbox.ats.greenhouse.paging import page_of
from plugin.sandbox.ats.greenhouse.paging import page_request
from plugin.sandbox.ats.greenhouse.values import check_elements

bp = Blueprint("greenhouse_api", __name__, url_prefix="/v3")

FIELD_TYPES = frozenset(
    {"candidate", "application", "job", "offer", "opening", "rejection_question"}
)
NOTE_KEYS = frozenset({"candidate_id", "user_id", "body", "visibility"})
VISIBILITIES = frozenset({"admin_only", "private", "public"})


@bp.before_request
def _authorize() -> None:
    current().authorize()


@bp.get("/candidates")
def list_candidates() -> tuple[Response, int, dict[str, str]]:
    asked = page_request("candidates", ("email", "job_id"), current().page_size)
    job = asked.filters.get("job_id")
    if job is not None and not job.isdigit():
        raise ApiError(422, "job_id must be an integer")
    email = asked.filters.get("email")
    state = current().state
    with state.lock:
        items = [
            (candidate.id, state.candidate_doc(candidate))
            for candidate in sorted(state.candidates.values(), key=lambda c: c.id)
            if (email is None or candidate.has_email(email))
            and (job is None or candidate.has_job(int(job)))
        ]
    page, headers = page_of(items, asked, "candidates")
    return jsonify(page), 200, headers


@bp.get("/custom_fields")
def list_custom_fields() -> tuple[Response, int, dict[str, str]]:
    asked = page_request("custom_fields", ("field_type", "include_inactive"), current().page_size)
    field_type = asked.filters.get("field_type")
    if field_type not in FIELD_TYPES:
        raise ApiError(422, f"field_type must be one of: {', '.join(sorted(FIELD_TYPES))}")
    inactive = asked.filters.get("include_inactive", "false")
    if inactive not in {"true", "false"}:
        raise ApiError(422, "include_inactive must be true or false")
    state = current().state
    with state.lock:
        items = [
            (field.id, field.doc())
            for field in sorted(state.fields.values(), key=lambda f: f.id)
            if field_type == "candidate" and (field.active or inactive == "true")
        ]
    page, headers = page_of(items, asked, "custom_fields")
    return jsonify(page), 200, headers


@bp.patch("/candidates/<int:candidate_id>")
def update_candidate(candidate_id: int) -> Response:
    state = current().state
    body = _json_object()
    with state.lock:
        candidate = state.candidates.get(candidate_id)
        if candidate is None:
            raise ApiError(404, "Resource not found")
        extra = sorted(set(body) - {"custom_fields"})
        if extra:
            raise ValidationFailedError(
                [{"message": "only custom_fields may be updated here", "field": k} for k in extra]
            )
        changes, errors = check_elements(body.get("custom_fields", []), state.fields)
        if errors:
            raise ValidationFailedError(errors)
        for field, value in changes:
            if value is None:
                candidate.values.pop(field.id, None)
            else:
                candidate.values[field.id] = value
        return jsonify(state.candidate_doc(candidate))


@bp.post("/notes")
def add_note() -> tuple[Response, int]:
    simulator = current()
    body = _json_object()
    errors = [
        {"message": "unknown parameter", "field": key} for key in sorted(set(body) - NOTE_KEYS)
    ]
    errors += [{"message": "is required", "field": key} for key in sorted(NOTE_KEYS - set(body))]
    if errors:
        raise ValidationFailedError(errors)
    with simulator.state.lock:
        candidate = simulator.state.candidates.get(_integer(body, "candidate_id"))
        if candidate is None:
            raise ValidationFailedError(
                [{"message": "candidate not found", "field": "candidate_id"}]
            )
        if _integer(body, "user_id") not in simulator.users:
            raise ValidationFailedError([{"message": "user not found", "field": "user_id"}])
        if not isinstance(body["body"], str) or not body["body"].strip():
            raise ValidationFailedError([{"message": "must not be blank", "field": "body"}])
        if body["visibility"] not in VISIBILITIES:
            allowed = ", ".join(sorted(VISIBILITIES))
            raise ValidationFailedError(
                [{"message": f"must be one of: {allowed}", "field": "visibility"}]
            )
        note = {
            "id": next(simulator.state.ids),
            **body,
            "created_at": dt.datetime.fromtimestamp(simulator.clock(), dt.UTC).isoformat(),
        }
        candidate.notes.append(note)
    return jsonify(note), 201


def _json_object() -> dict[str, t.Any]:
    if request.mimetype != "application/json":
        raise ApiError(415, "Content-Type must be application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object")
    return body


def _integer(body: dict[str, t.Any], key: str) -> int:
    value = body[key]
    if type(value) is not int:
        raise ValidationFailedError([{"message": "must be an integer", "field": key}])
    return value
