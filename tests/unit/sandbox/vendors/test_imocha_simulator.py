"""The iMocha simulator is strict: it refuses what iMocha refuses, with iMocha's bodies."""

from __future__ import annotations

import typing as t
import urllib.parse

import pytest
import requests

from mappings.imocha import load_result
from mappings.result import ResultStatus
from plugin.sandbox.browser import parse_forms
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.imocha import create_imocha_app
from tests.unit.vendors.helpers import Receiver
from tests.unit.vendors.helpers import call_control
from tests.unit.vendors.helpers import payloads
from tests.unit.vendors.helpers import recorded_tries

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

API_KEY = "imocha-sandbox-key"
TEST_ID = 11223


@pytest.fixture
def sim() -> Iterator[ServedApp]:
    with serve_app(create_imocha_app(api_key=API_KEY)) as served:
        assert call_control(served, "POST", "/sandbox/tests", name="Python", testId=TEST_ID).ok
        yield served


def api(
    sim: ServedApp, method: str, path: str, *, key: str = API_KEY, **options: t.Any
) -> requests.Response:
    return requests.request(
        method, f"{sim.url}{path}", headers={"X-API-KEY": key}, timeout=5, **options
    )


def invite(sim: ServedApp, email: str = "ada@example.org", **body: t.Any) -> dict[str, t.Any]:
    response = api(
        sim, "POST", f"/v3/tests/{TEST_ID}/invite", json={"email": email, "name": "Ada", **body}
    )
    assert response.status_code == 200, response.text
    return t.cast("dict[str, t.Any]", response.json())


class TestAuthentication:
    @pytest.mark.parametrize("key", ["", "wrong", API_KEY.upper()])
    def test_wrong_or_missing_key(self, sim: ServedApp, key: str) -> None:
        refused = api(sim, "GET", "/v3/tests", key=key)

        assert refused.status_code == 401
        assert refused.json() == {
            "result": None,
            "errors": ["API key not valid or Subscription expired or not found"],
        }

    def test_every_api_route_needs_the_key(self, sim: ServedApp) -> None:
        for method, path in [
            ("POST", f"/v3/tests/{TEST_ID}/invite"),
            ("GET", "/v3/reports/1"),
            ("POST", "/v3/callbacks/process"),
            ("POST", "/v3/invitations/1/cancel"),
        ]:
            assert api(sim, method, path, key="wrong").status_code == 401


class TestLimits:
    @pytest.mark.parametrize("query", ["pageSize=101", "pageSize=0", "pageNo=0", "pageNo=x"])
    def test_tests_paging_out_of_range(self, sim: ServedApp, query: str) -> None:
        refused = api(sim, "GET", f"/v3/tests?{query}")

        assert refused.status_code == 400 and refused.json()["result"] is None

    def test_more_than_100_callback_ids(self, sim: ServedApp) -> None:
        refused = api(
            sim, "POST", "/v3/callbacks/process", json={"testinvitationIds": list(range(101))}
        )

        assert refused.status_code == 400 and "100" in refused.json()["errors"][0]

    def test_callbacks_of_foreign_ids_use_401(self, sim: ServedApp) -> None:
        refused = api(sim, "POST", "/v3/callbacks/process", json={"testinvitationIds": [94761]})

        assert refused.status_code == 401
        assert refused.json()["errors"] == [
            "testinvitationIds does not belong to account or not found",
            "94761",
        ]

    @pytest.mark.parametrize(
        ("query", "body"),
        [
            (
                "state=pending",
                {"StartDateTime": "2020-03-20T16:00:00Z", "EndDateTime": "2020-06-20T16:00:00Z"},
            ),
            ("state=completed", {"StartDateTime": "2020-03-20", "EndDateTime": "2020-06-20"}),
            (
                "state=completed",
                {"StartDateTime": "2020-06-20T16:00:00Z", "EndDateTime": "2020-03-20T16:00:00Z"},
            ),
        ],
    )
    def test_retrieve_invites_validation(
        self, sim: ServedApp, query: str, body: dict[str, str]
    ) -> None:
        refused = api(sim, "POST", f"/v3/candidates/testattempts?{query}", json=body)

        assert refused.status_code == 400

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "Ada"},
            {"email": "ada@example.org"},
            {"email": "ada@example.org", "name": "Ada", "callbackUrl": "ftp://x"},
        ],
    )
    def test_invite_validation(self, sim: ServedApp, body: dict[str, str]) -> None:
        assert api(sim, "POST", f"/v3/tests/{TEST_ID}/invite", json=body).status_code == 400

    def test_report_type_out_of_range(self, sim: ServedApp) -> None:
        invitation = invite(sim)

        refused = api(sim, "GET", f"/v3/reports/{invitation['testInvitationId']}?reportType=4")

        assert refused.status_code == 400

    def test_unknown_ids(self, sim: ServedApp) -> None:
        assert api(sim, "GET", "/v3/reports/1").status_code == 404
        assert (
            api(
                sim, "POST", "/v3/tests/1/invite", json={"email": "a@b.org", "name": "A"}
            ).status_code
            == 404
        )
        assert api(sim, "POST", "/v3/invitations/1/reattempt", json={}).status_code == 404


class TestInvitationRules:
    def test_reinviting_reopens_a_cancelled_invitation(self, sim: ServedApp) -> None:
        first = invite(sim)
        api(sim, "POST", f"/v3/invitations/{first['testInvitationId']}/cancel")

        again = invite(sim, callbackUrl="https://bridge.example/cb")

        assert again["testInvitationId"] == first["testInvitationId"]
        assert again["status"] == "Pending"

    def test_reinviting_after_completion_returns_the_finished_invitation(
        self, sim: ServedApp
    ) -> None:
        first = invite(sim)
        call_control(sim, "POST", f"/sandbox/attempts/{first['testInvitationId']}/complete")

        again = invite(sim)

        assert (again["testInvitationId"], again["status"]) == (
            first["testInvitationId"],
            "Complete",
        )

    def test_cancel_refusal_uses_the_status_code_body(self, sim: ServedApp) -> None:
        first = invite(sim)
        call_control(sim, "POST", f"/sandbox/attempts/{first['testInvitationId']}/start")

        refused = api(sim, "POST", f"/v3/invitations/{first['testInvitationId']}/cancel")

        assert refused.status_code == 400
        assert refused.json()["statusCode"] == 400
        assert "can not be cancelled" in refused.json()["message"]

    def test_expired_invitation_is_reset_by_reattempt(self, sim: ServedApp) -> None:
        first = invite(sim)
        call_control(sim, "POST", f"/sandbox/attempts/{first['testInvitationId']}/expire")

        again = api(sim, "POST", f"/v3/invitations/{first['testInvitationId']}/reattempt", json={})

        assert again.json()["testInvitationId"] == first["testInvitationId"]
        assert invite(sim)["status"] == "Pending"


def take_test(url: str, answers: dict[str, str], leave: bool = False) -> requests.Response:
    browser = requests.Session()
    (start_form,), _ = parse_forms(browser.get(url, timeout=5).text)
    page = browser.post(
        urllib.parse.urljoin(url, start_form.action), data=dict(start_form.fields), timeout=5
    )
    submit_form, leave_form = parse_forms(page.text)[0]
    form = leave_form if leave else submit_form
    return browser.post(
        urllib.parse.urljoin(url, form.action),
        data={**dict(form.fields), **answers},
        allow_redirects=False,
        timeout=5,
    )


class TestCandidateFlow:
    def test_callbacks_at_start_and_end_with_five_retries(self, sim: ServedApp) -> None:
        receiver = Receiver(failures=6)
        try:
            invitation = invite(sim, callbackUrl=receiver.url, redirectUrl="https://lms.example/r")

            finished = take_test(invitation["testUrl"], {"q0": "1", "q1": "1", "q2": "0"})

            bodies = payloads(receiver.wait_for(7))
        finally:
            receiver.served.shutdown()
        assert finished.headers["Location"] == "https://lms.example/r"
        assert [b["Status"] for b in bodies] == ["In Progress"] * 6 + ["Complete"]
        assert bodies[-1]["CandidateScore"] == 4.0 and bodies[-1]["TotalScore"] == 5.0
        tries = recorded_tries(sim, "/sandbox/callbacks", "callbacks", 7)
        assert [(c["status_sent"], c["attempt"]) for c in tries] == [
            *(("In Progress", n) for n in range(1, 7)),
            ("Complete", 1),
        ]

    def test_leaving_the_test(self, sim: ServedApp) -> None:
        invitation = invite(sim)

        take_test(invitation["testUrl"], {}, leave=True)

        report = api(sim, "GET", f"/v3/reports/{invitation['testInvitationId']}?reportType=3")
        result = load_result(report.json())
        assert report.json()["status"] == "Test Left"
        assert result.status is ResultStatus.COMPLETED and result.completion_mode == "Test Left"

    def test_finished_link_shows_already_attempted(self, sim: ServedApp) -> None:
        invitation = invite(sim)
        take_test(invitation["testUrl"], {})

        assert "already attempted" in requests.get(invitation["testUrl"], timeout=5).text

    def test_process_callbacks_replays(self, sim: ServedApp) -> None:
        receiver = Receiver(failures=0)
        try:
            invitation = invite(sim, callbackUrl=receiver.url)
            call_control(
                sim,
                "POST",
                f"/sandbox/attempts/{invitation['testInvitationId']}/complete",
                percent=100,
            )
            receiver.wait_for(2)

            replay = api(
                sim,
                "POST",
                "/v3/callbacks/process",
                json={"testinvitationIds": [invitation["testInvitationId"]]},
            )

            bodies = payloads(receiver.wait_for(3))
        finally:
            receiver.served.shutdown()
        assert replay.json()["result"]["testinvitationIds"]["successful"] == [
            invitation["testInvitationId"]
        ]
        assert bodies[-1]["Status"] == "Complete" and bodies[-1]["CandidateScore"] == 5.0

    def test_candidate_pages_are_never_failed(self, sim: ServedApp) -> None:
        invitation = invite(sim)
        call_control(sim, "PUT", "/sandbox/faults", error_rate=1.0, seed=2)

        assert requests.get(invitation["testUrl"], timeout=5).status_code == 200
        assert api(sim, "GET", "/v3/tests").status_code >= 500

    def test_rate_limit_fault_body(self, sim: ServedApp) -> None:
        call_control(sim, "PUT", "/sandbox/faults", rate_limit_rate=1.0, retry_after=5, seed=2)

        limited = api(sim, "GET", "/v3/tests")

        assert limited.status_code == 429 and limited.headers["Retry-After"] == "5"
        assert limited.json()["result"] is None and limited.json()["errors"]

    def test_unknown_link(self, sim: ServedApp) -> None:
        assert requests.get(f"{sim.url}/IMInstructions?token=nope", timeout=5).status_code == 404


class TestControl:
    def test_complete_validation(self, sim: ServedApp) -> None:
        invitation = invite(sim)
        path = f"/sandbox/attempts/{invitation['testInvitationId']}/complete"

        assert call_control(sim, "POST", path, percent=101).status_code == 400
        assert call_control(sim, "POST", path, status="Pending").status_code == 400
        assert call_control(sim, "POST", "/sandbox/attempts/1/complete").status_code == 404

    def test_custom_sections(self, sim: ServedApp) -> None:
        made = call_control(
            sim,
            "POST",
            "/sandbox/tests",
            name="Tiny",
            sections=[
                {
                    "name": "Only",
                    "questions": [{"text": "1+1?", "choices": ["1", "2"], "answer": 1}],
                }
            ],
        )

        assert made.status_code == 201 and made.json()["noOfQuestions"] == 1
        assert (
            call_control(sim, "POST", "/sandbox/tests", sections=[{"name": "x"}]).status_code == 400
        )
        assert call_control(sim, "POST", "/sandbox/tests", testId=TEST_ID).status_code == 400

    def test_default_callback_url(self, sim: ServedApp) -> None:
        receiver = Receiver(failures=0)
        try:
            call_control(sim, "PUT", "/sandbox/callback-url", url=receiver.url)
            invitation = invite(sim)
            call_control(sim, "POST", f"/sandbox/attempts/{invitation['testInvitationId']}/start")

            (body,) = payloads(receiver.wait_for(1))
        finally:
            receiver.served.shutdown()
        assert body["TestInvitationId"] == invitation["testInvitationId"]
