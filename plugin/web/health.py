"""Liveness and metrics."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from sqlalchemy import text

from plugin.jobs.tasks import last_heartbeat
from plugin.store.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    checks: dict[str, str] = {}
    try:
        get_session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not swallowed
        checks["database"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    seen = last_heartbeat()
    consumer = {"last_seen": seen.isoformat() if seen else None}
    status = "ok" if healthy else "degraded"
    return jsonify(status=status, checks=checks, consumer=consumer), 200 if healthy else 503


@bp.get("/metrics")
def metrics() -> Response:
    from plugin.runtime.metrics import render_metrics

    body = render_metrics(current_app)
    return Response(body, mimetype="text/plain; version=0.0.4")
