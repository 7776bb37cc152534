"""The candidate-facing exam: ``/go/<center>/participant/<participant id>``.

The real candidate link carries the participant in the URL fragment
(``go.startexam.com/{center}#participant/{id}``), read by script; the simulator uses
a path so a browser without script can take the exam. Opening the page starts the
session; posting the form finishes it and redirects to the test's callback URL with
``participantId``, as StartExam does.
"""

from __future__ import annotations

import html
import typing as t

from flask import Blueprint
from flask import Response
from flask import redirect
from flask import request

from plugin.sandbox.vendors.startexam import flow
from plugin.sandbox.vendors.startexam.context import current_state
from plugin.sandbox.vendors.startexam.report import score_answers

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from plugin.sandbox.vendors.startexam.state import Participant
    from plugin.sandbox.vendors.startexam.state import SimTest

bp = Blueprint("startexam_candidate", __name__)


@bp.route("/go/<center>/participant/<participant_id>", methods=["GET", "POST"])
def take_exam(center: str, participant_id: str) -> BaseResponse:
    state = current_state()
    with state.lock:
        participant = state.participants.get(participant_id.lower())
        test = state.tests.get(participant.test_id) if participant else None
    if center != state.center or participant is None or test is None:
        return _page("Not found", "<p>This link does not lead to a test.</p>", 404)
    now = state.clock()
    if not participant.valid_from <= now <= participant.valid_till:
        return _page("Link not active", "<p>This link is not active at this time.</p>", 403)
    if participant.finished is not None:
        return _page("Finished", "<p>This test session is closed.</p>", 200)
    if request.method == "GET":
        flow.start(state, participant)
        return _page(test.title, _form(test), 200)
    chosen = {q.num: _choice(request.form.get(f"q{q.num}")) for q in test.questions}
    answers = {
        q.num: q.options[index]
        for q in test.questions
        if (index := chosen[q.num]) is not None and 0 <= index < len(q.options)
    }
    flow.finish(state, participant, score_answers(test, chosen), answers)
    target = flow.callback_redirect(state, participant)
    if target is None:
        return _page("Finished", _summary(participant), 200)
    return redirect(target, code=302)


def _choice(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _form(test: SimTest) -> str:
    blocks = []
    for q in test.questions:
        options = "".join(
            f'<label><input type="radio" name="q{q.num}" value="{index}"> '
            f"{html.escape(text)}</label><br>"
            for index, text in enumerate(q.options)
        )
        blocks.append(f"<fieldset><legend>{html.escape(q.prompt)}</legend>{options}</fieldset>")
    return f'<form method="post">{"".join(blocks)}<button type="submit">Finish</button></form>'


def _summary(participant: Participant) -> str:
    score = sum(participant.scores.values())
    return f"<p>Your session is finished. Score: {score:g}.</p>"


def _page(title: str, body: str, status: int) -> Response:
    text = (
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(text, status=status, mimetype="text/html")
