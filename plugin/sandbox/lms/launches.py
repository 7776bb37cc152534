"""Preparing launches: what the LMS does when a user clicks a tool link.

A pending launch is keyed by its ``lti_message_hint``; the OIDC login initiation request that
starts the flow (LTI Core 1.3 section 5.1.1) carries that hint and an opaque ``login_hint``.
"""

from __future__ import annotations

import secrets
import typing as t

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.models import PendingLaunch
from plugin.sandbox.lms.payload import obj
from plugin.sandbox.lms.payload import opt_str
from plugin.sandbox.lms.payload import req_str
from plugin.sandbox.lms.payload import str_dict
from plugin.sandbox.lms.payload import str_list
from plugin.sandbox.lms.state import new_id
from plugin.sandbox.lms.tamper import TAMPER_MODES

if t.TYPE_CHECKING:
    from collections.abc import Collection

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import ResourceLink
    from plugin.sandbox.lms.models import Tool
    from plugin.sandbox.lms.state import LmsState


def create_launch(state: LmsState, body: JsonDict) -> PendingLaunch:
    """Validate a control-API launch request and store the pending launch.

    :raises ApiError: 400/404 naming the bad field.
    """
    tool = state.tool(req_str(body, "client_id"))
    user = state.user(req_str(body, "user_id"))
    context = state.context(req_str(body, "context_id"))
    message_type = _choice(body, "message_type", vocab.LAUNCH_MESSAGE_TYPES)
    tamper = _choice(body, "tamper", TAMPER_MODES)
    message_type = message_type or vocab.MESSAGE_RESOURCE_LINK
    is_deep_link = message_type == vocab.MESSAGE_DEEP_LINKING
    link = _resource_link(state, body, context.id, is_deep_link)
    default_target = tool.deep_link_uri if is_deep_link else tool.target_link_uri
    launch = PendingLaunch(
        id=new_id("launch"),
        client_id=tool.client_id,
        deployment_id=_deployment(tool, opt_str(body, "deployment_id")),
        user_id=user.id,
        context_id=context.id,
        resource_link_id=link.id if link else None,
        message_type=message_type,
        roles=_roles(state, body, context.id, user.id),
        custom=str_dict(body, "custom"),
        target_link_uri=opt_str(body, "target_link_uri")
        or (link.url if link and not is_deep_link else None)
        or default_target,
        login_hint=secrets.token_urlsafe(12),
        message_hint="",
        deep_link_data=secrets.token_urlsafe(16) if is_deep_link else None,
        tamper=tamper,
        remove_claims=str_list(body, "remove_claims") if "remove_claims" in body else None,
        claim_overrides=obj(body, "claim_overrides") or {},
    )
    launch.message_hint = launch.id
    with state.lock:
        state.launches[launch.message_hint] = launch
        if launch.deep_link_data is not None:
            state.deep_link_data[launch.deep_link_data] = launch.id
    return launch


def _choice(body: JsonDict, key: str, allowed: Collection[str]) -> str | None:
    value = opt_str(body, key)
    if value is not None and value not in allowed:
        raise ApiError(400, "invalid_request", f"unsupported {key} {value!r}")
    return value


def _deployment(tool: Tool, requested: str | None) -> str:
    if requested is None:
        return tool.deployment_ids[0]
    if requested not in tool.deployment_ids:
        raise ApiError(400, "invalid_request", "deployment_id is not a deployment of this tool")
    return requested


def _resource_link(
    state: LmsState, body: JsonDict, context_id: str, deep: bool
) -> ResourceLink | None:
    link_id = opt_str(body, "resource_link_id")
    if link_id is None:
        if not deep:
            raise ApiError(400, "invalid_request", "resource_link_id is required")
        return None
    with state.lock:
        link = state.resource_links.get(link_id)
    if link is None or link.context_id != context_id:
        raise ApiError(404, "not_found", f"unknown resource link {link_id!r} in this context")
    return link


def _roles(state: LmsState, body: JsonDict, context_id: str, user_id: str) -> list[str]:
    roles = str_list(body, "roles")
    if not roles:
        with state.lock:
            roles = list(state.memberships.get(context_id, {}).get(user_id, []))
    if not roles:
        raise ApiError(400, "invalid_request", "the user is not enrolled; enrol or give roles")
    return [vocab.full_role(role) for role in roles]


def login_initiation(launch: PendingLaunch, tool: Tool, issuer: str) -> JsonDict:
    """Return the third-party login initiation request for ``launch``."""
    return {
        "url": tool.initiate_login_uri,
        "method": "POST",
        "params": {
            "iss": issuer,
            "login_hint": launch.login_hint,
            "target_link_uri": launch.target_link_uri,
            "lti_message_hint": launch.message_hint,
            "client_id": launch.client_id,
            "lti_deployment_id": launch.deployment_id,
        },
    }
