"""Creating tools and deployments (shared by manual and dynamic registration)."""

from __future__ import annotations

import secrets
import typing as t

from plugin.sandbox.lms.models import Tool
from plugin.sandbox.lms.state import new_id
from plugin.sandbox.lms.vocab import SERVICE_SCOPES

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.state import LmsState


def grantable_scopes(requested: Iterable[str]) -> frozenset[str]:
    """Return the requested scopes this platform supports."""
    return frozenset(requested) & frozenset(SERVICE_SCOPES)


def create_tool(
    state: LmsState,
    *,
    name: str,
    initiate_login_uri: str,
    redirect_uris: list[str],
    jwks_uri: str,
    target_link_uri: str,
    deep_link_uri: str | None = None,
    scopes: Iterable[str] = SERVICE_SCOPES,
    custom: dict[str, str] | None = None,
    registration: JsonDict | None = None,
) -> Tool:
    """Register a tool with a fresh ``client_id`` and one deployment.

    :return: the stored tool; its first deployment id is ``tool.deployment_ids[0]``.
    """
    tool = Tool(
        client_id=secrets.token_hex(8),
        name=name,
        initiate_login_uri=initiate_login_uri,
        redirect_uris=list(redirect_uris),
        jwks_uri=jwks_uri,
        target_link_uri=target_link_uri,
        deep_link_uri=deep_link_uri or target_link_uri,
        scopes=grantable_scopes(scopes),
        deployment_ids=[],
        custom=dict(custom or {}),
        registration=registration,
    )
    with state.lock:
        state.tools[tool.client_id] = tool
        add_deployment(state, tool)
    return tool


def add_deployment(state: LmsState, tool: Tool) -> str:
    """Deploy ``tool`` once more and return the new deployment id."""
    deployment_id = new_id("dep")
    with state.lock:
        tool.deployment_ids.append(deployment_id)
        state.deployments[deployment_id] = tool.client_id
    return deployment_id
