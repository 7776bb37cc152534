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

from plugin.sandbox.vendors.imocha.api import CANDIDATE_PAGE
from plugin.sandbox.vendors.imocha.context import current
from plugin.sandbox.vendors.imocha.state import COMPLETE
from plugin.sandbox.vendors.imocha.state import IN_PROGRESS
from plugin.sandbox.vendors.imocha.state import PENDING
from plugin.sandbox.vendors.imocha.state import TEST_LEFT
from plugin.sandbox.vendors.imocha.state import SimulatorError

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from plugin.sandbox.vendors.imocha.state import Invitation

bp = Blueprint("imocha_pages", __name__)


def _page(title: str, body: str, status: int = 200) -> Response:
    document = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(document, status=status, mimetype="text/html")


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
        return _page("Invalid test link", "<p>This test link is not valid.</p>", 404)
    test = invitation.test
    if invitation.status == PENDING:
        intro = (
            f"<p>Hello {html.escape(invitation.name)}. {len(test.questions)} questions, "
            f"{test.duration} minutes.</p>"
        )
        return _page(test.name, intro + _form("start", token, "Start test"))
    if invitation.status == IN_PROGRESS:
        return _page(
            test.name,
            _form("submit", token, "Submit test", _questions(invitation))
            + _form("leave", token, "Leave test"),
        )
    return _page(
        test.name,
        f"<p>This invitation is {html.escape(invitation.status)}: "
        "you have already attempted this test or it is closed.</p>",
    )


@bp.post(f"{CANDIDATE_PAGE}/start")
def start() -> BaseResponse:
    token = request.form.get("token", "")
    invitation = _invitation(token)
    if invitation is None:
        return _page("Invalid test link", "<p>This test link is not valid.</p>", 404)
    try:
        current().start(invitation)
    except SimulatorError as exc:
        return _page("Cannot start", f"<p>{html.escape(exc.message)}</p>", 400)
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
        return _page("Invalid test link", "<p>This test link is not valid.</p>", 404)
    answers = {}
    for index, question in enumerate(invitation.test.questions):
        given = request.form.get(f"q{index}", "")
        if given.isdigit() and int(given) < len(question.choices):
            answers[index] = int(given)
    try:
        current().finish(invitation, answers, status)
    except SimulatorError as exc:
        return _page("Cannot finish", f"<p>{html.escape(exc.message)}</p>", 400)
    if invitation.redirect_url:
        return redirect(invitation.redirect_url, code=303)
    return _page("Test finished", "<p>Thank you. You may close this window.</p>")


def _questions(invitation: Invitation) -> str:
    parts, index = [], 0
    for section in invitation.test.sections:
        parts.append(f"<h2>{html.escape(section.name)}</h2>")
        for question in section.questions:
            parts.append(f"<fieldset><legend>{html.escape(question.text)}</legend>")
            parts.extend(
                f"<label><input type='radio' name='q{index}' value='{choice}'> "
                f"{html.escape(text)}</label>"
                for choice, text in enumerate(question.choices)
            )
            parts.append("</fieldset>")
            index += 1
    return "".join(parts)
