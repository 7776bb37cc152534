"""Liveness and metrics."""

from __future__ import annotations

import hmac

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request

from plugin.jobs.tasks import last_heartbeat
from plugin.services import services
from plugin.store.db import DatabaseBusyError
from plugin.store.db import check_writable

bp = Blueprint("health", __name__)

#: How long ``/healthz`` waits for the database: a load balancer's probe must get an answer
#: well within its own timeout.
DATABASE_CHECK_SECONDS = 1.0


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """503 unless the database answers and the keys open the key canary (checked once per
    process while they do: :meth:`plugin.runtime.key_check.KeyCheck.status`).

    The database must let a write start within :data:`DATABASE_CHECK_SECONDS`
    (:func:`plugin.store.db.check_writable`): a SQLite file another process holds answers
    reads, but no callback could be recorded, and the check must not hang with them."""
    checks: dict[str, str] = {}
    try:
        check_writable(services(current_app).engine, seconds=DATABASE_CHECK_SECONDS)
        checks["database"] = "ok"
    except DatabaseBusyError:
        checks["database"] = f"busy: no answer within {DATABASE_CHECK_SECONDS:g} s"
    except Exception as exc:  # noqa: BLE001 - reported, not swallowed
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        checks["keys"] = services(current_app).key_check.status()
    except Exception as exc:  # noqa: BLE001 - reported, not swallowed
        checks["keys"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    seen = last_heartbeat()
    consumer = {"last_seen": seen.isoformat() if seen else None}
    status = "ok" if healthy else "degraded"
    return jsonify(status=status, checks=checks, consumer=consumer), 200 if healthy else 503


@bp.get("/metrics")
def metrics() -> Response | tuple[Response, int, dict[str, str]]:
    """Prometheus text; behind ``Authorization: Bearer`` when BRIDGE_METRICS_TOKEN is set."""
    from plugin.runtime.metrics import render_metrics

    token = services(current_app).settings.metrics_token
    if token is not None and not _bearer_matches(token):
        body = jsonify(error="unauthorized", message="/metrics needs the metrics bearer token")
        return body, 401, {"WWW-Authenticate": "Bearer"}
    return Response(render_metrics(current_app), mimetype="text/plain; version=0.0.4")


def _bearer_matches(token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
