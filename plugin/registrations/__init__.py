"""Who may launch the tool: platforms and their deployments, the tool's signing keys, and
the LTI launch itself (login state, validation, what a launch leaves behind)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from plugin.registrations.invites import RegistrationInvites
    from plugin.registrations.lti_tool import build_tool
    from plugin.registrations.platforms import PlatformService
    from plugin.registrations.tool_keys import ToolKeyService
    from plugin.services import services

    registry = services(app)
    registry.keys = ToolKeyService(registry.sessions, registry.secrets)
    registry.platforms = PlatformService(registry.sessions)
    registry.lti = build_tool(
        registry.settings,
        platforms=registry.platforms,
        keys=registry.keys,
        sessions=registry.sessions,
        shared_store=registry.shared_store,
        secrets=registry.secrets,
    )
    registry.invites = RegistrationInvites(
        registry.sessions, urls=registry.lti.urls, register=registry.lti.register
    )
