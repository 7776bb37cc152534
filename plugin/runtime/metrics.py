"""Prometheus text exposition of what the store knows (shared by every worker)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from plugin.attempts.unmatched import unmatched_counts
from plugin.outbox.deliveries import DeliveryStatus
from plugin.outbox.report import DeliveryReport
from plugin.services import services
from plugin.store.models import Deployment
from plugin.store.models import LtiUser
from plugin.store.models import Platform
from plugin.store.models import ResourceLink


def render_metrics(app: Flask) -> str:
    keys = services(app).keys.public_jwks()["keys"]
    with services(app).sessions() as session:
        platforms = session.scalar(select(func.count(Platform.id))) or 0
        rows = session.execute(
            select(Deployment.active, func.count(Deployment.id)).group_by(Deployment.active)
        ).all()
        deployments = {bool(active): count for active, count in rows}
        users = session.scalar(select(func.count(LtiUser.id))) or 0
        links = session.scalar(select(func.count(ResourceLink.id))) or 0
    sync = DeliveryReport(services(app).sessions).counts()
    lines = [
        "# HELP bridge_platforms Registered platforms (issuer and client id).",
        "# TYPE bridge_platforms gauge",
        f"bridge_platforms {platforms}",
        "# HELP bridge_deployments Deployments by state.",
        "# TYPE bridge_deployments gauge",
        f'bridge_deployments{{state="active"}} {deployments.get(True, 0)}',
        f'bridge_deployments{{state="inactive"}} {deployments.get(False, 0)}',
        "# HELP bridge_tool_keys_published Tool keys in the JWKS.",
        "# TYPE bridge_tool_keys_published gauge",
        f"bridge_tool_keys_published {len(keys)}",
        "# HELP bridge_lti_users People who have launched the tool.",
        "# TYPE bridge_lti_users gauge",
        f"bridge_lti_users {users}",
        "# HELP bridge_resource_links Placements of the tool in courses.",
        "# TYPE bridge_resource_links gauge",
        f"bridge_resource_links {links}",
        "# HELP bridge_deliveries Result deliveries (LMS gradebook and ATS) by status.",
        "# TYPE bridge_deliveries gauge",
        *(
            f'bridge_deliveries{{status="{status}"}} {sync["deliveries"].get(status, 0)}'
            for status in DeliveryStatus
        ),
        "# HELP bridge_attempts_owed_sync Attempts a signal announced but whose final result "
        "is not stored yet.",
        "# TYPE bridge_attempts_owed_sync gauge",
        f"bridge_attempts_owed_sync {sync['attempts_owed_sync']}",
        "# HELP bridge_unmatched_signals_total Signals that named no attempt we know, by vendor "
        "connection (counted, not stored).",
        "# TYPE bridge_unmatched_signals_total counter",
        *(
            f'bridge_unmatched_signals_total{{connection="{_label(u.name)}",vendor="{u.kind}"}}'
            f" {u.count}"
            for u in unmatched_counts(services(app).sessions)
        ),
    ]
    return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    """``value`` as a label value of the text format: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
