"""Control API of the iMocha simulator (``/sandbox/...``, JSON, no authentication).

- ``POST /sandbox/tests`` ``{"name", "testId"?, "sections"?}``; ``GET /sandbox/tests``
- ``PUT /sandbox/callback-url`` ``{"url"}``: callback URL of invitations made without
  one
- ``GET /sandbox/invitations``; ``GET /sandbox/attempts/<invitation id>``
- ``POST /sandbox/attempts/<id>/start`` (fires the In Progress callback)
- ``POST /sandbox/attempts/<id>/complete`` ``{"percent": 0-100, "status"?: "Complete" |
  "Terminated" | "Test Left"}`` (starts it first when Pending; fires the callback)
- ``POST /sandbox/attempts/<id>/expire`` (Pending only)
- ``GET /sandbox/callbacks``: every callback try
- ``PUT /sandbox/settings`` ``{"answerShape"}``: the form of ``GET /v3/tests``
  (``result.tests``, the default; ``result.items``, ``result.data``: the list under
  that key inside ``result``; ``result``, ``tests``, ``items``, ``data``: the list under
  that top-level key; ``bare``: the array itself). The API key is still required.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import jsonify

from plugin.sandbox.vendors.common import invalid_request
from plugin.sandbox.vendors.common import json_object
from plugin.sandbox.vendors.common import percent_field
from plugin.sandbox.vendors.imocha.api import test_doc
from plugin.sandbox.vendors.imocha.api import test_url
from plugin.sandbox.vendors.imocha.context import current
from plugin.sandbox.vendors.imocha.errors import SimulatorError
from plugin.sandbox.vendors.imocha.report import answers_for_percent
from plugin.sandbox.vendors.imocha.report import build_test
from plugin.sandbox.vendors.imocha.state import COMPLETE
from plugin.sandbox.vendors.imocha.state import PENDING
from plugin.sandbox.vendors.imocha.state import TEST_LIST_SHAPES

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.imocha.state import Invitation

bp = Blueprint("imocha_control", __name__, url_prefix="/sandbox")

#: Attempt length assumed when a Pending invitation is completed directly.
ASSUMED_ATTEMPT_S = 300.0

bp.register_error_handler(ValueError, invalid_request)


@bp.errorhandler(SimulatorError)
def _refused(exc: SimulatorError) -> tuple[Response, int]:
    return jsonify(error=exc.message), exc.status


def _summary(invitation: Invitation) -> dict[str, t.Any]:
    return {
        "testInvitationId": invitation.invitation_id,
        "testId": invitation.test.test_id,
        "email": invitation.email,
        "name": invitation.name,
        "status": invitation.status,
        "testUrl": test_url(invitation),
        "callbackUrl": invitation.callback_url,
        "redirectUrl": invitation.redirect_url,
        "reattemptId": invitation.reattempt_id,
    }


@bp.post("/tests")
def create_test() -> tuple[Response, int]:
    body, state = json_object(), current().state
    with state.lock:
        test_id = body.get("testId", next(state.test_ids))
        if not isinstance(test_id, int) or test_id in state.tests:
            raise ValueError(f"testId {test_id!r} is taken or not a number")
        test = build_test(
            test_id,
            str(body.get("name") or "Sandbox test"),
            body.get("sections"),
            first_id=1465186 + 100 * len(state.tests),
        )
        state.tests[test_id] = test
    return jsonify(test_doc(test)), 201


@bp.get("/tests")
def list_tests() -> Response:
    state = current().state
    with state.lock:
        return jsonify(tests=[test_doc(test) for test in state.tests.values()])


@bp.put("/callback-url")
def callback_url() -> Response:
    url = json_object().get("url") or None
    current().state.default_callback_url = url
    return jsonify(url=url)


@bp.get("/invitations")
def invitations() -> Response:
    state = current().state
    with state.lock:
        return jsonify(invitations=[_summary(i) for i in state.invitations.values()])


@bp.get("/attempts/<int:invitation_id>")
def show_attempt(invitation_id: int) -> Response:
    state = current().state
    with state.lock:
        return jsonify(_summary(state.invitation(invitation_id)))


@bp.post("/attempts/<int:invitation_id>/start")
def start_attempt(invitation_id: int) -> Response:
    simulator = current()
    simulator.start(simulator.state.invitation(invitation_id))
    return show_attempt(invitation_id)


@bp.post("/attempts/<int:invitation_id>/complete")
def complete_attempt(invitation_id: int) -> Response:
    body, simulator = json_object(), current()
    percent = percent_field(body)
    with simulator.state.lock:
        invitation = simulator.state.invitation(invitation_id)
        if invitation.status == PENDING:
            simulator.start(invitation, at=simulator.clock() - ASSUMED_ATTEMPT_S)
        answers = answers_for_percent(invitation.test, percent)
        simulator.finish(invitation, answers, str(body.get("status", COMPLETE)))
    return show_attempt(invitation_id)


@bp.post("/attempts/<int:invitation_id>/expire")
def expire_attempt(invitation_id: int) -> Response:
    simulator = current()
    simulator.state.expire(simulator.state.invitation(invitation_id), simulator.clock())
    return show_attempt(invitation_id)


@bp.get("/callbacks")
def callbacks() -> Response:
    return jsonify(callbacks=current().sender.history())


@bp.put("/settings")
def settings() -> Response:
    state = current().state
    shape = json_object().get("answerShape", state.answer_shape)
    if shape not in TEST_LIST_SHAPES:
        raise ValueError(f"answerShape must be one of: {', '.join(TEST_LIST_SHAPES)}")
    with state.lock:
        state.answer_shape = shape
    return jsonify(answerShape=shape)
