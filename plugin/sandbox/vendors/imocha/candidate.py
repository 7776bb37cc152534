"""The candidate-facing test at ``/IMInstructions?token=...`` (the invitation's testUrl).

Instructions with a start form; once started (the In Progress callback fires), the
questions with a submit form and a "leave test" form. Submitting completes the test,
leaving marks it Test Left; either fires the final callback and sends the browser to
the invitation's ``redirectUrl`` when one was given.
"""

from __future__ import annotations

import html
import typing as t

from flask import Blueprint
from flask import Response
from flask import redirect
from flask import request

from plugin.sandbox.vendors.candidate_page import page
from plugin.sandbox.vendors.candidate_page import posted_answers
from plugin.sandbox.vendors.candidate_page import questions_html
from plugin.sandbox.vendors.imocha.api import CANDIDATE_PAGE
from plugin.sandbox.vendors.imocha.context import current
from plugin.sandbox.vendors.imocha.errors import SimulatorError
from plugin.sandbox.vendors.imocha.state import COMPLETE
from plugin.sandbox.vendors.imocha.state import IN_PROGRESS
from plugin.sandbox.vendors.imocha.state import PENDING
from plugin.sandbox.vendors.imocha.state import TEST_LEFT

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from plugin.sandbox.vendors.imocha.state import Invitation

bp = Blueprint("imocha_pages", __name__)


def _invitation(token: str) -> Invitation | None:
    with current().state.lock:
        return current().state.by_token.get(token)


def _form(action: str, token: str, label: str, inner: str = "") -> str:
    return (
        f"<form method='post' action='{CANDIDATE_PAGE}/{action}'>{inner}"
        f"<input type='hidden' name='token' value='{html.escape(token)}'>"
        f"<button type='submit'>{html.escape(label)}</button></form>"
    )


@bp.get(CANDIDATE_PAGE)
def instructions() -> Response:
    token = request.args.get("token", "")
    invitation = _invitation(token)
    if invitation is None:
        return page("Invalid test link", "<p>This test link is not valid.</p>", 404)
    test = invitation.test
    if invitation.status == PENDING:
        intro = (
            f"<p>Hello {html.escape(invitation.name)}. {len(test.questions)} questions, "
            f"{test.duration} minutes.</p>"
        )
        return page(test.name, intro + _form("start", token, "Start test"))
    if invitation.status == IN_PROGRESS:
        return page(
            test.name,
            _form("submit", token, "Submit test", questions_html(invitation.test.sections))
            + _form("leave", token, "Leave test"),
        )
    return page(
        test.name,
        f"<p>This invitation is {html.escape(invitation.status)}: "
        "you have already attempted this test or it is closed.</p>",
    )


@bp.post(f"{CANDIDATE_PAGE}/start")
def start() -> BaseResponse:
    token = request.form.get("token", "")
    invitation = _invitation(token)
    if invitation is None:
        return page("Invalid test link", "<p>This test link is not valid.</p>", 404)
    try:
        current().start(invitation)
    except SimulatorError as exc:
        return page("Cannot start", f"<p>{html.escape(exc.message)}</p>", 400)
    return redirect(f"{CANDIDATE_PAGE}?token={token}", code=303)


@bp.post(f"{CANDIDATE_PAGE}/submit")
def submit() -> BaseResponse:
    return _finish(COMPLETE)


@bp.post(f"{CANDIDATE_PAGE}/leave")
def leave() -> BaseResponse:
    return _finish(TEST_LEFT)


def _finish(status: str) -> BaseResponse:
    invitation = _invitation(request.form.get("token", ""))
    if invitation is None:
        return page("Invalid test link", "<p>This test link is not valid.</p>", 404)
    answers = posted_answers(invitation.test.questions)
    try:
        current().finish(invitation, answers, status)
    except SimulatorError as exc:
        return page("Cannot finish", f"<p>{html.escape(exc.message)}</p>", 400)
    if invitation.redirect_url:
        return redirect(invitation.redirect_url, code=303)
    return page("Test finished", "<p>Thank you. You may close this window.</p>")
