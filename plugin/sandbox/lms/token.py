"""OAuth 2.0 client-credentials token endpoint with JWT client assertions.

Follows the LTI Security Framework 1.0 section 4.1 (RFC 7523 client authentication): the tool
signs an assertion with ``iss == sub == client_id``, ``aud`` naming this token endpoint, a short
``exp`` and a one-time ``jti``; the platform grants the requested scopes the tool registered.
Assertion failures answer 401 ``invalid_client`` (RFC 7523 section 3.2).
"""

from __future__ import annotations

import secrets
import time
import typing as t

from flask import Blueprint
from flask import jsonify
from flask import request

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.assertions import LEEWAY_S
from plugin.sandbox.lms.assertions import verify_tool_jwt
from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.errors import JwtRejectedError
from plugin.sandbox.lms.models import AccessToken

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.lms.context import SandboxLmsExtension
    from plugin.sandbox.lms.models import Tool

bp = Blueprint("lms_token", __name__)

ACCESS_TOKEN_TTL_S = 3600


@bp.post("/token")
def token() -> Response:
    """Exchange a client assertion for a bearer token."""
    form = request.form
    if form.get("grant_type") != "client_credentials":
        raise ApiError(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != vocab.CLIENT_ASSERTION_TYPE:
        raise ApiError(400, "invalid_request", "client_assertion_type must be jwt-bearer")
    assertion = form.get("client_assertion", "")
    if not assertion:
        raise ApiError(400, "invalid_request", "client_assertion is required")
    lms = current_lms()
    tool = _authenticate(lms, assertion)
    granted = frozenset(form.get("scope", "").split()) & tool.scopes
    if not granted:
        lms.stats.count_token_request(tool.client_id, issued=False)
        raise ApiError(400, "invalid_scope", "none of the requested scopes is granted to you")
    access_token = secrets.token_urlsafe(32)
    with lms.state.lock:
        lms.state.access_tokens[access_token] = AccessToken(
            client_id=tool.client_id,
            scopes=granted,
            expires_at=time.time() + ACCESS_TOKEN_TTL_S,
        )
    lms.stats.count_token_request(tool.client_id, issued=True)
    response = jsonify(
        access_token=access_token,
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=ACCESS_TOKEN_TTL_S,
        scope=" ".join(sorted(granted)),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _authenticate(lms: SandboxLmsExtension, assertion: str) -> Tool:
    """Verify the client assertion and consume its ``jti``.

    :raises ApiError: 401 ``invalid_client`` naming the failed check.
    """
    issuer = base_url()
    try:
        tool, claims = verify_tool_jwt(
            lms, assertion, audience=[issuer + "/token", issuer], required=["sub", "jti"]
        )
    except JwtRejectedError as exc:
        raise _invalid_client(f"{exc.check}: {exc.description}") from exc
    client_id = request.form.get("client_id")
    if claims["sub"] != tool.client_id or client_id not in (None, tool.client_id):
        raise _invalid_client("sub: iss, sub and client_id must all be the client_id")
    expires_at = float(claims["exp"]) + LEEWAY_S
    if not lms.state.claim_jti(tool.client_id, str(claims["jti"]), expires_at):
        raise _invalid_client("jti: this assertion was already used")
    return tool


def _invalid_client(description: str) -> ApiError:
    return ApiError(401, "invalid_client", description, {"WWW-Authenticate": "Bearer"})
