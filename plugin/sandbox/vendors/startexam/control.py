"""Control API of the StartExam simulator (JSON under ``/sandbox/``, no signature).

- ``GET /sandbox/info``: account, center and the candidate URL template to configure.
- ``POST /sandbox/tests``: create a test (``title``, ``questions``, ``callbackUrl``...).
- ``GET|PATCH /sandbox/tests/<id>``: a test with its questions (and right answers);
  change ``callbackUrl``, ``status`` or ``title`` (the app's "Test settings").
- ``PUT /sandbox/callback``: the callback URL of tests that have none of their own.
- ``PUT /sandbox/settings``: ``pageSize`` (1..500) and ``tokenTtlSeconds`` of listings;
  ``answerShape`` of ``GET /v1/tests`` (``tests``: ``{"tests": [...]}``, the default;
  ``bare``: the array itself; ``items``, ``data``, ``result``: the array under that key).
- ``POST /sandbox/continuation-tokens/expire``: expire every outstanding token.
- ``GET /sandbox/state``, ``GET /sandbox/attempts/<participant id>``: inspect.
- ``POST /sandbox/attempts/<participant id>/complete``: finish without a browser with
  ``score`` (or ``percent``); ``autoClosed: true`` closes it as abandoned instead. The
  answer's ``redirectUrl`` is where StartExam would send the browser.
"""

from __future__ import annotations

import typing as t
import uuid

from flask import Blueprint
from flask import jsonify
from flask import request

from plugin.sandbox.vendors.common import optional_json_object
from plugin.sandbox.vendors.startexam import flow
from plugin.sandbox.vendors.startexam.context import current_state
from plugin.sandbox.vendors.startexam.errors import ApiError
from plugin.sandbox.vendors.startexam.report import session_report
from plugin.sandbox.vendors.startexam.report import spread_score
from plugin.sandbox.vendors.startexam.state import MAX_PAGE_SIZE
from plugin.sandbox.vendors.startexam.state import TEST_LIST_SHAPES
from plugin.sandbox.vendors.startexam.state import SimTest
from plugin.sandbox.vendors.startexam.state import make_questions
from plugin.sandbox.vendors.startexam.timefmt import iso

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.vendors.startexam.state import Participant

bp = Blueprint("startexam_control", __name__, url_prefix="/sandbox")


@bp.get("/info")
def info() -> Response:
    state = current_state()
    root = request.host_url.rstrip("/")
    return jsonify(
        accountId=state.account_id,
        center=state.center,
        baseUrl=root,
        candidateUrlTemplate=root + "/go/{center}/participant/{participant_id}",
    )


@bp.post("/tests")
def create_test() -> tuple[Response, int]:
    body = optional_json_object(ApiError)
    count = body.get("questions", 4)
    if not isinstance(count, int) or not 1 <= count <= 20:
        raise ApiError(400, "questions must be an integer from 1 to 20")
    test = SimTest(
        test_id=str(uuid.uuid4()),
        title=str(body.get("title") or "Sandbox test"),
        questions=make_questions(count),
        description=body.get("description"),
        time=body.get("time", "00:30:00"),
        kind=str(body.get("type", "test")),
        status=str(body.get("status", "active")),
        callback_url=body.get("callbackUrl"),
    )
    current_state().add_test(test)
    return jsonify(_test_json(test)), 201


@bp.route("/tests/<test_id>", methods=["GET", "PATCH"])
def test_settings(test_id: str) -> Response:
    state = current_state()
    with state.lock:
        test = state.tests.get(test_id)
        if test is None:
            raise ApiError(404, f"Test '{test_id}' not found")
        if request.method == "PATCH":
            body = optional_json_object(ApiError)
            test.callback_url = body.get("callbackUrl", test.callback_url)
            test.status = str(body.get("status", test.status))
            test.title = str(body.get("title", test.title))
            test.modified = state.clock()
        return jsonify(_test_json(test))


@bp.put("/callback")
def set_default_callback() -> Response:
    state = current_state()
    url = optional_json_object(ApiError).get("url")
    if url is not None and not isinstance(url, str):
        raise ApiError(400, "url must be a string or null")
    with state.lock:
        state.default_callback_url = url
    return jsonify(url=url)


@bp.put("/settings")
def settings() -> Response:
    state = current_state()
    body = optional_json_object(ApiError)
    size = body.get("pageSize", state.page_size)
    ttl = body.get("tokenTtlSeconds", state.token_ttl_s)
    shape = body.get("answerShape", state.answer_shape)
    if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(400, f"pageSize must be an integer from 1 to {MAX_PAGE_SIZE}")
    if not isinstance(ttl, int | float) or ttl < 0:
        raise ApiError(400, "tokenTtlSeconds must be a number >= 0")
    if shape not in TEST_LIST_SHAPES:
        raise ApiError(400, f"answerShape must be one of: {', '.join(TEST_LIST_SHAPES)}")
    with state.lock:
        state.page_size, state.token_ttl_s, state.answer_shape = size, float(ttl), shape
    return jsonify(pageSize=size, tokenTtlSeconds=ttl, answerShape=shape)


@bp.post("/continuation-tokens/expire")
def expire_tokens() -> Response:
    state = current_state()
    with state.lock:
        count = len(state.tokens)
        state.tokens.clear()
    return jsonify(expired=count)


@bp.get("/state")
def dump_state() -> Response:
    state = current_state()
    with state.lock:
        return jsonify(
            defaultCallbackUrl=state.default_callback_url,
            tests=[_test_json(test) for test in state.tests.values()],
            participants=[_attempt_json(p) for p in state.participants.values()],
            outstandingTokens=len(state.tokens),
        )


@bp.get("/attempts/<participant_id>")
def inspect_attempt(participant_id: str) -> Response:
    return jsonify(_attempt_json(_participant(participant_id)))


@bp.post("/attempts/<participant_id>/complete")
def complete_attempt(participant_id: str) -> Response:
    state = current_state()
    participant = _participant(participant_id)
    body = optional_json_object(ApiError)
    test = state.tests[participant.test_id]
    auto_closed = bool(body.get("autoClosed", False))
    try:
        scores = spread_score(test, _requested_score(body, test.max_score))
    except (TypeError, ValueError) as exc:
        raise ApiError(400, str(exc)) from exc
    flow.finish(state, participant, scores, {}, auto_closed=auto_closed)
    redirect_url = None if auto_closed else flow.callback_redirect(state, participant)
    return jsonify(session=session_report(test, participant), redirectUrl=redirect_url)


def _requested_score(body: dict[str, t.Any], max_score: float) -> float:
    """``score``, else ``percent`` of the maximum, else full marks."""
    if body.get("score") is not None:
        return float(body["score"])
    if body.get("percent") is not None:
        return max_score * float(body["percent"]) / 100
    return max_score


def _participant(participant_id: str) -> Participant:
    state = current_state()
    with state.lock:
        participant = state.participants.get(participant_id.lower())
    if participant is None:
        raise ApiError(404, f"Participant '{participant_id}' not found")
    return participant


def _attempt_json(participant: Participant) -> dict[str, t.Any]:
    state = current_state()
    test = state.tests[participant.test_id]
    return {
        "participantId": participant.participant_id,
        "testId": participant.test_id,
        "validFrom": iso(participant.valid_from),
        "validTill": iso(participant.valid_till),
        "modified": iso(participant.modified_ms / 1000, millis=True),
        "callbackUrl": state.callback_for(participant.test_id),
        "session": session_report(test, participant),
    }


def _test_json(test: SimTest) -> dict[str, t.Any]:
    return {
        **test.as_json(iso),
        "callbackUrl": test.callback_url,
        "maxScore": test.max_score,
        "questions": [
            {
                "num": q.num,
                "prompt": q.prompt,
                "options": list(q.options),
                "correct": q.correct,
                "max": q.max_score,
            }
            for q in test.questions
        ],
    }
