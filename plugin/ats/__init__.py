"""Applicant tracking systems: one package per ATS (Greenhouse, Workable, a signed
webhook) behind the sink contract of :mod:`plugin.ats.base`, and the stored connections
that build sinks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from plugin.ats.connections import AtsConnectionService
    from plugin.services import services

    registry = services(app)
    settings = registry.settings
    registry.ats_connections = AtsConnectionService(
        registry.sessions,
        registry.secrets,
        timeouts=(settings.http_connect_timeout, settings.http_read_timeout),
        max_response_bytes=settings.http_max_response_bytes,
    )
