"""Strictness of the ExamSpark simulator, exercised with plain HTTP."""

from __future__ import annotations

import base64
import time
import typing as t
import uuid

import pytest
import requests

from plugin.runtime.shared_store import MemoryStore
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import parse_forms
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.sandbox.vendors.examspark import player_url
from plugin.sandbox.vendors.examspark.models import SESSION_NAMESPACE
from plugin.vendors.examspark.outcomes import parse_pox
from plugin.vendors.examspark.signing import query_pairs
from plugin.vendors.examspark.verification import OAuthVerifier
from tests.unit.vendors.helpers import Clock
from tests.unit.vendors.test_examspark_adapter import Capture

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

KEY, SECRET, WORKSPACE = "app-key-1", "app-secret-1", "focus1f8-district"
BASIC = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
AUTH = {"Authorization": BASIC}


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _serve(clock: Clock, **options: t.Any) -> ServedApp:
    app = create_examspark_app(
        app_key=KEY, app_secret=SECRET, workspace_id=WORKSPACE, clock=clock, **options
    )
    return serve_app(app)


@pytest.fixture
def sim(clock: Clock) -> Iterator[ServedApp]:
    with _serve(clock, retry_delays=(0.05, 0.05)) as served:
        yield served


@pytest.fixture
def capture() -> Iterator[Capture]:
    endpoint = Capture()
    yield endpoint
    endpoint.served.shutdown()


def api(sim: ServedApp, method: str, path: str, **kwargs: t.Any) -> requests.Response:
    kwargs.setdefault("headers", AUTH)
    return requests.request(method, f"{sim.url}{path}", timeout=5, **kwargs)


def add_config(sim: ServedApp, **spec: t.Any) -> dict[str, t.Any]:
    response = requests.post(f"{sim.url}/sandbox/exam-configs", json=spec, timeout=5)
    assert response.status_code == 201, response.text
    config: dict[str, t.Any] = response.json()["examConfig"]
    return config


def create(sim: ServedApp, config_id: str, **fields: str) -> requests.Response:
    body = {"user_id": "learner-1", "resource_link_id": "link-1", **fields}
    return api(sim, "POST", f"/api/exam-config/{config_id}/exam-session", json=body)


def assert_error(response: requests.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status
    assert message in body["message"]
    assert response.headers["x-amzn-RequestId"]


# -- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Missing Basic authorization"),
        ("Bearer abc", "Missing Basic authorization"),
        ("Basic " + base64.b64encode(f"other:{SECRET}".encode()).decode(), "Invalid app key"),
        ("Basic " + base64.b64encode(f"{KEY}:wrong".encode()).decode(), "Invalid app key"),
        ("Basic !!!not-base64", "Malformed Basic authorization"),
        (f"Basic {KEY}:wrong", "Invalid app key"),
    ],
)
def test_bad_credentials_are_refused(sim: ServedApp, header: str | None, message: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = api(sim, "GET", f"/api/workspace/{WORKSPACE}", headers=headers)
    assert_error(response, 401, message)
    assert response.json()["error"] == "Unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_plain_basic_is_accepted_unless_disabled(sim: ServedApp, clock: Clock) -> None:
    plain = {"Authorization": f"Basic {KEY}:{SECRET}"}
    assert api(sim, "GET", f"/api/workspace/{WORKSPACE}", headers=plain).status_code == 200
    with _serve(clock, accept_plain_basic=False) as strict:
        refused = api(strict, "GET", f"/api/workspace/{WORKSPACE}", headers=plain)
        assert_error(refused, 401, "Malformed")
        assert api(strict, "GET", f"/api/workspace/{WORKSPACE}").status_code == 200


def test_other_workspace_is_forbidden(sim: ServedApp) -> None:
    assert_error(api(sim, "GET", "/api/workspace/elsewhere"), 403, "no access to workspace")
    login = api(sim, "POST", "/api/login/sdk", json={"email": "a@b.c", "workspaceId": "x"})
    assert_error(login, 403, "no access to workspace")


# -- sessions ------------------------------------------------------------------------------------


def test_session_ids_are_deterministic(sim: ServedApp) -> None:
    config = add_config(sim)
    first = create(sim, config["id"]).json()["examSession"]["id"]
    assert create(sim, config["id"]).json()["examSession"]["id"] == first
    expected = uuid.uuid5(SESSION_NAMESPACE, f"{config['id']}|learner-1||link-1")
    assert first == str(expected)
    assert create(sim, config["id"], context_id="course-2").json()["examSession"]["id"] != first


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"resource_link_id": "l"}, 400, "user_id is required"),
        ({"user_id": 5}, 400, "must be strings"),
        ({"user_id": "u", "lis_outcome_service_url": "javascript:x"}, 400, "http(s) URL"),
        (["not", "an", "object"], 400, "JSON object"),
    ],
)
def test_create_validates_its_body(sim: ServedApp, body: t.Any, status: int, message: str) -> None:
    config = add_config(sim)
    response = api(sim, "POST", f"/api/exam-config/{config['id']}/exam-sessions", json=body)
    assert_error(response, status, message)


def test_unknown_ids_and_includes(sim: ServedApp) -> None:
    assert_error(create(sim, "missing-config"), 404, "Exam config missing-config not found")
    assert_error(api(sim, "GET", "/api/exam-session/nope"), 404, "Exam session nope not found")
    assert_error(api(sim, "GET", "/api/exam-session/nope/archive"), 404, "not found")
    session_id = create(sim, add_config(sim)["id"]).json()["examSession"]["id"]
    bad_include = api(sim, "GET", f"/api/exam-session/{session_id}?include[]=grades")
    assert_error(bad_include, 400, "Unknown include value(s): grades")


def test_set_responses_is_strict(sim: ServedApp) -> None:
    config = add_config(sim, questions=2)
    session_id = create(sim, config["id"]).json()["examSession"]["id"]
    item = config["items"][0]
    question = item["id"].replace("-", "")[:12]
    path = f"/api/exam-session/{session_id}/responses"

    def entry(index: int, question_id: str = question) -> dict[str, t.Any]:
        return {
            "itemId": item["id"],
            "questions": [{"id": question_id, "response": {"options": [{"index": index}]}}],
        }

    assert_error(api(sim, "POST", path, json={"responses": [entry(9)]}), 400, "out of range")
    assert_error(
        api(sim, "POST", path, json={"responses": [entry(0, "zz")]}), 400, "Unknown question"
    )
    assert_error(
        api(sim, "POST", path, json={"responses": [], "submitForScoring": "yes"}),
        400,
        "must be a boolean",
    )
    done = api(
        sim, "POST", path, json={"responses": [entry(item["key"])], "submitForScoring": True}
    )
    assert done.json()["examSession"]["scoreActual"] == 50
    again = api(sim, "POST", path, json={"responses": [entry(0)], "submitForScoring": True})
    assert_error(again, 400, "reopen or retake it first")


# -- paging --------------------------------------------------------------------------------------


def _list(sim: ServedApp, body: dict[str, t.Any], limit: str = "2") -> requests.Response:
    return api(sim, "POST", f"/api/exam-sessions?limit={limit}", json=body)


def test_paging_ends_with_an_empty_page(sim: ServedApp) -> None:
    config = add_config(sim)
    for n in range(2):
        create(sim, config["id"], resource_link_id=f"l{n}")
    first = _list(sim, {}).json()
    assert len(first["items"]) == 2 and first["nextToken"]
    last = _list(sim, {"nextToken": first["nextToken"]}).json()
    assert (last["items"], last["nextToken"], last["total"]) == ([], None, 2)


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1"])
def test_limit_out_of_range_is_refused(sim: ServedApp, limit: str) -> None:
    assert_error(_list(sim, {}, limit=limit), 400, "limit must be an integer between 1 and 100")


def test_bad_page_tokens_are_refused(sim: ServedApp, clock: Clock) -> None:
    config = add_config(sim)
    for n in range(3):
        create(sim, config["id"], resource_link_id=f"l{n}")
    token = _list(sim, {}).json()["nextToken"]
    forged = base64.b64encode(b'["id=x|sk=exam-session"]').decode()
    assert_error(_list(sim, {"nextToken": forged}), 400, "Invalid nextToken")
    assert_error(_list(sim, {"nextToken": 12}), 400, "Invalid nextToken")
    other_filter = {"nextToken": token, "filter": {"examConfigIds": {"include": [config["id"]]}}}
    assert_error(_list(sim, other_filter), 400, "does not belong to this filter")
    exams_token = api(sim, "POST", "/api/exams?limit=1", json={}).json()["nextToken"]
    assert_error(_list(sim, {"nextToken": exams_token}), 400, "Invalid nextToken")
    clock.now += 601
    assert_error(_list(sim, {"nextToken": token}), 400, "nextToken has expired")


def test_page_tokens_expire_on_request(sim: ServedApp) -> None:
    config = add_config(sim)
    for n in range(3):
        create(sim, config["id"], resource_link_id=f"l{n}")
    token = _list(sim, {}).json()["nextToken"]
    assert requests.post(f"{sim.url}/sandbox/page-tokens/expire", timeout=5).json() == {
        "expired": 1
    }
    assert_error(_list(sim, {"nextToken": token}), 400, "expired")


def test_filter_must_list_ids(sim: ServedApp) -> None:
    bad = {"filter": {"examConfigIds": {"include": "one-id"}}}
    assert_error(_list(sim, bad), 400, "filter.examConfigIds.include")


# -- the candidate page --------------------------------------------------------------------------


def _token(sim: ServedApp) -> str:
    answer = api(sim, "POST", "/api/login/sdk", json={"email": "s@x.org", "workspaceId": WORKSPACE})
    auth: str = answer.json()["auth"]
    return auth


def test_player_refuses_bad_or_expired_tokens(sim: ServedApp, clock: Clock) -> None:
    config_id = add_config(sim)["id"]
    options = {"id": config_id, "user_id": "u1"}
    assert (
        requests.get(player_url(sim.url, {**options, "auth": "forged"}), timeout=5).status_code
        == 401
    )
    auth = _token(sim)
    assert (
        requests.get(
            player_url(sim.url, {"auth": auth, "id": "nope", "user_id": "u"}), timeout=5
        ).status_code
        == 404
    )
    assert (
        requests.get(player_url(sim.url, {"auth": auth, "id": config_id}), timeout=5).status_code
        == 400
    )
    clock.now += 8 * 3600 + 1
    expired = requests.get(player_url(sim.url, {**options, "auth": auth}), timeout=5)
    assert expired.status_code == 401
    assert "expired" in expired.text


def test_candidate_page_completes_and_fires_both_signals(
    sim: ServedApp, clock: Clock, capture: Capture
) -> None:
    requests.put(f"{sim.url}/sandbox/settings", json={"callback_url": capture.url}, timeout=5)
    config = add_config(sim, questions=4)
    session = create(
        sim, config["id"], lis_outcome_service_url=capture.url, lis_result_sourcedid="cell-1"
    ).json()["examSession"]
    options = {
        "auth": _token(sim),
        "id": config["id"],
        "user_id": "learner-1",
        "resource_link_id": "link-1",
    }
    browser = SandboxBrowser()
    exam = browser.get(player_url(sim.url, options))
    form = parse_forms(exam.text)[0][0]
    answers = dict(form.fields)
    for item in config["items"][:3]:
        answers[f"item-{item['id']}"] = str(item["key"])
    submitted = browser.post(f"{sim.url}{form.action}", data=answers)
    assert "Score: 3 of 4 (75%)" in submitted.text
    browser.submit_first_form(submitted)
    received = capture.wait_for(2)
    passback = next(r for r in received if r.header("Content-Type") == "application/xml")
    relay = next(r for r in received if r is not passback)
    assert relay.body.decode().startswith("event=examSessionSubmitted")
    assert f"examSessionId={session['id']}" in relay.body.decode()
    verifier = OAuthVerifier(
        consumer_key=KEY, consumer_secret=SECRET, nonces=MemoryStore(), clock=clock
    )
    verifier.verify(
        method="POST",
        url=passback.url,
        query=query_pairs(passback.url),
        authorization=passback.header("Authorization"),
        body=passback.body,
    )
    message = parse_pox(passback.body)
    assert (message.sourced_id, str(message.score)) == ("cell-1", "0.75")
    again = browser.post(f"{sim.url}{form.action}", data=answers)
    assert again.status_code == 409
    assert "Exam submitted" in browser.get(player_url(sim.url, options)).text


def test_passback_is_retried_after_non_2xx(sim: ServedApp, capture: Capture) -> None:
    capture.statuses = [500, 503]
    config = add_config(sim)
    session_id = create(
        sim, config["id"], lis_outcome_service_url=capture.url, lis_result_sourcedid="cell-1"
    ).json()["examSession"]["id"]
    requests.post(f"{sim.url}/sandbox/attempts/{session_id}/complete", json={}, timeout=5)
    received = capture.wait_for(3)
    nonces = {r.header("Authorization") for r in received}
    assert len(nonces) == 3
    delivery = _delivery(sim, "delivered")
    assert [attempt["status"] for attempt in delivery["tries"]] == [500, 503, 200]


def test_passback_gives_up_after_the_last_retry(sim: ServedApp, capture: Capture) -> None:
    capture.statuses = [500, 500, 500, 500]
    session_id = create(
        sim, add_config(sim)["id"], lis_outcome_service_url=capture.url, lis_result_sourcedid="c"
    ).json()["examSession"]["id"]
    requests.post(f"{sim.url}/sandbox/attempts/{session_id}/complete", json={"score": 0}, timeout=5)
    delivery = _delivery(sim, "failed")
    assert len(delivery["tries"]) == 3
    assert delivery["score"] == "0"


def test_a_passback_refused_in_its_envelope_is_not_sent_again(
    sim: ServedApp, capture: Capture
) -> None:
    capture.refusals = ["grade passback unusable: resultScore must be a number"]
    session_id = create(
        sim, add_config(sim)["id"], lis_outcome_service_url=capture.url, lis_result_sourcedid="c"
    ).json()["examSession"]["id"]
    requests.post(f"{sim.url}/sandbox/attempts/{session_id}/complete", json={}, timeout=5)
    delivery = _delivery(sim, "refused")
    (only,) = delivery["tries"]
    assert (only["status"], only["code_major"]) == (200, "failure")
    assert only["description"] == "grade passback unusable: resultScore must be a number"
    time.sleep(0.2)  # past the retry delay: nothing more was sent
    assert len(capture.received) == 1


def test_a_2xx_answer_without_an_envelope_is_tried_again(sim: ServedApp, capture: Capture) -> None:
    capture.plain = 1
    session_id = create(
        sim, add_config(sim)["id"], lis_outcome_service_url=capture.url, lis_result_sourcedid="c"
    ).json()["examSession"]["id"]
    requests.post(f"{sim.url}/sandbox/attempts/{session_id}/complete", json={}, timeout=5)
    delivery = _delivery(sim, "delivered")
    first, second = delivery["tries"]
    assert (first["status"], first["error"]) == (
        200,
        "the answer is not well-formed XML without a DTD",
    )
    assert (second["code_major"], second["description"]) == ("success", "recorded")


def _delivery(sim: ServedApp, state: str) -> dict[str, t.Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        deliveries = requests.get(f"{sim.url}/sandbox/webhooks", timeout=5).json()["deliveries"]
        if deliveries and deliveries[0]["state"] == state:
            found: dict[str, t.Any] = deliveries[0]
            return found
        time.sleep(0.02)
    raise AssertionError(f"no delivery reached {state}")


# -- faults and control --------------------------------------------------------------------------


def test_faults_spare_the_player_and_the_control_api(sim: ServedApp) -> None:
    config_id = add_config(sim)["id"]
    auth = _token(sim)
    response = requests.put(f"{sim.url}/sandbox/faults", json={"error_rate": 1.0}, timeout=5)
    assert response.status_code == 200
    failed = api(sim, "GET", f"/api/workspace/{WORKSPACE}")
    assert failed.status_code in {500, 503}
    assert failed.json()["message"] == "injected server error"
    page = requests.get(
        player_url(sim.url, {"auth": auth, "id": config_id, "user_id": "u"}), timeout=5
    )
    assert page.status_code == 200
    assert requests.get(f"{sim.url}/sandbox/sessions", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("path", "method", "body", "message"),
    [
        ("/sandbox/settings", "PUT", {"colour": "red"}, "Unknown settings"),
        ("/sandbox/settings", "PUT", {"outcome_format": "soap"}, "outcome_format"),
        ("/sandbox/settings", "PUT", {"retry_delays": [-1]}, "retry_delays"),
        ("/sandbox/exam-configs", "POST", {"questions": 50}, "questions must be 1..20"),
        ("/sandbox/exam-configs", "POST", {"attemptResolution": "LOWEST"}, "attemptResolution"),
    ],
)
def test_control_api_validates(
    sim: ServedApp, path: str, method: str, body: dict[str, t.Any], message: str
) -> None:
    response = requests.request(method, f"{sim.url}{path}", json=body, timeout=5)
    assert_error(response, 400, message)


def test_complete_checks_the_score(sim: ServedApp) -> None:
    session_id = create(sim, add_config(sim, questions=2)["id"]).json()["examSession"]["id"]
    response = requests.post(
        f"{sim.url}/sandbox/attempts/{session_id}/complete", json={"score": 3}, timeout=5
    )
    assert_error(response, 400, "score must be a whole number of points in 0..2")
    done = requests.post(
        f"{sim.url}/sandbox/attempts/{session_id}/complete", json={"score": 1}, timeout=5
    ).json()
    assert done["examSession"]["scoreActual"] == 50
    assert done["event"]["data"]["examSessionId"] == session_id
