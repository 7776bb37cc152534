"""The StartExam simulator is strict: signatures, dates, tokens, limits, and the candidate flow."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import json
import time
import typing as t

import pytest
import requests

from mappings.startexam import load_result
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.startexam import create_startexam_app
from tests.unit.vendors.helpers import Clock

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

ACCOUNT = "77"
SECRET = "simulator-secret"
CALLBACK = "http://127.0.0.1:9/return?tenant=a"
SINCE = "2000-01-01T00:00:00Z"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[ServedApp]:
    app = create_startexam_app(
        account_id=ACCOUNT, secret_key=SECRET, callback_url=CALLBACK, clock=clock
    )
    with serve_app(app) as served:
        yield served


def call(
    sim: ServedApp,
    method: str,
    path: str,
    *,
    body: t.Any = None,
    params: dict[str, str] | None = None,
    date: str | None = None,
    account: str = ACCOUNT,
    secret: str = SECRET,
    signed_path: str | None = None,
    signed_length: int | None = None,
) -> requests.Response:
    """A request signed by hand, each signed part overridable to test refusals."""
    payload = b"" if body is None else json.dumps(body).encode()
    date = date or email.utils.formatdate(time.time(), usegmt=True)
    length = len(payload) if signed_length is None else signed_length
    text = f"{method} {signed_path or path} {date} {length}"
    signature = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest())
    headers = {
        "Date": date,
        "Authorization": f"SharedKey {account}:{signature.decode()}",
        "Content-Type": "application/json",
    }
    return requests.request(
        method, sim.url + path, params=params, data=payload or None, headers=headers, timeout=5
    )


def new_test(sim: ServedApp, **fields: t.Any) -> dict[str, t.Any]:
    return t.cast(
        "dict[str, t.Any]", requests.post(f"{sim.url}/sandbox/tests", json=fields, timeout=5).json()
    )


def register(sim: ServedApp, test_id: str, count: int = 1, **overrides: t.Any) -> requests.Response:
    body = {
        "center": "sandbox",
        "validFrom": "2020-01-01T00:00:00Z",
        "validTill": "2099-01-01T00:00:00Z",
        "tests": [test_id],
        "participants": [{"data": [{"name": "Email", "value": "a@b.c"}]}] * count,
        **overrides,
    }
    return call(sim, "POST", "/v2/participants", body=body)


class TestSignature:
    def test_a_correctly_signed_call_passes(self, sim: ServedApp) -> None:
        answer = call(sim, "GET", "/v1/tests")
        assert (answer.status_code, answer.json()) == (200, {"tests": []})

    @pytest.mark.parametrize(
        "change",
        [
            {"secret": "wrong"},
            {"account": "78"},
            {"signed_path": "/V1/Tests"},
            {"signed_path": "/v1/tests?status=active"},
            {"signed_length": 5},
        ],
    )
    def test_a_wrong_signature_is_refused(self, sim: ServedApp, change: dict[str, t.Any]) -> None:
        answer = call(sim, "GET", "/v1/tests", **change)
        assert answer.status_code == 403
        assert answer.json() == {"message": "HTTP header 'Authorization' is incorrect"}

    def test_body_length_is_signed(self, sim: ServedApp) -> None:
        test = new_test(sim)
        body = {"center": "sandbox", "tests": [test["testId"]]}
        answer = call(sim, "POST", "/v2/participants", body=body, signed_length=0)
        assert answer.status_code == 403

    def test_the_query_string_is_not_signed(self, sim: ServedApp) -> None:
        answer = call(sim, "GET", "/v1/tests", params={"status": "active"})
        assert answer.status_code == 200

    def test_a_stale_date_is_refused(self, sim: ServedApp) -> None:
        stale = email.utils.formatdate(time.time() - 15 * 60 - 5, usegmt=True)
        answer = call(sim, "GET", "/v1/tests", date=stale)
        assert answer.status_code == 403
        assert (
            answer.json()["message"]
            == "HTTP header 'Date' is incorrect: it's older than 15 minutes"
        )

    def test_a_date_just_inside_the_window_passes(self, sim: ServedApp) -> None:
        recent = email.utils.formatdate(time.time() - 14 * 60, usegmt=True)
        assert call(sim, "GET", "/v1/tests", date=recent).status_code == 200

    @pytest.mark.parametrize("date", ["yesterday", ""])
    def test_a_bad_date_is_refused(self, sim: ServedApp, date: str) -> None:
        answer = requests.get(f"{sim.url}/v1/tests", headers={"Date": date}, timeout=5)
        assert answer.status_code == 403
        assert "'Date'" in answer.json()["message"]

    def test_missing_authorization_is_refused(self, sim: ServedApp) -> None:
        date = email.utils.formatdate(time.time(), usegmt=True)
        answer = requests.get(f"{sim.url}/v1/tests", headers={"Date": date}, timeout=5)
        assert answer.status_code == 403


class TestContract:
    def test_registration_limits(self, sim: ServedApp) -> None:
        test = new_test(sim)
        assert register(sim, test["testId"], count=1001).status_code == 400
        assert register(sim, test["testId"], count=0).status_code == 400
        assert register(sim, test["testId"], tests=[test["testId"]] * 11).status_code == 400
        assert register(sim, test["testId"], center="other").status_code == 404
        assert register(sim, "nope").status_code == 404
        wrong_window = register(sim, test["testId"], validTill="2019-01-01T00:00:00Z")
        assert wrong_window.status_code == 400
        bad_item = register(sim, test["testId"], participants=[{"data": [{"key": "Email"}]}])
        assert bad_item.status_code == 400
        assert "name and a value" in bad_item.json()["message"]

    def test_bad_filters_are_refused(self, sim: ServedApp) -> None:
        assert call(sim, "GET", "/v1/tests", params={"status": "open"}).status_code == 400
        assert call(sim, "GET", "/v1/tests", params={"type": "quiz"}).status_code == 400

    def test_sessions_need_a_valid_modified_since(self, sim: ServedApp) -> None:
        for params in ({"center": "sandbox"}, {"center": "sandbox", "modifiedSince": "soon"}):
            answer = call(sim, "GET", "/v2/sessions", params=params)
            assert answer.status_code == 400
            assert "modifiedSince" in answer.json()["message"]

    def test_bad_page_tokens_are_refused(self, sim: ServedApp, clock: Clock) -> None:
        test = new_test(sim)
        register(sim, test["testId"], count=3)
        requests.put(f"{sim.url}/sandbox/settings", json={"pageSize": 1}, timeout=5)
        params = {"center": "sandbox", "modifiedSince": SINCE}
        token = call(sim, "GET", "/v2/sessions", params=params).json()["continuationToken"]
        made_up = call(sim, "GET", "/v2/sessions", params={**params, "continuationToken": "se1"})
        assert made_up.status_code == 400
        assert made_up.json() == {"message": "Parameter 'continuationToken' is invalid or expired"}
        clock.now += 601
        late = call(sim, "GET", "/v2/sessions", params={**params, "continuationToken": token})
        assert late.status_code == 400

    def test_page_size_out_of_range_is_refused(self, sim: ServedApp) -> None:
        for size in (0, 501, "2"):
            answer = requests.put(f"{sim.url}/sandbox/settings", json={"pageSize": size}, timeout=5)
            assert answer.status_code == 400

    def test_listing_is_keyset_paged(self, sim: ServedApp) -> None:
        """A session modified while paging moves past the listing's end instead of
        shifting the others, so no session is skipped."""
        test = new_test(sim)
        ids = register(sim, test["testId"], count=3).json()["participantIds"]
        requests.put(f"{sim.url}/sandbox/settings", json={"pageSize": 1}, timeout=5)
        params = {"center": "sandbox", "modifiedSince": SINCE}
        first = call(sim, "GET", "/v2/sessions", params=params).json()
        requests.post(f"{sim.url}/sandbox/attempts/{ids[0]}/complete", json={}, timeout=5)
        seen = [first["sessions"][0]["participantId"]]
        token = first["continuationToken"]
        while token:
            page = call(
                sim, "GET", "/v2/sessions", params={**params, "continuationToken": token}
            ).json()
            seen += [s["participantId"] for s in page["sessions"]]
            token = page.get("continuationToken")
        assert seen == ids
        again = call(
            sim, "GET", "/v2/sessions", params={**params, "modifiedSince": page["modifiedUntil"]}
        )
        assert [s["participantId"] for s in again.json()["sessions"]] == [ids[0]]

    def test_unknown_routes_answer_in_the_vendor_shape(self, sim: ServedApp) -> None:
        answer = call(sim, "GET", "/v9/nothing")
        assert answer.status_code == 404
        assert "message" in answer.json()


class TestCandidate:
    def test_opening_starts_and_posting_finishes_with_a_redirect(self, sim: ServedApp) -> None:
        test = new_test(sim, questions=2)
        (pid,) = register(sim, test["testId"]).json()["participantIds"]
        link = f"{sim.url}/go/sandbox/participant/{pid}"
        assert (
            call(sim, "GET", "/v2/session", params={"participantId": pid}).json()["started"] is None
        )
        page = requests.get(link, timeout=5)
        assert page.status_code == 200 and 'name="q2"' in page.text
        started = call(sim, "GET", "/v2/session", params={"participantId": pid}).json()
        assert started["started"] is not None and started["isFinished"] is False
        right = test["questions"][0]
        finished = requests.post(
            link, data={"q1": str(right["correct"]), "q2": "9"}, allow_redirects=False, timeout=5
        )
        assert finished.status_code == 302
        assert finished.headers["Location"] == f"{CALLBACK}&participantId={pid}"
        report = call(sim, "GET", "/v2/session", params={"participantId": pid}).json()
        assert (report["score"], report["maxScore"], report["percent"]) == (5.0, 10.0, 50.0)
        assert [q["score"] for q in report["questions"]] == [5.0, 0.0]
        assert load_result(report).score == 5
        closed = requests.get(link, timeout=5)
        assert "closed" in closed.text

    def test_a_test_callback_overrides_the_default(self, sim: ServedApp) -> None:
        test = new_test(sim, callbackUrl="http://127.0.0.1:9/own")
        (pid,) = register(sim, test["testId"]).json()["participantIds"]
        done = requests.post(
            f"{sim.url}/sandbox/attempts/{pid}/complete", json={"percent": 25}, timeout=5
        )
        assert done.json()["redirectUrl"] == f"http://127.0.0.1:9/own?participantId={pid}"
        assert done.json()["session"]["score"] == 5.0

    def test_without_callback_the_page_shows_the_score(self, sim: ServedApp) -> None:
        requests.put(f"{sim.url}/sandbox/callback", json={"url": None}, timeout=5)
        test = new_test(sim)
        (pid,) = register(sim, test["testId"]).json()["participantIds"]
        page = requests.post(f"{sim.url}/go/sandbox/participant/{pid}", data={}, timeout=5)
        assert page.status_code == 200 and "Score: 0" in page.text

    def test_inactive_and_unknown_links(self, sim: ServedApp) -> None:
        test = new_test(sim)
        (pid,) = register(sim, test["testId"], validFrom="2090-01-01T00:00:00Z").json()[
            "participantIds"
        ]
        assert requests.get(f"{sim.url}/go/sandbox/participant/{pid}", timeout=5).status_code == 403
        assert requests.get(f"{sim.url}/go/other/participant/{pid}", timeout=5).status_code == 404
        assert requests.get(f"{sim.url}/go/sandbox/participant/x", timeout=5).status_code == 404

    def test_completing_twice_is_a_conflict(self, sim: ServedApp) -> None:
        (pid,) = register(sim, new_test(sim)["testId"]).json()["participantIds"]
        complete = f"{sim.url}/sandbox/attempts/{pid}/complete"
        assert requests.post(complete, json={"score": 21}, timeout=5).status_code == 400
        assert requests.post(complete, json={"score": 20}, timeout=5).status_code == 200
        assert requests.post(complete, json={}, timeout=5).status_code == 409

    def test_faults_spare_the_candidate_page_and_control_api(self, sim: ServedApp) -> None:
        (pid,) = register(sim, new_test(sim)["testId"]).json()["participantIds"]
        requests.put(f"{sim.url}/sandbox/faults", json={"error_rate": 1.0}, timeout=5)
        assert call(sim, "GET", "/v1/tests").status_code in (500, 503)
        assert requests.get(f"{sim.url}/go/sandbox/participant/{pid}", timeout=5).status_code == 200
        assert requests.get(f"{sim.url}/sandbox/state", timeout=5).status_code == 200
