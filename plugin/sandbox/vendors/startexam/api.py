"""The StartExam API as the bridge uses it: tests, participants, session reports, sessions.

Request and answer shapes follow https://api.startexam.com/ (Methods/GetTests,
RegisterParticipantsV2, GetSessionReportV2, GetSessions). Every request must carry
a valid SharedKey signature (:mod:`.auth`).
"""

from __future__ import annotations

import typing as t
import uuid

from flask import Blueprint
from flask import jsonify
from flask import request

from plugin.sandbox.vendors.startexam.auth import verify_request
from plugin.sandbox.vendors.startexam.context import current_state
from plugin.sandbox.vendors.startexam.errors import ApiError
from plugin.sandbox.vendors.startexam.report import session_report
from plugin.sandbox.vendors.startexam.state import Continuation
from plugin.sandbox.vendors.startexam.state import Participant
from plugin.sandbox.vendors.startexam.timefmt import iso
from plugin.sandbox.vendors.startexam.timefmt import parse_iso

if t.TYPE_CHECKING:
    from flask import Response

bp = Blueprint("startexam_api", __name__)

TEST_TYPES = frozenset({"test", "survey"})
TEST_STATUSES = frozenset({"active", "archive", "deleted"})


@bp.before_request
def _authenticate() -> None:
    verify_request(current_state())


@bp.get("/v1/tests")
def get_tests() -> Response:
    state = current_state()
    kind, status = request.args.get("type"), request.args.get("status")
    if kind is not None and kind not in TEST_TYPES:
        raise ApiError(400, "Parameter 'type' must be one of: test, survey")
    if status is not None and status not in TEST_STATUSES:
        raise ApiError(400, "Parameter 'status' must be one of: active, archive, deleted")
    project = request.args.get("projectId")
    with state.lock:
        tests = [
            test.as_json(iso)
            for test in state.tests.values()
            if (kind is None or test.kind == kind)
            and (status is None or test.status == status)
            and (project is None or test.project_id == project)
        ]
        shape = state.answer_shape
    return jsonify(tests if shape == "bare" else {shape: tests})


@bp.post("/v2/participants")
def register_participants() -> Response:
    state = current_state()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    if body.get("center") != state.center:
        raise ApiError(404, f"Center '{body.get('center')}' not found")
    tests = _tests_of(body.get("tests"))
    valid_from, valid_till = _validity(body)
    people = body.get("participants")
    if not isinstance(people, list) or not 1 <= len(people) <= 1000:
        raise ApiError(400, "Field 'participants' must contain 1 to 1000 participants")
    proctoring = body.get("proctoring", False)
    if not isinstance(proctoring, bool):
        raise ApiError(400, "Field 'proctoring' must be true or false")
    records = [_participant_data(person, index) for index, person in enumerate(people)]
    ids = []
    for data in records:
        participant = Participant(
            participant_id=str(uuid.uuid4()),
            test_id=tests[0],
            data=data,
            valid_from=valid_from,
            valid_till=valid_till,
            proctoring=proctoring,
            modified_ms=state.stamp(),
        )
        state.register(participant)
        ids.append(participant.participant_id)
    return jsonify(participantIds=ids)


@bp.get("/v2/session")
def get_session() -> Response:
    state = current_state()
    participant_id = request.args.get("participantId", "")
    try:
        key = str(uuid.UUID(participant_id))
    except ValueError as exc:
        raise ApiError(400, "Parameter 'participantId' must be a GUID") from exc
    with state.lock:
        participant = state.participants.get(key)
        if participant is None:
            raise ApiError(404, f"Participant '{key}' not found")
        return jsonify(session_report(state.tests[participant.test_id], participant))


@bp.get("/v2/sessions")
def get_sessions() -> Response:
    state = current_state()
    if request.args.get("center") != state.center:
        raise ApiError(404, f"Center '{request.args.get('center')}' not found")
    since_text = request.args.get("modifiedSince", "")
    token = request.args.get("continuationToken")
    if token:
        continuation = state.take_token(token)
        if continuation is None or continuation.modified_since != since_text:
            raise ApiError(400, "Parameter 'continuationToken' is invalid or expired")
        since_ms, until_ms, after = continuation.since_ms, continuation.until_ms, continuation.after
    else:
        since_ms, until_ms, after = _since_ms(since_text), state.high_water_ms(), None
        if since_ms > until_ms:
            raise ApiError(400, "Parameter 'modifiedSince' is in the future")
    chosen = state.changed_between(since_ms, until_ms, after, state.page_size + 1)
    page, more = chosen[: state.page_size], len(chosen) > state.page_size
    with state.lock:
        sessions = [session_report(state.tests[p.test_id], p) for p in page]
    if not more:
        return jsonify(sessions=sessions, modifiedUntil=iso(until_ms / 1000, millis=True))
    last = page[-1]
    next_token = state.issue_token(
        Continuation(
            modified_since=since_text,
            since_ms=since_ms,
            until_ms=until_ms,
            after=(last.modified_ms, last.participant_id),
            expires=state.clock() + state.token_ttl_s,
        )
    )
    return jsonify(sessions=sessions, continuationToken=next_token)


def _since_ms(text: str) -> int:
    if not text:
        raise ApiError(400, "Parameter 'modifiedSince' is required")
    try:
        return int(parse_iso(text) * 1000)
    except ValueError as exc:
        raise ApiError(400, "Parameter 'modifiedSince' must be an ISO 8601 date") from exc


def _tests_of(value: object) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= 10:
        raise ApiError(400, "Field 'tests' must contain 1 to 10 test ids")
    state = current_state()
    with state.lock:
        for test_id in value:
            if not isinstance(test_id, str) or test_id not in state.tests:
                raise ApiError(404, f"Test '{test_id}' not found")
    return [str(test_id) for test_id in value]


def _validity(body: dict[str, t.Any]) -> tuple[float, float]:
    try:
        valid_from = parse_iso(str(body["validFrom"]))
        valid_till = parse_iso(str(body["validTill"]))
    except (KeyError, ValueError) as exc:
        raise ApiError(400, "Fields 'validFrom' and 'validTill' must be ISO 8601 dates") from exc
    if valid_till <= valid_from:
        raise ApiError(400, "Field 'validTill' must be later than 'validFrom'")
    return valid_from, valid_till


def _participant_data(person: object, index: int) -> list[dict[str, str]]:
    data = person.get("data") if isinstance(person, dict) else None
    if not isinstance(data, list) or not data:
        raise ApiError(400, f"Participant {index}: field 'data' must be a non-empty list")
    items = []
    for item in data:
        name = item.get("name") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name or not isinstance(value, str):
            raise ApiError(400, f"Participant {index}: each data item needs a name and a value")
        items.append({"name": name, "value": value})
    return items
