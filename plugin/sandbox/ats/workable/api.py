"""The simulated SPI v3 endpoints (``/spi/v3/...``), strict like Workable.

Every request is counted against its bearer token's interval (``X-Rate-Limit-*`` on
every answer, 429 with ``Retry-After`` once spent), then the token is checked (401
``{"error": "Not authorized"}``).
"""

from __future__ import annotations

import math
import typing as t
import urllib.parse

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from plugin.sandbox.ats.workable.context import current
from plugin.sandbox.ats.workable.context import workable_error
from plugin.sandbox.ats.workable.state import SimulatorError
from plugin.sandbox.ats.workable.values import attribute_key
from plugin.sandbox.ats.workable.values import checked_value

if t.TYPE_CHECKING:
    from plugin.sandbox.ats.workable.state import Candidate

PREFIX = "/spi/v3"
MAX_LIMIT = 100

bp = Blueprint("workable_api", __name__, url_prefix=PREFIX)


def presented_token() -> str:
    """The bearer token of the request ("" without one)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@bp.before_request
def rate_limit_and_authenticate() -> Response | None:
    simulator = current()
    token = presented_token()
    if not simulator.limiter.hit(token):
        response = workable_error(429, "Rate limit exceeded")
        response.headers["Retry-After"] = str(
            max(1, math.ceil(simulator.limiter.seconds_to_reset(token)))
        )
        return response
    if token != simulator.token:
        return workable_error(401, "Not authorized")
    return None


@bp.get("/candidates")
def candidates() -> Response:
    simulator = current()
    email = request.args.get("email")
    limit = _limit(request.args.get("limit"), simulator.page_size)
    found = simulator.state.matching(email)
    start = 0
    since_id = request.args.get("since_id")
    if since_id is not None:
        ids = [c.id for c in found]
        if since_id not in ids:
            raise SimulatorError(422, "since_id is not a candidate of this listing")
        start = ids.index(since_id) + 1
    page = found[start : start + limit]
    body: dict[str, t.Any] = {"candidates": [c.doc(simulator.subdomain) for c in page]}
    if start + limit < len(found):
        body["paging"] = {"next": _next_link(email, limit, page[-1])}
    return jsonify(body)


@bp.get("/custom_attributes")
def custom_attributes() -> Response:
    state = current().state
    with state.lock:
        return jsonify(custom_attributes=[a.doc for a in state.attributes.values()])


@bp.patch("/candidates/<candidate_id>/update_custom_attribute_value")
def update_custom_attribute_value(candidate_id: str) -> Response:
    state = current().state
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SimulatorError(400, "The body must be a JSON object")
    with state.lock:
        candidate = state.candidate(candidate_id)
        key = attribute_key(body)
        attribute = state.attributes.get(key)
        if attribute is None:
            raise SimulatorError(422, f"Custom attribute {key} not found")
        value = checked_value(attribute, body)
        candidate.values[key] = value
        candidate.writes += 1
        candidate.writes_by_attribute[key] += 1
    name = "checked" if attribute.type == "boolean" else "value"
    return jsonify({"custom_attribute_key": key, name: value})


def _limit(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise SimulatorError(422, f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def _next_link(email: str | None, limit: int, last: Candidate) -> str:
    query = {"limit": str(limit), "since_id": last.id}
    if email is not None:
        query["email"] = email
    return f"{request.host_url.rstrip('/')}{PREFIX}/candidates?{urllib.parse.urlencode(query)}"
