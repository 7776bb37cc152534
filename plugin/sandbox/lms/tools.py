"""Creating tools and deployments (shared by manual and dynamic registration)."""

from __future__ import annotations

import typing as t

from plugin.sandbox.lms import ids
from plugin.sandbox.lms.models import Tool
from plugin.sandbox.lms.vocab import SERVICE_SCOPES

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.profiles import LmsProfile
    from plugin.sandbox.lms.state import LmsState


def grantable_scopes(requested: Iterable[str]) -> frozenset[str]:
    """Return the requested scopes this platform supports."""
    return frozenset(requested) & frozenset(SERVICE_SCOPES)


def create_tool(
    state: LmsState,
    profile: LmsProfile,
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
    active: bool = True,
) -> Tool:
    """Register a tool with a fresh ``client_id`` and one deployment.

    :param active: ``False`` for a tool an administrator still has to activate.
    :return: the stored tool; its first deployment id is ``tool.deployment_ids[0]``.
    """
    with state.lock:
        tool = Tool(
            client_id=ids.client_id(state, profile),
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
            active=active,
        )
        state.tools[tool.client_id] = tool
        add_deployment(state, profile, tool)
    return tool


def add_deployment(state: LmsState, profile: LmsProfile, tool: Tool) -> str:
    """Deploy ``tool`` once more and return the new deployment id."""
    with state.lock:
        deployment_id = ids.deployment_id(state, profile)
        tool.deployment_ids.append(deployment_id)
        state.deployments[deployment_id] = tool.client_id
    return deployment_id


def type_id(profile: LmsProfile, tool: Tool) -> str | None:
    """Return the ``type_id`` a Moodle-like platform puts in the tool's AGS URLs, else ``None``.

    Moodle's tool type id is also the deployment id it sends, hence the first deployment.
    """
    return tool.deployment_ids[0] if profile.type_id_query else None
