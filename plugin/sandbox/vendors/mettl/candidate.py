"""The candidate-facing test: instructions, a tiny form of questions, submission.

``GET /authenticateKey/<token>`` shows the instructions (a form that starts the test)
or, once started, the questions (a form that finishes it). Finishing grades the test,
fires the schedule's notifications and sends the browser to the schedule's
``exitRedirectionUrl`` when one is set.
"""

from __future__ import annotations

import html
import typing as t

from flask import Blueprint
from flask import Response
from flask import redirect

from plugin.sandbox.vendors.candidate_page import page
from plugin.sandbox.vendors.candidate_page import posted_answers
from plugin.sandbox.vendors.candidate_page import questions_html
from plugin.sandbox.vendors.mettl.context import current
from plugin.sandbox.vendors.mettl.errors import SimulatorError
from plugin.sandbox.vendors.mettl.exam import questions_of

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from plugin.sandbox.vendors.mettl.state import Candidate
    from plugin.sandbox.vendors.mettl.state import Schedule

bp = Blueprint("mettl_pages", __name__)
PREFIX = "/authenticateKey/"


def _lookup(token: str) -> tuple[Schedule, Candidate] | None:
    with current().state.lock:
        return current().state.by_token.get(token)


@bp.get(f"{PREFIX}<token>")
def test_page(token: str) -> Response:
    found = _lookup(token)
    if found is None:
        if token in current().state.schedules:
            return page(
                "Registration closed",
                "<p>This test link admits candidates registered by the organiser.</p>",
            )
        return page("Invalid test link", "<p>This link is not valid.</p>", 404)
    schedule, candidate = found
    action = f"{PREFIX}{html.escape(token)}"
    if candidate.status == "ToBeTaken":
        return page(
            schedule.assessment_name,
            (
                f"<p>Welcome {html.escape(candidate.name)}. {len(questions_of(schedule.sections))} "
                f"questions.</p><form method='post' action='{action}/start'>"
                "<button type='submit'>Start test</button></form>"
            ),
        )
    if candidate.status == "InProgress":
        return page(schedule.assessment_name, _questions_form(schedule, f"{action}/finish"))
    return page("Test finished", "<p>You have already taken this test.</p>")


@bp.post(f"{PREFIX}<token>/start")
def start(token: str) -> BaseResponse:
    found = _lookup(token)
    if found is None:
        return page("Invalid test link", "<p>This link is not valid.</p>", 404)
    try:
        current().flows.start(*found)
    except SimulatorError as exc:
        return page("Cannot start", f"<p>{html.escape(exc.message)}</p>", 400)
    return redirect(f"{PREFIX}{token}", code=303)


@bp.post(f"{PREFIX}<token>/finish")
def finish(token: str) -> BaseResponse:
    found = _lookup(token)
    if found is None:
        return page("Invalid test link", "<p>This link is not valid.</p>", 404)
    schedule, candidate = found
    answers = posted_answers(questions_of(schedule.sections))
    try:
        current().flows.finish(schedule, candidate, answers)
    except SimulatorError as exc:
        return page("Cannot finish", f"<p>{html.escape(exc.message)}</p>", 400)
    if schedule.exit_url:
        return redirect(schedule.exit_url, code=303)
    return page("Test finished", "<p>Your answers were submitted. You may close this window.</p>")


def _questions_form(schedule: Schedule, action: str) -> str:
    return (
        f"<form method='post' action='{action}'>{questions_html(schedule.sections)}"
        "<button type='submit'>Finish test</button></form>"
    )
