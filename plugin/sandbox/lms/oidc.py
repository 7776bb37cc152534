"""OIDC authorization endpoint of the third-party-initiated login (LTI Core 1.3 section 5.1.1.2).

Each check of the authentication request has a name; a failure answers 400 with a page naming
it. On success the platform posts the signed id_token and the tool's ``state`` back to the
tool's redirect URI through an auto-submitting form. A Moodle-like platform forgets the launch
once its hint is used and refuses launches of a tool still pending activation.
"""

from __future__ import annotations

import time
import typing as t

from flask import Blueprint
from flask import request

from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.errors import PageError
from plugin.sandbox.lms.id_token import build_claims
from plugin.sandbox.lms.id_token import take_snapshot
from plugin.sandbox.lms.pages import autosubmit_page
from plugin.sandbox.lms.pages import list_page
from plugin.sandbox.lms.tamper import encode_id_token

if t.TYPE_CHECKING:
    from flask import Response
    from werkzeug.datastructures import MultiDict

    from plugin.sandbox.lms.models import PendingLaunch
    from plugin.sandbox.lms.profiles import LmsProfile
    from plugin.sandbox.lms.state import LmsState

bp = Blueprint("lms_oidc", __name__)

_FIXED_PARAMS = (
    ("response_type", "id_token"),
    ("response_mode", "form_post"),
    ("prompt", "none"),
)


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> Response:
    """Answer the tool's authentication request with a signed id_token."""
    lms = current_lms()
    params = request.values
    launch = check_authentication_request(lms.state, lms.profile, params)
    claims = build_claims(
        take_snapshot(lms.state, launch),
        lms.profile,
        issuer=base_url(),
        nonce=params["nonce"],
        now=int(time.time()),
    )
    id_token = encode_id_token(
        claims,
        lms.keys,
        tamper=launch.tamper,
        remove_claims=launch.remove_claims,
        claim_overrides=launch.claim_overrides,
    )
    fields = {"id_token": id_token, "state": params["state"]}
    return autosubmit_page("Launching tool", params["redirect_uri"], fields)


def check_authentication_request(
    state: LmsState, profile: LmsProfile, params: MultiDict[str, str]
) -> PendingLaunch:
    """Run every check of the authentication request in order.

    :return: the pending launch the request is for.
    :raises PageError: naming the first failing check.
    """
    if "openid" not in params.get("scope", "").split():
        raise PageError("scope", "scope must include 'openid'")
    for name, expected in _FIXED_PARAMS:
        if params.get(name) != expected:
            raise PageError(name, f"{name} must be {expected!r}")
    client_id = params.get("client_id", "")
    hint = params.get("lti_message_hint", "")
    with state.lock:
        tool = state.tools.get(client_id)
        launch = state.launches.get(hint)
    if tool is None:
        raise PageError("client_id", "client_id is not a registered tool")
    if not tool.active:
        raise PageError("tool", "the tool is pending: an administrator has to activate it")
    if params.get("redirect_uri") not in tool.redirect_uris:
        raise PageError("redirect_uri", "redirect_uri is not registered for this client")
    if launch is None or launch.client_id != client_id:
        raise PageError("lti_message_hint", "lti_message_hint matches no launch for this client")
    if profile.single_use_message_hint and not state.use_message_hint(hint):
        raise PageError("lti_message_hint", "Invalid request")
    if params.get("login_hint") != launch.login_hint:
        raise PageError("login_hint", "login_hint does not match the launch")
    if not params.get("nonce"):
        raise PageError("nonce", "nonce is required")
    if not params.get("state"):
        raise PageError("state", "state is required")
    return launch


@bp.get("/launch_return")
def launch_return() -> Response:
    """Landing page of ``launch_presentation.return_url``: show what the tool reported."""
    shown = [
        f"{key}: {request.args[key]}" for key in ("lti_msg", "lti_errormsg") if key in request.args
    ]
    return list_page("Back in the course", "The tool returned control to the course.", shown)
