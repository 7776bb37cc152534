"""The student-facing pages: ``/student_sessions/<token>``.

The v3 API hands out no student link, only ``token`` (set when the invitation
emails are sent); the simulator serves the session at the path the bridge's default
``student_url_template`` builds. Opening it runs the system checks and starts the
recording; posting the form ends the exam (``exam_finished``). ProctorExam sends no
completion signal, so nothing is called: the bridge learns of it by polling.
"""

from __future__ import annotations

import html

from flask import Blueprint
from flask import Response
from flask import request

from plugin.sandbox.vendors.proctorexam import flow
from plugin.sandbox.vendors.proctorexam.context import current_state

bp = Blueprint("proctorexam_candidate", __name__)

_CHECKED = ("webcam", "microphone", "screenshare")

_FORM = (
    '<form method="post">'
    '<label><input type="checkbox" name="webcam" value="on" checked> Webcam works</label><br>'
    '<label><input type="checkbox" name="microphone" value="on" checked> Microphone works'
    "</label><br>"
    '<label><input type="checkbox" name="screenshare" value="on" checked> Screen is shared'
    "</label><br>"
    "<fieldset><legend>Are you alone in the room?</legend>"
    '<label><input type="radio" name="alone" value="yes" checked> Yes</label>'
    '<label><input type="radio" name="alone" value="no"> No</label></fieldset>'
    '<button type="submit">End exam</button></form>'
)


@bp.route("/student_sessions/<token>", methods=["GET", "POST"])
def exam_room(token: str) -> Response:
    state = current_state()
    with state.lock:
        session = next((s for s in state.sessions.values() if s.token == token), None)
        exam = state.live_exam(session.exam_id) if session is not None else None
    if session is None or exam is None:
        return _page("Not found", "<p>This exam link is not valid.</p>", 404)
    if session.status == "exam_finished":
        return _page(exam.name, "<p>Your exam has ended. You may close this window.</p>", 200)
    if request.method == "GET":
        flow.start(state, session)
        return _page(exam.name, _FORM, 200)
    checks = {
        name: request.form.get(name) == "on" for name in ("webcam", "microphone", "screenshare")
    }
    flow.finish(state, session, checks)
    if request.form.get("alone") == "no":
        state.add_incident(session, "Student reported not being alone in the room")
    return _page(exam.name, "<p>Your exam has ended. You may close this window.</p>", 200)


def _page(title: str, body: str, status: int) -> Response:
    text = (
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(text, status=status, mimetype="text/html")
