"""One way to refuse: a page for people, JSON for API clients, an id in both and in the log.

What a refusal shows (``message``, ``admin_hint``) is our own wording: what failed, and an
instruction an administrator can follow.  What someone else answered (a vendor's, an ATS's
or a platform's error text, which may name accounts or internal hosts) is ``detail``: it
goes to the log under the error id and never to the page or the JSON body.
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask
from flask import Response
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from lti.errors import CookiesBlockedError
from lti.errors import LtiLaunchError
from plugin.attempts.start import AttemptError

log = logging.getLogger(__name__)


def new_error_id() -> str:
    """The id a refusal is shown and logged under."""
    return secrets.token_hex(6)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or request.path.startswith("/api/")


def refusal(
    *,
    status: int,
    code: str,
    message: str,
    admin_hint: str = "",
    template: str = "error.html",
    error_id: str | None = None,
    detail: str = "",
    **extra: object,
) -> tuple[Response | str, int]:
    """Log the refusal under ``error_id`` (a fresh one by default) and render it.

    :param admin_hint: an instruction for an administrator; shown.
    :param detail: what the other side answered; logged only.
    """
    error_id = error_id or new_error_id()
    log.warning(
        "refused [%s] %s %s: %s (HTTP %d)%s",
        error_id,
        request.path,
        code,
        message,
        status,
        f"; detail: {detail}" if detail else "",
    )
    if wants_json():
        body = {"error": code, "message": message, "admin_hint": admin_hint, "error_id": error_id}
        return jsonify(body), status
    page = render_template(
        template,
        code=code,
        message=message,
        admin_hint=admin_hint,
        error_id=error_id,
        status=status,
        **extra,
    )
    return page, status


def _lti_error(error: LtiLaunchError) -> tuple[Response | str, int]:
    return refusal(
        status=error.status, code=error.code, message=error.message, admin_hint=error.admin_hint
    )


def _cookies_blocked(error: CookiesBlockedError) -> tuple[Response | str, int]:
    return refusal(
        status=error.status,
        code=error.code,
        message=error.message,
        admin_hint=error.admin_hint,
        template="cookies_blocked.html",
        reopen_url=error.reopen_url,
    )


def _attempt_error(error: AttemptError) -> tuple[Response | str, int]:
    return refusal(
        status=error.status,
        code="attempt_not_started",
        message=str(error),
        admin_hint=error.admin_hint,
        detail=error.detail,
    )


def _http_error(error: HTTPException) -> tuple[Response | str, int]:
    return refusal(
        status=error.code or 500,
        code=(error.name or "error").lower().replace(" ", "_"),
        message=error.description or "",
    )


def _unexpected(error: Exception) -> tuple[Response | str, int]:
    error_id = new_error_id()
    log.exception("unhandled error [%s] on %s", error_id, request.path)
    return refusal(
        status=500,
        code="internal_error",
        message="Something went wrong on our side; nothing was changed.",
        admin_hint="Look up the error id in the tool's log.",
        error_id=error_id,
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(CookiesBlockedError, _cookies_blocked)
    app.register_error_handler(LtiLaunchError, _lti_error)
    app.register_error_handler(AttemptError, _attempt_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
