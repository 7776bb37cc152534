"""The simulated iMocha REST API v3 (``X-API-KEY`` on every route)."""

from __future__ import annotations

import datetime as dt
import typing as t
import urllib.parse

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from plugin.sandbox.vendors.imocha.context import current
from plugin.sandbox.vendors.imocha.errors import SimulatorError
from plugin.sandbox.vendors.imocha.report import report
from plugin.sandbox.vendors.imocha.state import ATTEMPT_STATES

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.imocha.report import Test
    from plugin.sandbox.vendors.imocha.state import Invitation

bp = Blueprint("imocha_api", __name__)

MAX_PAGE_SIZE = 100
MAX_CALLBACK_IDS = 100
CANDIDATE_PAGE = "/IMInstructions"


@bp.before_request
def _authenticate() -> None:
    current().authenticate()


def _body() -> dict[str, t.Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SimulatorError(400, "Request body must be a JSON object")
    return body


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SimulatorError(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def test_doc(test: Test) -> dict[str, t.Any]:
    return {
        "testId": test.test_id,
        "testName": test.name,
        "duration": test.duration,
        "noOfQuestions": len(test.questions),
        "status": "Active",
    }


def test_url(invitation: Invitation) -> str:
    query = urllib.parse.urlencode({"token": invitation.token})
    return f"{request.host_url.rstrip('/')}{CANDIDATE_PAGE}?{query}"


@bp.get("/v3/tests")
def tests() -> Response:
    page_no = _int_arg("pageNo", 1, 1, 1_000_000)
    page_size = _int_arg("pageSize", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    state = current().state
    with state.lock:
        listed = list(state.tests.values())
        start = (page_no - 1) * page_size
        page = [test_doc(test) for test in listed[start : start + page_size]]
        return jsonify(shaped_tests(page, len(listed), state.answer_shape))


def shaped_tests(page: list[dict[str, t.Any]], total: int, shape: str) -> object:
    """The tests page in the form ``shape`` names (``TEST_LIST_SHAPES``)."""
    if shape == "bare":
        return page
    outer, _, inner = shape.partition(".")
    if inner:
        return {outer: {inner: page, "total": total}, "errors": None}
    return {outer: page, "total": total, "errors": None}


@bp.post("/v3/tests/<int:test_id>/invite")
def invite(test_id: int) -> Response:
    simulator, body = current(), _body()
    test = simulator.state.test(test_id)
    email, name = body.get("email"), body.get("name")
    if not isinstance(email, str) or "@" not in email or "." not in email.rsplit("@", 1)[-1]:
        raise SimulatorError(400, "email is required and must be a valid e-mail address")
    if not isinstance(name, str) or not name.strip():
        raise SimulatorError(400, "name is required")
    urls = {key: _url(body, key) for key in ("callbackUrl", "redirectUrl")}
    invitation = simulator.state.invite(
        test,
        email=email.strip(),
        name=name.strip(),
        callback_url=urls["callbackUrl"],
        redirect_url=urls["redirectUrl"],
        now=simulator.clock(),
    )
    return jsonify(
        testInvitationId=invitation.invitation_id,
        testUrl=test_url(invitation),
        status=invitation.status,
    )


@bp.get("/v3/reports/<int:invitation_id>")
def test_report(invitation_id: int) -> Response:
    report_type = _int_arg("reportType", 1, 1, 3)
    simulator = current()
    with simulator.state.lock:
        invitation = simulator.state.invitation(invitation_id)
        return jsonify(report(invitation, report_type, simulator.pdf_url(invitation)))


@bp.post("/v3/callbacks/process")
def process_callbacks() -> tuple[Response, int]:
    simulator = current()
    ids = _body().get("testinvitationIds")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise SimulatorError(400, "testinvitationIds must be a non-empty list of ids")
    if len(ids) > MAX_CALLBACK_IDS:
        raise SimulatorError(400, f"At most {MAX_CALLBACK_IDS} testinvitationIds per request")
    successful: list[int] = []
    failed: list[int] = []
    with simulator.state.lock:
        for invitation_id in ids:
            invitation = simulator.state.invitations.get(invitation_id)
            fired = (
                invitation is not None
                and invitation.attempted_at is not None
                and (simulator.fire(invitation))
            )
            (successful if fired else failed).append(invitation_id)
    if not successful:
        missing = ",".join(str(i) for i in failed)
        errors = ["testinvitationIds does not belong to account or not found", missing]
        return jsonify(result=None, errors=errors), 401
    return jsonify(
        result={"testinvitationIds": {"successful": successful, "failed": failed}}, errors=None
    ), 200


@bp.post("/v3/candidates/testattempts")
def test_attempts() -> Response:
    state_name = request.args.get("state", "")
    if state_name not in ATTEMPT_STATES:
        raise SimulatorError(400, f"state must be one of {sorted(ATTEMPT_STATES)}")
    body = _body()
    start, end = _utc(body, "StartDateTime"), _utc(body, "EndDateTime")
    if end < start:
        raise SimulatorError(400, "EndDateTime must not be before StartDateTime")
    attempts = current().state.attempts(state_name, start, end)
    return jsonify(result={"testAttempts": attempts}, errors=None)


@bp.post("/v3/invitations/<int:invitation_id>/reattempt")
def reattempt(invitation_id: int) -> Response:
    simulator = current()
    with simulator.state.lock:
        original = simulator.state.invitation(invitation_id)
        fresh = simulator.state.reattempt(original, simulator.clock())
        return jsonify(
            testInvitationId=fresh.invitation_id,
            testUrl=test_url(fresh),
            callbackUrlRegistered=fresh.callback_url is not None,
            redirectUrlRegistered=fresh.redirect_url is not None,
        )


@bp.post("/v3/invitations/<int:invitation_id>/cancel")
def cancel(invitation_id: int) -> Response:
    simulator = current()
    with simulator.state.lock:
        invitation = simulator.state.invitation(invitation_id)
        simulator.state.cancel(invitation, simulator.clock())
    return jsonify(testInvitationId=invitation_id, status="cancelled")


def _url(body: dict[str, t.Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    parts = urllib.parse.urlsplit(str(value))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SimulatorError(400, f"{key} must be an absolute http(s) URL")
    return str(value)


def _utc(body: dict[str, t.Any], key: str) -> float:
    raw = body.get(key)
    try:
        moment = dt.datetime.strptime(str(raw), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise SimulatorError(400, f"{key} must be a UTC date like 2020-03-20T16:00:00Z") from exc
    return moment.timestamp()
