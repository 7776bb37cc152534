"""The Mettl simulator is strict: it refuses what Mettl refuses, with Mettl's error bodies."""

from __future__ import annotations

import json
import time
import typing as t
import urllib.parse

import pytest
import requests

from mappings.mettl import load_candidates
from mappings.result import ResultStatus
from plugin.sandbox.browser import parse_forms
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.vendors.mettl.signing import signed_query
from tests.unit.vendors.helpers import Clock
from tests.unit.vendors.helpers import Receiver
from tests.unit.vendors.helpers import call_control
from tests.unit.vendors.helpers import payloads
from tests.unit.vendors.helpers import recorded_tries

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

PUBLIC = "pk-sandbox"
PRIVATE = "sk-sandbox-very-secret"
KEY = "sched1"
CANDIDATES = f"/v2/schedules/{KEY}/candidates"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver(failures=1)
    yield hooks
    hooks.served.shutdown()


@pytest.fixture
def sim(clock: Clock, receiver: Receiver) -> Iterator[ServedApp]:
    app = create_mettl_app(
        public_key=PUBLIC,
        private_key=PRIVATE,
        clock=clock,
        callback_url=receiver.url,
        notification_retry_delays=(0.05, 0.05),
    )
    with serve_app(app) as served:
        call_control(served, "POST", "/sandbox/schedules", name="Java", accessKey=KEY)
        yield served


def signed(
    sim: ServedApp,
    method: str,
    path: str,
    params: dict[str, str] | None = None,
    *,
    ts: float | None = None,
    public: str = PUBLIC,
    private: str = PRIVATE,
) -> str:
    url = sim.url + path
    query = signed_query(
        public_key=public,
        private_key=private,
        method=method,
        url=url,
        params=params or {},
        timestamp=int(time.time() if ts is None else ts),
    )
    return f"{url}?{query}"


def call(
    sim: ServedApp, method: str, path: str, params: dict[str, str] | None = None, **options: t.Any
) -> dict[str, t.Any]:
    response = requests.request(method, signed(sim, method, path, params, **options), timeout=5)
    assert response.status_code == 200, response.text
    return t.cast("dict[str, t.Any]", response.json())


def error_code(body: dict[str, t.Any]) -> str:
    assert body["status"] == "ERROR"
    return str(body["error"]["code"])


def register(sim: ServedApp, *emails: str, **extra: str) -> list[dict[str, t.Any]]:
    rows = [{"Email Address": e, "First Name": e.split("@")[0]} for e in emails]
    body = call(sim, "POST", CANDIDATES, {"rd": json.dumps({"registrationDetails": rows}), **extra})
    return t.cast("list[dict[str, t.Any]]", body["registrationStatus"])


class TestAuthentication:
    def test_wrong_signature(self, sim: ServedApp) -> None:
        assert error_code(call(sim, "GET", "/v2/account", private="not-the-key")) == "E401"

    def test_parameter_changed_after_signing(self, sim: ServedApp) -> None:
        url = signed(sim, "GET", CANDIDATES, {"limit": "10"}).replace("limit=10", "limit=11")

        assert error_code(requests.get(url, timeout=5).json()) == "E401"

    def test_missing_signature(self, sim: ServedApp) -> None:
        url = f"{sim.url}/v2/account?ak={PUBLIC}&ts={int(time.time())}"

        assert error_code(requests.get(url, timeout=5).json()) == "E401"

    def test_wrong_public_key(self, sim: ServedApp) -> None:
        assert error_code(call(sim, "GET", "/v2/account", public="other")) == "E403"

    @pytest.mark.parametrize("age", [24 * 3600 + 5, -600])
    def test_stale_or_future_timestamp(self, sim: ServedApp, age: int) -> None:
        body = call(sim, "GET", "/v2/account", ts=time.time() - age)

        assert error_code(body) == "E504"

    def test_timestamp_is_checked_before_the_key(self, sim: ServedApp) -> None:
        body = call(sim, "GET", "/v2/account", ts=0, public="other", private="other")

        assert error_code(body) == "E504"

    def test_non_numeric_timestamp(self, sim: ServedApp) -> None:
        url = f"{sim.url}/v2/account?ak={PUBLIC}&ts=yesterday&asgn=x"

        assert error_code(requests.get(url, timeout=5).json()) == "E504"

    def test_repeated_parameter(self, sim: ServedApp) -> None:
        url = signed(sim, "GET", CANDIDATES, {"limit": "10"}) + "&limit=10"

        assert error_code(requests.get(url, timeout=5).json()) == "E400"

    def test_replay_within_the_validity_is_accepted(self, sim: ServedApp) -> None:
        url = signed(sim, "GET", "/v2/account")

        answers = [requests.get(url, timeout=5).json()["status"] for _ in range(2)]

        assert answers == ["SUCCESS", "SUCCESS"]


class TestLimits:
    @pytest.mark.parametrize(
        "params",
        [
            {"limit": "0"},
            {"limit": "101"},
            {"limit": "ten"},
            {"offset": "-1"},
            {"sort": "score"},
            {"sort_order": "up"},
            {"qr": "maybe"},
            {"ir": "{bad json"},
        ],
    )
    def test_out_of_range_parameters(self, sim: ServedApp, params: dict[str, str]) -> None:
        body = call(sim, "GET", CANDIDATES, params)

        assert error_code(body) == "E400"
        assert next(iter(params)) in body["error"]["message"]

    def test_offset_past_the_end(self, sim: ServedApp) -> None:
        register(sim, "a@example.org")

        assert error_code(call(sim, "GET", CANDIDATES, {"offset": "1"})) == "E400"

    def test_tampered_paging_link(self, sim: ServedApp) -> None:
        call_control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=30)
        next_url = call(sim, "GET", CANDIDATES)["paging"]["next"]

        tampered = next_url.replace("offset=20", "offset=25")

        assert "offset=20" in next_url
        assert error_code(requests.get(tampered, timeout=5).json()) == "E401"
        assert len(requests.get(next_url, timeout=5).json()["candidates"]) == 10

    def test_more_than_twenty_registrations(self, sim: ServedApp) -> None:
        rows = [{"Email Address": f"p{n}@example.org", "First Name": "P"} for n in range(21)]

        body = call(sim, "POST", CANDIDATES, {"rd": json.dumps({"registrationDetails": rows})})

        assert error_code(body) == "E400"
        assert "Maximum 20" in body["error"]["message"]

    @pytest.mark.parametrize("rd", ["not json", '{"registrationDetails": []}', "[]"])
    def test_malformed_registration(self, sim: ServedApp, rd: str) -> None:
        assert error_code(call(sim, "POST", CANDIDATES, {"rd": rd})) == "E400"

    def test_unknown_schedule_and_candidate(self, sim: ServedApp) -> None:
        assert error_code(call(sim, "GET", "/v2/schedules/nope/candidates")) == "E404"
        assert error_code(call(sim, "GET", f"{CANDIDATES}/x@example.org")) == "E404"

    def test_unknown_route_and_method(self, sim: ServedApp) -> None:
        missing = requests.get(f"{sim.url}/v2/nothing", timeout=5)
        wrong = requests.put(signed(sim, "PUT", "/v2/account"), timeout=5)

        assert missing.status_code == 404 and missing.json()["error"]["code"] == "E404"
        assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "E405"


def finish_in_browser(link: str, answers: dict[str, str]) -> requests.Response:
    browser = requests.Session()
    (start_form,), _ = parse_forms(browser.get(link, timeout=5).text)
    questions = browser.post(urllib.parse.urljoin(link, start_form.action), timeout=5)
    (finish_form,), _ = parse_forms(questions.text)
    return browser.post(urllib.parse.urljoin(link, finish_form.action), data=answers, timeout=5)


class TestCandidateFlow:
    def test_finishing_fires_both_notifications_with_retries(
        self, sim: ServedApp, receiver: Receiver
    ) -> None:
        (entry,) = register(sim, "ada@example.org")

        page = finish_in_browser(entry["url"], {"q0": "1", "q1": "2", "q2": "1", "q3": "0"})

        assert "submitted" in page.text
        finish, graded = payloads(receiver.wait_ok(2))
        assert finish["EVENT_TYPE"] == "finishTest" and finish["email"] == "ada@example.org"
        assert finish["invitation_key"] == KEY and finish["finish_mode"] == "NormalSubmission"
        assert graded["EVENT_TYPE"] == "gradedAssessment"
        assert graded["marks_scored"] == graded["max_marks"] == 5.0
        assert json.loads(graded["sectional_scores"])[0]["sectionName"] == "Aptitude"
        tries = recorded_tries(sim, "/sandbox/notifications", "notifications", 3)
        assert [(n["event"], n["attempt"], n["status"]) for n in tries] == [
            ("finishTest", 1, 500),
            ("finishTest", 2, 200),
            ("gradedAssessment", 1, 200),
        ]

    def test_results_after_the_browser_finished(self, sim: ServedApp) -> None:
        (entry,) = register(sim, "ada@example.org")
        finish_in_browser(entry["url"], {"q0": "1"})

        page = call(sim, "GET", CANDIDATES)

        (result,) = load_candidates(page)
        assert result.status is ResultStatus.COMPLETED
        assert (result.score, result.max_score) == (1, 5)
        assert [s.title for s in result.sections] == ["Aptitude", "Verbal"]
        assert result.finished_at is not None and result.started_at is not None

    def test_a_finished_link_cannot_be_taken_again(self, sim: ServedApp) -> None:
        (entry,) = register(sim, "ada@example.org")
        finish_in_browser(entry["url"], {})

        again = requests.get(entry["url"], timeout=5)

        assert "already taken" in again.text

    def test_unknown_link(self, sim: ServedApp) -> None:
        assert requests.get(f"{sim.url}/authenticateKey/nope", timeout=5).status_code == 404

    def test_expired_link_cannot_start(self, sim: ServedApp, clock: Clock) -> None:
        (entry,) = register(sim, "ada@example.org", timeLimitInSec="60")
        clock.now += 120

        started = requests.post(f"{entry['url']}/start", timeout=5)

        assert started.status_code == 400 and "expired" in started.text

    def test_candidate_pages_are_never_failed(self, sim: ServedApp) -> None:
        (entry,) = register(sim, "ada@example.org")
        call_control(sim, "PUT", "/sandbox/faults", error_rate=1.0, seed=3)

        assert requests.get(entry["url"], timeout=5).status_code == 200
        assert requests.get(signed(sim, "GET", "/v2/account"), timeout=5).status_code >= 500


class TestControl:
    def test_grading_later(self, sim: ServedApp, receiver: Receiver) -> None:
        register(sim, "ada@example.org")
        ref = f"{KEY}/ada@example.org"

        pending = call_control(
            sim, "POST", f"/sandbox/attempts/{ref}/complete", percent=50, graded=False
        ).json()
        graded = call_control(sim, "POST", f"/sandbox/attempts/{ref}/grade").json()

        assert pending["testStatus"]["status"] == "InProcessing"
        assert graded["testStatus"]["status"] == "Completed"
        assert [b["EVENT_TYPE"] for b in payloads(receiver.wait_ok(2))] == [
            "finishTest",
            "gradedAssessment",
        ]

    def test_completion_mode(self, sim: ServedApp) -> None:
        register(sim, "ada@example.org")

        done = call_control(
            sim,
            "POST",
            f"/sandbox/attempts/{KEY}/ada@example.org/complete",
            completionMode="ProctoredFinish",
        ).json()

        assert done["testStatus"]["overallStatus"] == "Test Stopped"
        assert done["testStatus"]["completionMode"] == "ProctoredFinish"

    def test_bulk(self, sim: ServedApp) -> None:
        made = call_control(
            sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=250, completed_ratio=0.4
        )

        page = call(sim, "GET", CANDIDATES, {"limit": "100", "sort": "name", "sort_order": "asc"})

        assert made.status_code == 201 and made.json()["candidateCount"] == 250
        results = load_candidates(page)
        assert len(results) == 100
        statuses = {r.status for r in results}
        assert statuses <= {ResultStatus.COMPLETED, ResultStatus.NOT_STARTED}

    @pytest.mark.parametrize(
        "body", [{"count": 0}, {"count": "5"}, {"count": 5, "completed_ratio": 2}]
    )
    def test_bulk_validation(self, sim: ServedApp, body: dict[str, t.Any]) -> None:
        assert (
            call_control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", **body).status_code == 400
        )

    def test_duplicate_schedule_key(self, sim: ServedApp) -> None:
        assert call_control(sim, "POST", "/sandbox/schedules", accessKey=KEY).status_code == 400

    def test_unknown_attempt(self, sim: ServedApp) -> None:
        missing = call_control(sim, "POST", f"/sandbox/attempts/{KEY}/x@example.org/complete")

        assert missing.status_code == 404

    def test_rate_limit_fault_uses_mettl_body(self, sim: ServedApp) -> None:
        call_control(sim, "PUT", "/sandbox/faults", rate_limit_rate=1.0, retry_after=4, seed=1)

        limited = requests.get(signed(sim, "GET", "/v2/account"), timeout=5)

        assert limited.status_code == 429 and limited.headers["Retry-After"] == "4"
        assert limited.json()["error"]["code"] == "E509"
