"""``/return/finished/<connection id>``: where a vendor sends the learner's browser after
the test when it can send every candidate of a test to one URL only (Mettl's schedule
``exitRedirectionUrl``, which ``assessment add`` sets or the admin pastes).

The URL names no attempt, so the browser's attempt cookie does: the newest attempt it
names among the connection's gets a browser-return signal and a sync, and the browser goes
on to that attempt's result page.  A browser without such a cookie (third-party cookies
blocked in the LMS frame, or another browser) gets a plain page that names no attempt.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import make_response
from flask import redirect
from flask import render_template

from plugin.services import services
from plugin.web.attempt_cookie import launched_attempts

bp = Blueprint("exit_page", __name__)

FINISHED_TEMPLATE = "attempt_finished.html"


@bp.get("/return/finished/<int:connection_id>")
def finished(connection_id: int) -> t.Any:
    recorded = services().completions.from_exit(connection_id, launched_attempts())
    if recorded is not None and recorded.attempt_id is not None:
        if recorded.sync_due:
            services().queue.sync(recorded.attempt_id)
        result_url = services().attempts.result_url_of(recorded.attempt_id)
        if result_url is not None:
            return redirect(result_url, 303)
    response = make_response(render_template(FINISHED_TEMPLATE))
    response.headers["Cache-Control"] = "no-store"
    return response
