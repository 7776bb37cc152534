"""LTI endpoints: login, launch, JWKS, static configuration (dynamic registration is in
``registration.py``)."""

from __future__ import annotations

import re

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from lti.launch import DeepLinkAnswer
from lti.roles import LaunchRole
from lti.tool_description import static_configuration
from plugin.attempts.start import AttemptDestination
from plugin.attempts.start import AttemptService
from plugin.registrations.launches import LaunchSummary
from plugin.registrations.launches import course_return_url
from plugin.registrations.lti_tool import DEEP_LINK_DECLINED
from plugin.services import services
from plugin.web import login_limits
from plugin.web.attempt_cookie import remember_attempt
from plugin.web.errors import wants_json
from plugin.web.result_grant import grant_for

bp = Blueprint("lti", __name__, url_prefix="/lti")

ASSESSMENT_ID = re.compile(r"[0-9]{1,9}")

STATE_COOKIE_PREFIX = "lti1p3-"


@bp.route("/login", methods=["GET", "POST"])
def login() -> WerkzeugResponse:
    registry = services()
    verdict = registry.login_limiter.hit(request.remote_addr or "")
    if not verdict.allowed:
        return login_limits.too_many_logins(verdict.retry_after)
    params = request.values.to_dict()
    tool = registry.lti
    target = tool.login(params)
    response = redirect(target.url, code=302)
    secure = request.is_secure
    samesite = "None" if secure else None
    for name in login_limits.surplus_state_cookies(request.cookies, prefix=STATE_COOKIE_PREFIX):
        response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite=samesite)
    response.set_cookie(
        STATE_COOKIE_PREFIX + target.state,
        target.state,
        max_age=tool.settings.launch_state_ttl_seconds,
        secure=secure,
        httponly=True,
        samesite=samesite,
        path="/",
    )
    return response


@bp.route("/launch", methods=["POST"])
def launch() -> WerkzeugResponse:
    launched = services().lti.launch()
    response = (
        _decline_deep_link(launched) if isinstance(launched, DeepLinkAnswer) else _land(launched)
    )
    # The state cookie has served its purpose; clear it so they do not pile up.
    response.delete_cookie(STATE_COOKIE_PREFIX + request.form.get("state", ""), path="/")
    return response


def _decline_deep_link(answer: DeepLinkAnswer) -> WerkzeugResponse:
    """Post the signed empty response back to the platform, which closes its dialog."""
    page = render_template("deep_link_declined.html", answer=answer, message=DEEP_LINK_DECLINED)
    return make_response(page)


def _land(summary: LaunchSummary) -> WerkzeugResponse:
    assessment = summary.custom.get("assessment", "")
    if summary.role is LaunchRole.LEARNER and assessment:
        return _send_to_assessment(summary, assessment)
    template = (
        "landing_instructor.html"
        if summary.role is LaunchRole.INSTRUCTOR
        else "landing_learner.html"
    )
    return make_response(render_template(template, launch=summary))


def _send_to_assessment(summary: LaunchSummary, assessment: str) -> WerkzeugResponse:
    # ASCII digits only, and few enough to fit every database's integer ("²" is a digit).
    if not ASSESSMENT_ID.fullmatch(assessment):
        raise BadRequest(f"The activity's custom parameter assessment={assessment!r} is not an id.")
    attempts: AttemptService = services().attempts
    destination = attempts.start(summary, int(assessment))
    response = _to_destination(summary, destination)
    # This browser may now see the attempt's result page (plugin/web/attempt_cookie.py).
    remember_attempt(response, destination.attempt_id)
    return response


def _to_destination(summary: LaunchSummary, destination: AttemptDestination) -> WerkzeugResponse:
    if destination.result_url:
        grant = grant_for(destination.attempt_id)
        return redirect(f"{destination.result_url}?grant={grant}", code=303)
    title = summary.resource_link_title or "Assessment"
    if destination.proctoring_url and destination.redirect_url:
        page = render_template("proctored.html", destination=destination, title=title)
        return make_response(page)
    if destination.redirect_url:
        return redirect(destination.redirect_url, code=303)
    token = destination.token
    page = render_template(
        "player.html",
        embed=destination.embed,
        token=token,
        title=title,
        proctoring_url=destination.proctoring_url,
        # The attempt's stored course link: the same rule on the same launch value.
        course_url=course_return_url(summary.return_url, summary.platform),
        player_urls={
            "result": services().attempts.result_url(token),
            "renew": url_for("player.renew_token", token=token),
            "error": url_for("player.report_error", token=token),
        },
    )
    return make_response(page)


@bp.get("/jwks")
def jwks() -> Response:
    response = jsonify(services().lti.keys.public_jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/config")
def config() -> Response | str:
    configuration = static_configuration(services().lti.urls)
    if wants_json() or request.args.get("format") == "json":
        return jsonify(configuration)
    return render_template("tool_config.html", configuration=configuration)
