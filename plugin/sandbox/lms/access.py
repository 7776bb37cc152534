"""Guards shared by the LTI Advantage service endpoints: bearer tokens, scopes, media types."""

from __future__ import annotations

import json
import time
import typing as t

from flask import Response
from flask import request

from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.tools import type_id

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import AccessToken
    from plugin.sandbox.lms.models import JsonDict


def authorize(*accepted_scopes: str) -> AccessToken:
    """Check the request's bearer token holds at least one of ``accepted_scopes``.

    :raises ApiError: 401 for a missing, unknown or expired token; 403 for a missing scope.
    """
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "invalid_token", "a bearer token is required", _challenge(None))
    state = current_lms().state
    with state.lock:
        token = state.access_tokens.get(value.strip())
    if token is None or token.expires_at <= time.time():
        raise ApiError(
            401, "invalid_token", "unknown or expired access token", _challenge("invalid_token")
        )
    if not token.scopes.intersection(accepted_scopes):
        raise ApiError(
            403,
            "insufficient_scope",
            "the token lacks the scope this endpoint needs",
            _challenge("insufficient_scope"),
        )
    return token


def caller_type_id(token: AccessToken) -> str | None:
    """Return the ``type_id`` the caller's AGS URLs carry on a Moodle-like platform, else ``None``.

    Moodle routes a service request by its path and reads the tool type from the ``type_id``
    query; a request without the caller's own type finds no line item.

    :raises ApiError: 404 when the profile uses ``type_id`` and the request's is not the caller's.
    """
    lms = current_lms()
    expected = type_id(lms.profile, lms.state.tool(token.client_id))
    if expected is not None and request.args.get("type_id") != expected:
        raise ApiError(404, "not_found", f"No handler found for {request.full_path}")
    return expected


def _challenge(error: str | None) -> dict[str, str]:
    value = 'Bearer realm="sandbox-lms"'
    return {"WWW-Authenticate": value + (f', error="{error}"' if error else "")}


def require_accept(media_type: str) -> None:
    """Refuse with 406 unless the ``Accept`` header allows ``media_type``."""
    if request.accept_mimetypes.quality(media_type) <= 0:
        raise ApiError(406, "not_acceptable", f"this endpoint answers {media_type}")


def read_typed_json(media_type: str) -> JsonDict:
    """Return the JSON object body, refusing with 415 unless it is sent as ``media_type``.

    :raises ApiError: 415 on a wrong ``Content-Type``, 400 on a body that is not an object.
    """
    if request.mimetype != media_type:
        raise ApiError(415, "unsupported_media_type", f"send the body as {media_type}")
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError as exc:
        raise ApiError(400, "invalid_request", "the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", "the body must be a JSON object")
    return body


def typed_json(payload: object, media_type: str, status: int = 200) -> Response:
    """Serialise ``payload`` as a response of ``media_type``."""
    return Response(json.dumps(payload), status=status, mimetype=media_type)
