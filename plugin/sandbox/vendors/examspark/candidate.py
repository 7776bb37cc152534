"""The Exam Player a learner sees (the SDK's iframe content), without JavaScript.

``GET /sdk/player?auth=&id=&user_id=[&context_id=][&resource_link_id=]`` validates the SDK
token, creates the deterministic session when it does not exist (as the SDK does) and
shows the exam.  Posting the form scores it, fires the grade passback and renders the
``examSessionSubmitted`` event as a self-submitting form posted to
``Settings.callback_url``: the relay our embedding page performs in a browser.
"""

from __future__ import annotations

import html
import typing as t

from flask import Blueprint
from flask import Response
from flask import request
from flask import url_for

from plugin.sandbox.vendors.examspark.context import current
from plugin.sandbox.vendors.examspark.errors import ApiError
from plugin.sandbox.vendors.examspark.errors import PageError
from plugin.sandbox.vendors.examspark.models import COMPLETE
from plugin.sandbox.vendors.examspark.sdk import post_to_embedder
from plugin.sandbox.vendors.examspark.views import percent

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.examspark.models import ExamConfig
    from plugin.sandbox.vendors.examspark.models import Session

bp = Blueprint("examspark_player", __name__, url_prefix="/sdk")

SUBMITTED_EVENT = "examSessionSubmitted"


@bp.get("/player")
def show() -> Response:
    auth = request.args.get("auth", "")
    _check_token(auth)
    workspace = current().workspace
    config_id, user_id = request.args.get("id", ""), request.args.get("user_id", "")
    if not config_id or not user_id:
        raise PageError(400, "The player needs an exam config id and a user_id")
    try:
        config = workspace.config(config_id)
    except ApiError as exc:
        raise PageError(404, exc.message) from None
    session = workspace.ensure_session(config, request.args.to_dict())
    if session.maturity == COMPLETE:
        return _page("Exam submitted", _score_line(session, config))
    workspace.open(session)
    return _page(config.exam_name, _exam_form(session, config, auth))


@bp.post("/player/sessions/<session_id>/submit")
def submit(session_id: str) -> Response:
    _check_token(request.form.get("auth", ""))
    sandbox = current()
    workspace = sandbox.workspace
    try:
        session = workspace.session(session_id)
        config = workspace.config(session.config_id)
        answers = {item.id: _choice(item.id, len(item.options)) for item in config.items}
        workspace.submit(session, {k: v for k, v in answers.items() if v is not None}, score=True)
    except ApiError as exc:
        raise PageError(409 if exc.status == 400 else exc.status, exc.message) from None
    sandbox.after_scoring(session)
    event = {"examConfigId": session.config_id, "examSessionId": session.id}
    told = post_to_embedder(SUBMITTED_EVENT, event)
    return _page("Exam submitted", _score_line(session, config) + told + _relay_form(session))


def _check_token(auth: str) -> None:
    try:
        current().workspace.check_sdk_token(auth)
    except ApiError as exc:
        raise PageError(401, exc.message) from None


def _choice(item_id: str, count: int) -> int | None:
    raw = request.form.get(f"item-{item_id}")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) >= count:
        raise PageError(400, "An answer is not one of the options")
    return int(raw)


def _exam_form(session: Session, config: ExamConfig, auth: str) -> str:
    action = url_for("examspark_player.submit", session_id=session.id)
    parts = [
        f'<form method="post" action="{html.escape(action)}" id="exam">',
        f'<input type="hidden" name="auth" value="{html.escape(auth)}">',
    ]
    for number, item in enumerate(config.items, start=1):
        parts.append(f"<fieldset><legend>{number}. {html.escape(item.name)}</legend>")
        for index, option in enumerate(item.options):
            parts.append(
                f'<label><input type="radio" name="item-{item.id}" value="{index}"> '
                f"{html.escape(option)}</label><br>"
            )
        parts.append("</fieldset>")
    parts.append('<button type="submit">Submit exam</button></form>')
    return "\n".join(parts)


def _score_line(session: Session, config: ExamConfig) -> str:
    counted = session.resolved(config.resolution)
    points = counted.points if counted else None
    shown = f"{points} of {len(config.items)} ({percent(points, config)}%)"
    return f'<p id="score">Score: {shown}</p>'


def _relay_form(session: Session) -> str:
    target = current().workspace.settings.callback_url
    if not target:
        return "<p>No event relay is configured.</p>"
    fields = {
        "event": SUBMITTED_EVENT,
        "examConfigId": session.config_id,
        "examSessionId": session.id,
    }
    inputs = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )
    return (
        f'<form method="post" action="{html.escape(target)}" id="relay" data-autosubmit>'
        f'{inputs}<noscript><button type="submit">Continue</button></noscript></form>'
        "<script>document.getElementById('relay').submit()</script>"
    )


def _page(title: str, body: str) -> Response:
    document = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(document, mimetype="text/html")
