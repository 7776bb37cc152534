"""From "look again at this attempt" to stored results: fetch and map the vendor's
result, plan the deliveries a new version needs, and reconcile with each vendor."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from plugin.services import services
    from plugin.sync.reconcile import Reconciler
    from plugin.sync.service import SyncService
    from plugin.sync.targets import TargetPlanner

    registry = services(app)
    registry.sync = SyncService(
        registry.sessions,
        registry.vendor_connections,
        registry.secrets,
        registry.outbox,
        TargetPlanner(),
        registry.queue,
    )
    registry.reconciler = Reconciler(registry.sessions, registry.vendor_connections, registry.sync)
