"""The claims of an LTI 1.3 launch id_token (LTI Core 1.3 section 5; AGS, NRPS, DL claims)."""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.legacy_claims import legacy_claims
from plugin.sandbox.lms.tools import type_id
from plugin.sandbox.lms.urls import context_api_url
from plugin.sandbox.lms.urls import line_item_url
from plugin.sandbox.lms.urls import line_items_url

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import Context
    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import LineItem
    from plugin.sandbox.lms.models import PendingLaunch
    from plugin.sandbox.lms.models import ResourceLink
    from plugin.sandbox.lms.models import Tool
    from plugin.sandbox.lms.models import User
    from plugin.sandbox.lms.profiles import LmsProfile
    from plugin.sandbox.lms.state import LmsState

DEEP_LINK_ACCEPT_TYPES = ("ltiResourceLink", "link")
DOCUMENT_TARGETS = ("iframe", "window")


@dataclasses.dataclass(frozen=True)
class LaunchSnapshot:
    """Everything an id_token says, read from the state in one locked step."""

    launch: PendingLaunch
    tool: Tool
    user: User
    context: Context
    link: ResourceLink | None
    line_item: LineItem | None


def take_snapshot(state: LmsState, launch: PendingLaunch) -> LaunchSnapshot:
    """Read the records a launch refers to."""
    with state.lock:
        link = state.resource_links.get(launch.resource_link_id or "")
        line_item = state.line_items.get(link.line_item_id or "") if link else None
        return LaunchSnapshot(
            launch=launch,
            tool=state.tools[launch.client_id],
            user=state.users[launch.user_id],
            context=state.contexts[launch.context_id],
            link=link,
            line_item=line_item,
        )


def build_claims(
    snap: LaunchSnapshot, profile: LmsProfile, *, issuer: str, nonce: str, now: int
) -> JsonDict:
    """Return the id_token body for a launch.

    :param snap: the launch and the records it refers to.
    :param profile: what the platform imitates (lifetime, URL shapes, legacy claims).
    :param issuer: the platform issuer (its base URL).
    :param nonce: the nonce from the authorization request.
    :param now: issue time, seconds since the epoch.
    """
    launch, ctx = snap.launch, snap.context
    return_url = f"{issuer}/launch_return"
    claims: JsonDict = {
        "iss": issuer,
        "aud": launch.client_id,
        "azp": launch.client_id,
        "sub": snap.user.id,
        "exp": now + profile.id_token_ttl_s,
        "iat": now,
        "nonce": nonce,
        **_person(snap.user),
        vocab.CLAIM_MESSAGE_TYPE: launch.message_type,
        vocab.CLAIM_VERSION: vocab.LTI_VERSION,
        vocab.CLAIM_DEPLOYMENT_ID: launch.deployment_id,
        vocab.CLAIM_TARGET_LINK_URI: launch.target_link_uri,
        vocab.CLAIM_ROLES: list(launch.roles),
        vocab.CLAIM_CONTEXT: {
            "id": ctx.id,
            "label": ctx.label,
            "title": ctx.title,
            "type": [vocab.CONTEXT_TYPE_COURSE_OFFERING],
        },
        vocab.CLAIM_TOOL_PLATFORM: _tool_platform(issuer, profile),
        vocab.CLAIM_LAUNCH_PRESENTATION: {"document_target": "iframe", "return_url": return_url},
        vocab.CLAIM_CUSTOM: {**snap.tool.custom, **(snap.link.custom if snap.link else {})},
    }
    claims[vocab.CLAIM_CUSTOM].update(launch.custom)
    claims.update(_service_claims(snap, issuer, type_id(profile, snap.tool)))
    if snap.link is not None and launch.message_type == vocab.MESSAGE_RESOURCE_LINK:
        claims[vocab.CLAIM_RESOURCE_LINK] = {"id": snap.link.id, "title": snap.link.title}
        if profile.legacy_lis_claims:
            claims.update(legacy_claims(snap.link, snap.user, launch, issuer))
    if launch.message_type == vocab.MESSAGE_DEEP_LINKING:
        claims[vocab.CLAIM_DL_SETTINGS] = _deep_linking_settings(launch, issuer)
    return claims


def _person(user: User) -> JsonDict:
    return {
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "email": user.email,
    }


def _tool_platform(issuer: str, profile: LmsProfile) -> JsonDict:
    return {
        "guid": issuer,
        "name": vocab.PLATFORM_NAME,
        "product_family_code": profile.product_family_code,
        "version": vocab.PLATFORM_VERSION,
    }


def _service_claims(snap: LaunchSnapshot, issuer: str, tool_type: str | None) -> JsonDict:
    claims: JsonDict = {}
    context_url = context_api_url(issuer, snap.context.id)
    ags_scopes = [s for s in vocab.AGS_SCOPES if s in snap.tool.scopes]
    if ags_scopes:
        endpoint: JsonDict = {
            "scope": ags_scopes,
            "lineitems": line_items_url(issuer, snap.context.id, tool_type),
        }
        if snap.line_item is not None and snap.launch.message_type == vocab.MESSAGE_RESOURCE_LINK:
            endpoint["lineitem"] = line_item_url(
                issuer, snap.context.id, snap.line_item.id, tool_type
            )
        claims[vocab.CLAIM_AGS_ENDPOINT] = endpoint
    if vocab.SCOPE_NRPS in snap.tool.scopes:
        claims[vocab.CLAIM_NRPS] = {
            "context_memberships_url": context_url + "/memberships",
            "service_versions": ["2.0"],
        }
    return claims


def _deep_linking_settings(launch: PendingLaunch, issuer: str) -> JsonDict:
    return {
        "deep_link_return_url": f"{issuer}/deep_link_return",
        "accept_types": list(DEEP_LINK_ACCEPT_TYPES),
        "accept_presentation_document_targets": list(DOCUMENT_TARGETS),
        "accept_multiple": True,
        "auto_create": True,
        "title": "Add an assessment",
        "data": launch.deep_link_data,
    }
