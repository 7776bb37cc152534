"""LTI Dynamic Registration endpoint (https://www.imsglobal.org/spec/lti-dr/v1p0).

The tool posts its OpenID client metadata with the one-time registration token the platform
handed it; the platform answers 201 with the metadata echoed plus ``client_id`` and, in the tool
configuration, ``deployment_id``.
"""

from __future__ import annotations

import copy
import secrets
import time
import typing as t
import urllib.parse

from flask import Blueprint
from flask import jsonify
from flask import request

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.models import RegistrationToken
from plugin.sandbox.lms.tools import create_tool
from plugin.sandbox.lms.tools import grantable_scopes

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import Tool
    from plugin.sandbox.lms.profiles import LmsProfile
    from plugin.sandbox.lms.state import LmsState

bp = Blueprint("lms_registration", __name__)

REGISTRATION_TOKEN_TTL_S = 600
_INVALID = "invalid_client_metadata"


def issue_registration_token(state: LmsState, ttl_s: int = REGISTRATION_TOKEN_TTL_S) -> str:
    """Create a one-time registration token valid for ``ttl_s`` seconds."""
    token = secrets.token_urlsafe(24)
    with state.lock:
        state.registration_tokens[token] = RegistrationToken(expires_at=time.time() + ttl_s)
    return token


@bp.post("/register")
def register() -> tuple[Response, int]:
    """Register a tool from its client metadata."""
    state = current_lms().state
    token = _bearer_token()
    _check_token(state, token, consume=False)
    metadata = request.get_json(force=True, silent=True)
    if not isinstance(metadata, dict):
        raise ApiError(400, _INVALID, "the body must be a JSON object")
    validate_client_metadata(metadata)
    with state.lock:
        _check_token(state, token, consume=True)
        tool = _create_registered_tool(state, current_lms().profile, metadata)
    return jsonify(_registration_response(metadata, tool.client_id, tool.deployment_ids[0])), 201


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "invalid_token", "a registration token is required", _challenge())
    return token.strip()


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="sandbox-lms", error="invalid_token"'}


def _check_token(state: LmsState, token: str, *, consume: bool) -> None:
    with state.lock:
        record = state.registration_tokens.get(token)
        if record is None or record.used or record.expires_at <= time.time():
            raise ApiError(
                401, "invalid_token", "unknown, used or expired registration token", _challenge()
            )
        if consume:
            record.used = True


def validate_client_metadata(metadata: JsonDict) -> None:
    """Check a tool's registration request against LTI-DR section 3.4.

    :raises ApiError: 400 ``invalid_client_metadata`` naming the first problem.
    """
    _expect(metadata.get("application_type") == "web", "application_type must be 'web'")
    _expect(metadata.get("response_types") == ["id_token"], "response_types must be ['id_token']")
    grants = metadata.get("grant_types")
    _expect(
        isinstance(grants, list) and set(grants) == {"implicit", "client_credentials"},
        "grant_types must be ['implicit', 'client_credentials']",
    )
    _expect(
        metadata.get("token_endpoint_auth_method") == "private_key_jwt",
        "token_endpoint_auth_method must be 'private_key_jwt'",
    )
    _expect(isinstance(metadata.get("scope", ""), str), "scope must be a space-separated string")
    redirects = metadata.get("redirect_uris")
    _expect(isinstance(redirects, list) and bool(redirects), "redirect_uris must be non-empty")
    config = metadata.get(vocab.TOOL_CONFIGURATION)
    _expect(isinstance(config, dict), f"{vocab.TOOL_CONFIGURATION} must be an object")
    domain = config.get("domain") if isinstance(config, dict) else None
    _expect(isinstance(domain, str) and bool(domain), "tool configuration domain is required")
    host = _split(f"//{domain}").hostname
    _check_url(metadata.get("jwks_uri"), "jwks_uri", None)
    _check_url(metadata.get("initiate_login_uri"), "initiate_login_uri", host)
    for uri in t.cast("list[object]", redirects):
        _check_url(uri, "redirect_uris", host)
    _check_tool_configuration(t.cast("JsonDict", config), host)


def _check_tool_configuration(config: JsonDict, host: str | None) -> None:
    _check_url(config.get("target_link_uri"), "target_link_uri", host)
    claims = config.get("claims", [])
    _expect(
        isinstance(claims, list) and all(isinstance(c, str) for c in claims),
        "claims must be a list of strings",
    )
    messages = config.get("messages", [])
    _expect(isinstance(messages, list), "messages must be a list")
    for message in messages:
        _expect(isinstance(message, dict), "each message must be an object")
        _expect(
            message.get("type") in vocab.LAUNCH_MESSAGE_TYPES,
            f"unsupported message type {message.get('type')!r}",
        )
        if "target_link_uri" in message:
            _check_url(message["target_link_uri"], "messages.target_link_uri", host)
    custom = config.get("custom_parameters", {})
    _expect(
        isinstance(custom, dict) and all(isinstance(v, str) for v in custom.values()),
        "custom_parameters must be an object of strings",
    )


def _split(url: str) -> urllib.parse.SplitResult:
    try:
        return urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise ApiError(400, _INVALID, "malformed URL or domain") from exc


def _check_url(value: object, name: str, host: str | None) -> None:
    _expect(isinstance(value, str), f"{name} must be a URL")
    parts = _split(t.cast("str", value))
    _expect(
        parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment,
        f"{name} must be an absolute http(s) URL without fragment",
    )
    if host is not None:
        _expect(parts.hostname == host, f"{name} must be on the tool's domain {host!r}")


def _expect(condition: bool, description: str) -> None:
    if not condition:
        raise ApiError(400, _INVALID, description)


def _create_registered_tool(state: LmsState, profile: LmsProfile, metadata: JsonDict) -> Tool:
    """Create the tool a registration asks for, pending if the profile says so (Moodle)."""
    config: JsonDict = metadata[vocab.TOOL_CONFIGURATION]
    deep_link_uri = next(
        (
            m.get("target_link_uri")
            for m in config.get("messages", [])
            if m.get("type") == vocab.MESSAGE_DEEP_LINKING
        ),
        None,
    )
    return create_tool(
        state,
        profile,
        name=str(metadata.get("client_name") or config["domain"]),
        initiate_login_uri=metadata["initiate_login_uri"],
        redirect_uris=metadata["redirect_uris"],
        jwks_uri=metadata["jwks_uri"],
        target_link_uri=config["target_link_uri"],
        deep_link_uri=deep_link_uri,
        scopes=str(metadata.get("scope", "")).split(),
        custom=config.get("custom_parameters") or {},
        registration=copy.deepcopy(metadata),
        active=not profile.pending_dynamic_registrations,
    )


def _registration_response(metadata: JsonDict, client_id: str, deployment_id: str) -> JsonDict:
    response = copy.deepcopy(metadata)
    response["client_id"] = client_id
    granted = grantable_scopes(str(metadata.get("scope", "")).split())
    response["scope"] = " ".join(sorted(granted))
    response[vocab.TOOL_CONFIGURATION]["deployment_id"] = deployment_id
    return response
