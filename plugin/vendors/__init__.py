"""Assessment vendors: one package per vendor behind one adapter contract
(:mod:`plugin.vendors.base`), and the stored connections that build adapters."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from plugin.services import services
    from plugin.vendors.connections import VendorConnectionService

    registry = services(app)
    settings = registry.settings
    registry.vendor_connections = VendorConnectionService(
        registry.sessions,
        registry.secrets,
        base_url=settings.base_url,
        shared_store=registry.shared_store,
        timeouts=(settings.http_connect_timeout, settings.http_read_timeout),
        max_response_bytes=settings.http_max_response_bytes,
    )
