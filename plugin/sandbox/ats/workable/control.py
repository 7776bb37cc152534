"""Control API of the Workable simulator (``/sandbox/...``, JSON, loopback callers only).

- ``POST /sandbox/candidates`` ``{"email", "firstname"?, "lastname"?, "id"?}``
- ``GET /sandbox/candidates/<id>``: the candidate with ``custom_attributes``
  (key -> value written), ``writes`` (successful writes) and ``writes_by_attribute``
  (key -> successful writes)
- ``POST /sandbox/custom_attributes`` ``{"label", "type", "id"?, "enabled"?, "hint"?,
  "choices"?: [{"id"?, "body"}]}``
- ``GET /sandbox/stats``: ``requests`` by endpoint, ``statuses`` by HTTP status,
  ``rate_limited`` (429s answered), ``unauthorized`` (401s answered)
- ``POST /sandbox/reset``: forget candidates, attributes, counters and intervals
- ``PUT /sandbox/faults`` (see :mod:`plugin.sandbox.vendors.faults`)
"""

from __future__ import annotations

import secrets
import typing as t

from flask import Blueprint
from flask import Response
from flask import abort
from flask import jsonify
from flask import request

from plugin.sandbox.ats.workable.context import current
from plugin.sandbox.ats.workable.state import ATTRIBUTE_TYPES
from plugin.sandbox.ats.workable.state import Attribute
from plugin.sandbox.vendors.common import invalid_request
from plugin.sandbox.vendors.common import json_object

bp = Blueprint("workable_control", __name__, url_prefix="/sandbox")
bp.register_error_handler(ValueError, invalid_request)

_LOOPBACK = frozenset({"127.0.0.1", "::1"})


@bp.before_request
def loopback_only() -> None:
    """Refuse callers that are not on this machine."""
    if request.remote_addr not in _LOOPBACK:
        abort(403)


@bp.post("/candidates")
def add_candidate() -> tuple[Response, int]:
    body = json_object()
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise ValueError("email must be an e-mail address")
    simulator = current()
    candidate = simulator.state.add_candidate(
        email.strip(),
        str(body.get("firstname") or "Sandbox"),
        str(body.get("lastname") or "Candidate"),
        _optional_text(body, "id"),
    )
    return jsonify(candidate.doc(simulator.subdomain)), 201


@bp.get("/candidates/<candidate_id>")
def show_candidate(candidate_id: str) -> Response:
    simulator = current()
    with simulator.state.lock:
        candidate = simulator.state.candidate(candidate_id)
        return jsonify(
            **candidate.doc(simulator.subdomain),
            custom_attributes=dict(candidate.values),
            writes=candidate.writes,
            writes_by_attribute=dict(candidate.writes_by_attribute),
        )


@bp.post("/custom_attributes")
def add_attribute() -> tuple[Response, int]:
    body = json_object()
    kind = body.get("type")
    if kind not in ATTRIBUTE_TYPES:
        raise ValueError(f"type must be one of: {', '.join(sorted(ATTRIBUTE_TYPES))}")
    label = _optional_text(body, "label")
    if not label:
        raise ValueError("label is required")
    attribute = Attribute(
        id=_optional_text(body, "id") or secrets.token_hex(4),
        label=label,
        type=kind,
        enabled=body.get("enabled", True) is not False,
        hint=_optional_text(body, "hint") or "",
        choices=_choices(body.get("choices"), kind),
    )
    return jsonify(current().state.add_attribute(attribute).doc), 201


@bp.get("/stats")
def stats() -> Response:
    state = current().state
    with state.lock:
        return jsonify(
            requests=dict(state.requests),
            statuses={str(code): n for code, n in state.statuses.items()},
            rate_limited=state.statuses[429],
            unauthorized=state.statuses[401],
        )


@bp.post("/reset")
def reset() -> Response:
    simulator = current()
    simulator.state.reset()
    simulator.limiter.reset()
    return jsonify(reset=True)


def _optional_text(body: dict[str, t.Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"{name} must be a non-empty string")
    return value.strip() if value is not None else None


def _choices(raw: t.Any, kind: str) -> tuple[tuple[str, str], ...]:
    if kind != "dropdown":
        if raw:
            raise ValueError("only dropdown attributes have choices")
        return ()
    if not isinstance(raw, list) or not raw:
        raise ValueError("a dropdown attribute needs choices [{id?, body}]")
    choices = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("body"), str):
            raise ValueError("each choice needs a body (its label)")
        choices.append((str(item.get("id") or secrets.token_hex(4)), item["body"]))
    return tuple(choices)
