"""App factory of the sandbox LMS and a helper that serves it on a free loopback port."""

from __future__ import annotations

import time
import typing as t

from flask import Flask
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed

from plugin.sandbox.lms.context import EXTENSION_NAME
from plugin.sandbox.lms.context import SandboxLmsExtension
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.errors import PageError
from plugin.sandbox.lms.pages import error_page
from plugin.sandbox.lms.profiles import profile_named
from plugin.sandbox.lms.urls import line_item_rule
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.server import ServedApp

CONTROL_PREFIX = "/sandbox/"
SERVICE_PREFIX = "/api/"


def create_lms_app(*, base_url: str | None = None, profile: str = "strict") -> Flask:
    """Build a sandbox LMS with empty state and one fresh signing key.

    :param base_url: the platform's base URL, which is also its issuer. When ``None`` the URL a
        request arrives on is used until ``app.config["LMS_BASE_URL"]`` is set.
    :param profile: how the platform behaves: ``"strict"``, ``"moodle"`` or ``"canvas"``.
    :return: the Flask application; its state is ``app.extensions["sandbox_lms"]``.
    :raises ValueError: for an unknown profile, listing the known ones.
    """
    from plugin.sandbox.lms import ags
    from plugin.sandbox.lms import ags_scores
    from plugin.sandbox.lms import control
    from plugin.sandbox.lms import control_ops
    from plugin.sandbox.lms import deep_linking
    from plugin.sandbox.lms import discovery
    from plugin.sandbox.lms import nrps
    from plugin.sandbox.lms import oidc
    from plugin.sandbox.lms import registration
    from plugin.sandbox.lms import token

    chosen = profile_named(profile)
    app = Flask(__name__)
    app.config.from_mapping(LMS_BASE_URL=base_url.rstrip("/") if base_url else None)
    app.extensions[EXTENSION_NAME] = SandboxLmsExtension(profile=chosen)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(oidc.bp)
    app.register_blueprint(token.bp)
    app.register_blueprint(ags.bp)
    app.register_blueprint(ags.item_bp, url_prefix=line_item_rule(chosen.type_id_query))
    app.register_blueprint(ags_scores.bp, url_prefix=line_item_rule(chosen.type_id_query))
    app.register_blueprint(nrps.bp)
    app.register_blueprint(deep_linking.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(control_ops.bp)
    app.before_request(_count_and_inject_faults)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(PageError, _page_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def serve_lms(profile: str = "strict") -> ServedApp:
    """Create a sandbox LMS with ``profile``, serve it on a free port, make its URL the issuer."""
    app = create_lms_app(profile=profile)
    served = serve_app(app)
    app.config["LMS_BASE_URL"] = served.url
    return served


def _count_and_inject_faults() -> Response | None:
    """Count the request, then delay or fail it as the fault settings say (not control calls)."""
    if request.path.startswith(CONTROL_PREFIX):
        return None
    lms = current_lms()
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    lms.stats.count_request(f"{request.method} {rule}")
    latency_ms = lms.faults.settings.latency_ms
    if latency_ms:
        time.sleep(latency_ms / 1000)
    fault = lms.faults.draw()
    if fault is None:
        return None
    lms.stats.count_fault(fault.status)
    response = jsonify(error="injected_fault", error_description=f"injected {fault.status}")
    response.status_code = fault.status
    response.headers.update(fault.headers)
    return response


def _api_error(exc: ApiError) -> Response:
    response = jsonify(error=exc.error, error_description=exc.description)
    response.status_code = exc.status
    response.headers.update(exc.headers)
    if exc.status in (400, 401):
        response.headers["Cache-Control"] = "no-store"
    return response


def _page_error(exc: PageError) -> Response:
    return error_page(exc.check, exc.description)


def _http_error(exc: HTTPException) -> Response:
    if isinstance(exc, MethodNotAllowed) and request.path.startswith(SERVICE_PREFIX):
        status = current_lms().profile.wrong_method_status
        if status != exc.code:
            return _api_error(ApiError(status, "not_found", f"No handler found for {request.path}"))
    name = (exc.name or "error").lower().replace(" ", "_")
    response = jsonify(error=name, error_description=exc.description)
    response.status_code = exc.code or 500
    return response
