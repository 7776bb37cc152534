"""JSON renderings of platform records for the control API."""

from __future__ import annotations

import dataclasses
import typing as t

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import Context
    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import Tool
    from plugin.sandbox.lms.state import LmsState


def tool_view(tool: Tool) -> JsonDict:
    """Render a tool with its deployments, scopes and (if dynamic) its registration."""
    rendered = dataclasses.asdict(tool)
    rendered["scopes"] = sorted(tool.scopes)
    return rendered


def context_view(state: LmsState, context: Context) -> JsonDict:
    """Render a context with members, resource links and deep-linked content items."""
    with state.lock:
        members = [
            {"user_id": user_id, "roles": roles}
            for user_id, roles in state.memberships.get(context.id, {}).items()
        ]
        links = [
            dataclasses.asdict(link)
            for link in state.resource_links.values()
            if link.context_id == context.id
        ]
        items = [
            {"client_id": c.client_id, "resource_link_id": c.resource_link_id, "item": c.item}
            for c in state.content_items
            if c.context_id == context.id
        ]
    return {
        **dataclasses.asdict(context),
        "members": members,
        "resource_links": links,
        "content_items": items,
    }
