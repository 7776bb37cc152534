"""LTI Dynamic Registration: ``/lti/register/<token>``, the one-time URL an admin minted.

Whoever opens the URL chooses what the tool fetches, so the page never says what
happened out there: a failed registration shows an error id, and the reason (URL,
status, what the platform answered) goes to the log under the same id.
"""

from __future__ import annotations

import logging

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request

from lti.errors import RegistrationError
from plugin.registrations.invites import HOW_TO_GET_ONE
from plugin.registrations.invites import InviteRefusedError
from plugin.registrations.platforms import PlatformError
from plugin.services import services
from plugin.web.errors import new_error_id
from plugin.web.errors import refusal

log = logging.getLogger(__name__)

bp = Blueprint("registration", __name__, url_prefix="/lti")

TEMPLATE = "registration_refused.html"


@bp.get("/register")
def register_without_token() -> tuple[Response | str, int]:
    """The URL of earlier releases, which let anyone register a platform."""
    return refusal(
        status=403,
        code="registration_url_required",
        message="This tool registers platforms only through a one-time registration URL.",
        admin_hint=HOW_TO_GET_ONE,
        template=TEMPLATE,
    )


@bp.get("/register/<token>")
def register(token: str) -> str:
    info = services().invites.consume(
        token,
        request.args.get("openid_configuration", ""),
        request.args.get("registration_token"),
    )
    return render_template("registered.html", platform=info)


@bp.errorhandler(InviteRefusedError)
def _refused(error: InviteRefusedError) -> tuple[Response | str, int]:
    return refusal(
        status=error.status,
        code=error.code,
        message=error.message,
        admin_hint=HOW_TO_GET_ONE,
        template=TEMPLATE,
    )


@bp.errorhandler(RegistrationError)
@bp.errorhandler(PlatformError)
def _failed(error: RegistrationError | PlatformError) -> tuple[Response | str, int]:
    """The same answer whatever failed, so that the page is no probe of other hosts."""
    error_id = new_error_id()
    log.warning("registration failed [%s]: %s", error_id, error)
    return refusal(
        status=400,
        code="registration_failed",
        message=(
            "The registration could not be completed. Give the administrator this"
            f" error id: {error_id}."
        ),
        admin_hint=(
            "The reason is in the tool's log under this error id. The registration URL stays"
            " usable until it expires: fix what the log names and start the registration again."
        ),
        template=TEMPLATE,
        error_id=error_id,
    )
