"""The simulated ``POST https://auth.greenhouse.io/token`` (client-credentials grant).

Client authentication is HTTP Basic only (``docs/ats/greenhouse.md#authentication``); the form holds
``grant_type=client_credentials`` and ``sub``, the id of a Greenhouse user the
integration acts as. Failures follow RFC 6749 section 5.2: 400 ``invalid_request`` /
``invalid_client`` (no client authentication) / ``unsupported_grant_type`` /
``invalid_grant`` (unknown ``sub``), and 401 ``invalid_client`` for a bad Basic header.
"""

from __future__ import annotations

import secrets

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from plugin.sandbox.ats.greenhouse.context import current
from plugin.sandbox.ats.greenhouse.errors import OAuthError

bp = Blueprint("greenhouse_oauth", __name__)


@bp.post("/token")
def token() -> Response:
    simulator = current()
    with simulator.state.lock:
        simulator.state.stats.token_requests += 1
    _check_client()
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request", "the body must be form-encoded")
    form = request.form
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError(400, "invalid_request", "grant_type is required")
    if grant != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant} is not supported")
    sub = form.get("sub", "")
    if not sub:
        raise OAuthError(400, "invalid_request", "sub (a Greenhouse user id) is required")
    if not sub.isdigit() or int(sub) not in simulator.users:
        raise OAuthError(400, "invalid_grant", "sub is not a user of this organization")
    issued = secrets.token_urlsafe(24)
    with simulator.state.lock:
        simulator.state.tokens[issued] = simulator.clock() + simulator.token_lifetime
        simulator.state.stats.tokens_issued += 1
    body = {"access_token": issued, "token_type": "Bearer", "expires_in": simulator.token_lifetime}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_client() -> None:
    if "client_secret" in request.form:
        raise OAuthError(
            400, "invalid_request", "send the client credentials with HTTP Basic authentication"
        )
    auth = request.authorization
    if auth is None:
        if request.headers.get("Authorization"):
            raise OAuthError(401, "invalid_client", "malformed Basic authorization")
        raise OAuthError(400, "invalid_client", "client authentication is required")
    if auth.type != "basic" or not current().client_matches(
        auth.username or "", auth.password or ""
    ):
        raise OAuthError(401, "invalid_client", "client authentication failed")
