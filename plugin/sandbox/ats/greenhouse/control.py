"""Control API of the Greenhouse simulator (``/sandbox/...``, JSON, no authentication).

- ``POST /sandbox/candidates`` ``{"emails": [...], "job_ids"?: [...], "first_name"?,
  "last_name"?}`` -> 201 the candidate
- ``GET /sandbox/candidates/<id>``: its custom field values (by ``name_key``) and notes
- ``POST /sandbox/custom_fields`` ``{"name", "value_type", "name_key"?, "options"?:
  [names], "active"?}`` -> 201 the field as the API lists it
- ``DELETE /sandbox/custom_fields/<id>``: soft-delete (``active: false``), as Greenhouse does
- ``POST /sandbox/tokens/revoke``: every issued access token stops working
- ``GET /sandbox/stats``: requests by endpoint, token requests, tokens issued, 429s answered
- ``POST /sandbox/reset``: forget candidates, fields, tokens, windows and counters
- ``PUT /sandbox/faults``: see :mod:`plugin.sandbox.vendors.faults`
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import jsonify

from plugin.sandbox.ats.greenhouse.context import current
from plugin.sandbox.vendors.common import invalid_request
from plugin.sandbox.vendors.common import json_object

if t.TYPE_CHECKING:
    from plugin.sandbox.ats.greenhouse.state import Candidate

bp = Blueprint("greenhouse_control", __name__, url_prefix="/sandbox")
bp.register_error_handler(ValueError, invalid_request)


@bp.post("/candidates")
def add_candidate() -> tuple[Response, int]:
    body = json_object()
    emails, job_ids = body.get("emails", []), body.get("job_ids", [])
    if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
        raise ValueError("emails must be a list of e-mail addresses")
    if not isinstance(job_ids, list) or not all(type(j) is int for j in job_ids):
        raise ValueError("job_ids must be a list of integers")
    candidate = current().state.add_candidate(
        str(body.get("first_name", "Sandbox")),
        str(body.get("last_name", "Candidate")),
        emails,
        job_ids,
    )
    return jsonify(_shown(candidate)), 201


@bp.get("/candidates/<int:candidate_id>")
def show_candidate(candidate_id: int) -> tuple[Response, int]:
    state = current().state
    with state.lock:
        candidate = state.candidates.get(candidate_id)
        if candidate is None:
            return jsonify(error=f"no candidate {candidate_id}"), 404
        return jsonify(_shown(candidate)), 200


@bp.post("/custom_fields")
def add_field() -> tuple[Response, int]:
    body = json_object()
    name, options = body.get("name"), body.get("options", [])
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name is required")
    if not isinstance(options, list) or not all(isinstance(o, str) and o for o in options):
        raise ValueError("options must be a list of option names")
    field = current().state.add_field(
        name,
        str(body.get("value_type", "")),
        name_key=body.get("name_key"),
        options=options,
        active=body.get("active", True) is not False,
    )
    return jsonify(field.doc()), 201


@bp.delete("/custom_fields/<int:field_id>")
def delete_field(field_id: int) -> tuple[Response, int]:
    state = current().state
    with state.lock:
        field = state.fields.get(field_id)
        if field is None:
            return jsonify(error=f"no custom field {field_id}"), 404
        field.active = False
        return jsonify(field.doc()), 200


@bp.post("/tokens/revoke")
def revoke_tokens() -> Response:
    state = current().state
    with state.lock:
        revoked = len(state.tokens)
        state.tokens.clear()
    return jsonify(revoked=revoked)


@bp.get("/stats")
def stats() -> Response:
    state = current().state
    with state.lock:
        return jsonify(state.stats.doc())


@bp.post("/reset")
def reset() -> Response:
    simulator = current()
    simulator.state.reset()
    simulator.limiter.reset()
    return jsonify(reset=True)


def _shown(candidate: Candidate) -> dict[str, t.Any]:
    state = current().state
    doc = state.candidate_doc(candidate)
    return {
        "id": candidate.id,
        "emails": list(candidate.emails),
        "job_ids": [job_id for _, job_id in candidate.applications],
        "custom_fields": doc["custom_fields"],
        "notes": list(candidate.notes),
    }
