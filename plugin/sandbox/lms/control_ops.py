"""Control API, part 2: registration tokens, launches, keys, faults, stats, the gradebook and
the profile the platform runs."""

from __future__ import annotations

import dataclasses
import typing as t
import urllib.parse

from flask import Blueprint
from flask import jsonify
from flask import request

from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.control import loopback_only
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.faults import FaultSettings
from plugin.sandbox.lms.gradebook import gradebook_view
from plugin.sandbox.lms.launches import create_launch
from plugin.sandbox.lms.launches import login_initiation
from plugin.sandbox.lms.pages import autosubmit_page
from plugin.sandbox.lms.payload import json_body
from plugin.sandbox.lms.payload import opt_str
from plugin.sandbox.lms.registration import REGISTRATION_TOKEN_TTL_S
from plugin.sandbox.lms.registration import issue_registration_token

if t.TYPE_CHECKING:
    from flask import Response

bp = Blueprint("lms_control_ops", __name__, url_prefix="/sandbox")
bp.before_request(loopback_only)


@bp.post("/registration-tokens")
def new_registration_token() -> tuple[Response, int]:
    """Issue a one-time registration token (``ttl`` seconds, default 600).

    With ``tool_registration_url``, also answer the URL an LMS would open to start Dynamic
    Registration at the tool.
    """
    body = json_body()
    ttl = body.get("ttl", REGISTRATION_TOKEN_TTL_S)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
        raise ApiError(400, "invalid_request", "ttl must be an integer >= 0")
    issuer = base_url()
    token = issue_registration_token(current_lms().state, ttl)
    answer = {
        "token": token,
        "openid_configuration": issuer + "/.well-known/openid-configuration",
        "registration_url": issuer + "/register",
        "expires_in": ttl,
    }
    tool_url = opt_str(body, "tool_registration_url")
    if tool_url is not None:
        query = {
            "openid_configuration": answer["openid_configuration"],
            "registration_token": token,
        }
        separator = "&" if urllib.parse.urlsplit(tool_url).query else "?"
        answer["initiation_url"] = tool_url + separator + urllib.parse.urlencode(query)
    return jsonify(answer), 201


@bp.post("/launches")
def new_launch() -> tuple[Response, int]:
    """Prepare a launch and answer the login initiation request the tool must receive."""
    state = current_lms().state
    launch = create_launch(state, json_body())
    issuer = base_url()
    return jsonify(
        launch_id=launch.id,
        login_initiation=login_initiation(launch, state.tool(launch.client_id), issuer),
        start_url=f"{issuer}/sandbox/launches/{launch.id}/start",
    ), 201


@bp.get("/launches/<launch_id>/start")
def start_launch(launch_id: str) -> Response:
    """Render what a browser gets in the LMS: a form posting to the tool's login URL."""
    state = current_lms().state
    with state.lock:
        launch = state.launches.get(launch_id)
    if launch is None:
        raise ApiError(404, "not_found", f"unknown launch {launch_id!r}")
    initiation = login_initiation(launch, state.tool(launch.client_id), base_url())
    return autosubmit_page("Opening tool", initiation["url"], initiation["params"])


@bp.post("/keys/rotate")
def rotate_keys() -> Response:
    """Publish a new platform key and sign with it from now on."""
    keys = current_lms().keys
    return jsonify(kid=keys.rotate().kid, jwks=keys.jwks())


@bp.post("/keys/retire")
def retire_keys() -> Response:
    """Unpublish every platform key but the newest."""
    keys = current_lms().keys
    return jsonify(retired=keys.retire(), kid=keys.current().kid)


@bp.route("/faults", methods=["GET", "PUT"])
def faults() -> Response:
    """Read or replace the fault-injection settings (PUT restarts the seeded sequence)."""
    injector = current_lms().faults
    if request.method == "PUT":
        injector.configure(FaultSettings.from_json(json_body()))
    return jsonify(dataclasses.asdict(injector.settings))


@bp.route("/stats", methods=["GET", "DELETE"])
def stats() -> Response:
    """Read (or with DELETE, zero) request counts per endpoint and token requests per client."""
    counters = current_lms().stats
    if request.method == "DELETE":
        counters.reset()
    return jsonify(counters.snapshot())


@bp.get("/gradebook")
def gradebook() -> Response:
    """Show line items and the latest score per (line item, user)."""
    context_id = request.args.get("context_id")
    lms = current_lms()
    if context_id is not None:
        lms.state.context(context_id)
    return jsonify(gradebook_view(lms.state, lms.profile, base_url(), context_id))


@bp.get("/profile")
def profile() -> Response:
    """Show the profile the platform runs (its name and every switch)."""
    return jsonify(dataclasses.asdict(current_lms().profile))
