"""iMocha settings, error table and client against the simulator over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import logging
import typing as t

import pytest
import requests

from lti.http import TimeoutSession
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.imocha import create_imocha_app
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import RateLimitedError
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.imocha import IMochaClient
from plugin.vendors.imocha import IMochaConfig
from plugin.vendors.imocha import error_for
from tests.unit.vendors.helpers import control

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

API_KEY = "imocha-sandbox-key"
TEST_ID = 11223
ACTION = "GET /v3/tests"


@pytest.fixture
def sim() -> Iterator[ServedApp]:
    with serve_app(create_imocha_app(api_key=API_KEY)) as served:
        control(served, "POST", "/sandbox/tests", name="Python", testId=TEST_ID)
        yield served


def make_client(sim: ServedApp, *, read_timeout: float = 3.0, **settings: str) -> IMochaClient:
    values = {"api_key": API_KEY, "base_url": sim.url, **settings}
    session = TimeoutSession(retries=0, read_timeout=read_timeout)
    return IMochaClient(IMochaConfig.from_mapping(values), session=session)


@pytest.fixture
def client(sim: ServedApp) -> IMochaClient:
    return make_client(sim)


def invite(client: IMochaClient, email: str = "ada@example.org", **options: t.Any) -> dict:
    return client.invite(str(TEST_ID), email=email, name="Ada Lovelace", **options)


def set_faults(sim: ServedApp, **plan: t.Any) -> None:
    control(sim, "PUT", "/sandbox/faults", **{"seed": 1, "retry_after": 0, **plan})


class TestConfig:
    def test_defaults(self) -> None:
        config = IMochaConfig.from_mapping({"api_key": " key "})

        assert (config.api_key, config.base_url) == ("key", "https://apiv3.imocha.io")
        assert (config.report_type, config.reconcile_window_hours) == (3, 72)
        assert frozenset({"api_key"}) == IMochaConfig.SECRET_FIELDS

    def test_numbers_from_strings(self) -> None:
        config = IMochaConfig.from_mapping(
            {"api_key": "k", "report_type": "2", "reconcile_window_hours": "24"}
        )

        assert (config.report_type, config.reconcile_window_hours) == (2, 24)

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({}, "api_key"),
            ({"api_key": "k", "base_url": "apiv3.imocha.io"}, "base_url"),
            ({"api_key": "k", "report_type": "4"}, "report_type"),
            ({"api_key": "k", "report_type": "two"}, "report_type"),
            ({"api_key": "k", "reconcile_window_hours": "0"}, "reconcile_window_hours"),
            ({"api_key": "k", "secret": "x"}, "secret"),
        ],
    )
    def test_invalid_settings_name_the_field(self, values: dict[str, str], field: str) -> None:
        with pytest.raises(ValueError, match=field):
            IMochaConfig.from_mapping(values)


def answer(status: int, body: t.Any, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


class TestErrorTable:
    @pytest.mark.parametrize(
        ("status", "body", "expected", "words"),
        [
            (400, {"result": None, "errors": ["email is required"]}, VendorRefusedError, "email"),
            (
                400,
                {"statusCode": 400, "message": "cannot be cancelled"},
                VendorRefusedError,
                "cancel",
            ),
            (401, {"result": None, "errors": ["API key not valid"]}, AuthError, "api_key"),
            (
                401,
                {"result": None, "errors": ["does not belong to account or not found", "9"]},
                NotFoundError,
                "invitation ids",
            ),
            (403, {"statuscode": "403.4", "description": "Operation"}, AuthError, "Operation"),
            (404, {"errors": ["Test not found"]}, NotFoundError, "Test not found"),
            (409, {}, TransientError, "conflict"),
            (429, {}, RateLimitedError, "rate limit"),
            (500, b"<html>", TransientError, "failed"),
            (418, {}, VendorRefusedError, "refused"),
        ],
    )
    def test_statuses_and_body_shapes(
        self, status: int, body: t.Any, expected: type[Exception], words: str
    ) -> None:
        error = error_for(answer(status, body), action=ACTION)

        assert type(error) is expected
        assert words in str(error)

    def test_rate_limit_reads_retry_after(self) -> None:
        error = error_for(answer(429, {}, {"Retry-After": "12"}), action=ACTION)

        assert isinstance(error, RateLimitedError) and error.retry_after == 12.0

    def test_message_names_the_action(self) -> None:
        assert str(error_for(answer(404, {}), action=ACTION)).startswith(f"imocha: {ACTION}: ")


class TestAuthentication:
    def test_wrong_key(self, sim: ServedApp, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.DEBUG)

        with pytest.raises(AuthError, match="API key not valid") as caught:
            make_client(sim, api_key="stolen-or-typo").list_tests()

        assert "stolen-or-typo" not in str(caught.value)
        assert "stolen-or-typo" not in caplog.text


class TestTests:
    def test_listing(self, client: IMochaClient) -> None:
        page = client.list_tests()

        assert page.total == 1
        assert page.tests[0]["testName"] == "Python"

    def test_page_size_out_of_range_is_refused_locally(self, client: IMochaClient) -> None:
        with pytest.raises(ValueError, match="page_size"):
            client.list_tests(page_size=101)


class TestInvite:
    def test_invitation_with_test_url(self, client: IMochaClient) -> None:
        invitation = invite(client, callback_url="https://bridge.example/cb")

        assert invitation["status"] == "Pending"
        assert "/IMInstructions?token=" in invitation["testUrl"]

    def test_same_email_same_invitation(self, client: IMochaClient) -> None:
        first, again = invite(client), invite(client, email="ADA@example.org")

        assert again["testInvitationId"] == first["testInvitationId"]
        assert (
            invite(client, email="bob@example.org")["testInvitationId"] != first["testInvitationId"]
        )

    def test_unknown_test(self, client: IMochaClient) -> None:
        with pytest.raises(NotFoundError, match="not found"):
            client.invite("999", email="a@example.org", name="A")

    def test_invalid_email(self, client: IMochaClient) -> None:
        with pytest.raises(VendorRefusedError, match="email"):
            invite(client, email="not-an-email")

    def test_non_numeric_test_id_is_refused_locally(self, client: IMochaClient) -> None:
        with pytest.raises(ValueError, match="number"):
            client.invite("abc", email="a@example.org", name="A")


class TestReports:
    @pytest.mark.parametrize("report_type", [1, 2, 3])
    def test_report_types(self, sim: ServedApp, client: IMochaClient, report_type: int) -> None:
        invitation_id = invite(client)["testInvitationId"]
        control(sim, "POST", f"/sandbox/attempts/{invitation_id}/complete", percent=50)

        report = client.report(invitation_id, report_type=report_type)

        assert report["status"] == "Complete" and report["candidatePoints"] > 0
        assert ("sections" in report) is (report_type != 2)
        assert ("skills" in report) is (report_type == 2)
        if report_type == 3:
            assert report["sections"][0]["Skills"][0]["qbName"] == "Python Basics"

    def test_invalid_report_type(self, client: IMochaClient) -> None:
        invitation_id = invite(client)["testInvitationId"]

        with pytest.raises(VendorRefusedError, match="reportType"):
            client.report(invitation_id, report_type=4)

    def test_unknown_invitation(self, client: IMochaClient) -> None:
        with pytest.raises(NotFoundError):
            client.report(1)


class TestCallbacksAndAttempts:
    def test_process_callbacks(self, sim: ServedApp, client: IMochaClient) -> None:
        done = invite(client, callback_url="http://127.0.0.1:9/cb")["testInvitationId"]
        pending = invite(client, email="bob@example.org")["testInvitationId"]
        control(sim, "POST", f"/sandbox/attempts/{done}/complete")

        body = client.process_callbacks([done, pending])

        assert body["result"]["testinvitationIds"] == {"successful": [done], "failed": [pending]}

    def test_process_callbacks_of_unknown_ids(self, client: IMochaClient) -> None:
        with pytest.raises(NotFoundError, match="does not belong"):
            client.process_callbacks([94761])

    def test_process_callbacks_limit(self, client: IMochaClient) -> None:
        with pytest.raises(ValueError, match="100"):
            client.process_callbacks(list(range(101)))

    def test_retrieve_invites_by_state(self, sim: ServedApp, client: IMochaClient) -> None:
        done = invite(client)["testInvitationId"]
        gone = invite(client, email="bob@example.org")["testInvitationId"]
        control(sim, "POST", f"/sandbox/attempts/{done}/complete", status="Test Left")
        client.cancel(gone)
        now = dt.datetime.now(dt.UTC)
        window = {"start": now - dt.timedelta(hours=1), "end": now + dt.timedelta(minutes=1)}

        completed = client.test_attempts("completed", **window)
        cancelled = client.test_attempts("cancelled", **window)
        earlier = client.test_attempts(
            "completed", start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=1)
        )

        assert [(a["testInvitationId"], a["testStatus"]) for a in completed] == [(done, "Testleft")]
        assert [a["testInvitationId"] for a in cancelled] == [gone]
        assert earlier == []

    def test_unknown_state_is_refused_locally(self, client: IMochaClient) -> None:
        now = dt.datetime.now(dt.UTC)
        with pytest.raises(ValueError, match="state"):
            client.test_attempts("pending", start=now, end=now)

    def test_inverted_window_is_refused(self, client: IMochaClient) -> None:
        now = dt.datetime.now(dt.UTC)
        with pytest.raises(VendorRefusedError, match="EndDateTime"):
            client.test_attempts("completed", start=now, end=now - dt.timedelta(hours=1))


class TestAdminActions:
    def test_reattempt_after_completion_gives_a_new_invitation(
        self, sim: ServedApp, client: IMochaClient
    ) -> None:
        first = invite(client, callback_url="http://127.0.0.1:9/cb")
        control(sim, "POST", f"/sandbox/attempts/{first['testInvitationId']}/complete")

        fresh = client.reattempt(first["testInvitationId"])
        again = client.reattempt(first["testInvitationId"])

        assert fresh["testInvitationId"] != first["testInvitationId"]
        assert fresh["testUrl"] != first["testUrl"]
        assert fresh["callbackUrlRegistered"] is True
        assert again["testInvitationId"] == fresh["testInvitationId"]

    def test_reattempt_in_progress_is_refused(self, sim: ServedApp, client: IMochaClient) -> None:
        invitation_id = invite(client)["testInvitationId"]
        control(sim, "POST", f"/sandbox/attempts/{invitation_id}/start")

        with pytest.raises(VendorRefusedError, match="inprogress"):
            client.reattempt(invitation_id)

    def test_reattempt_of_pending_returns_it(self, client: IMochaClient) -> None:
        invitation_id = invite(client)["testInvitationId"]

        assert client.reattempt(invitation_id)["testInvitationId"] == invitation_id

    def test_cancel_pending(self, client: IMochaClient) -> None:
        invitation_id = invite(client)["testInvitationId"]

        assert client.cancel(invitation_id) == {
            "testInvitationId": invitation_id,
            "status": "cancelled",
        }

    def test_cancel_complete_is_refused(self, sim: ServedApp, client: IMochaClient) -> None:
        invitation_id = invite(client)["testInvitationId"]
        control(sim, "POST", f"/sandbox/attempts/{invitation_id}/complete")

        with pytest.raises(VendorRefusedError, match="can not be cancelled"):
            client.cancel(invitation_id)

    def test_cancel_unknown(self, client: IMochaClient) -> None:
        with pytest.raises(NotFoundError):
            client.cancel(42)


class TestFaults:
    def test_rate_limit(self, sim: ServedApp, client: IMochaClient) -> None:
        set_faults(sim, rate_limit_rate=1.0, retry_after=2)

        with pytest.raises(RateLimitedError) as caught:
            client.list_tests()

        assert caught.value.retry_after == 2.0

    def test_server_error(self, sim: ServedApp, client: IMochaClient) -> None:
        set_faults(sim, error_rate=1.0)

        with pytest.raises(TransientError):
            client.list_tests()

    @pytest.mark.parametrize("fault", ["malformed_rate", "truncated_rate"])
    def test_unparseable_bodies(self, sim: ServedApp, client: IMochaClient, fault: str) -> None:
        set_faults(sim, **{fault: 1.0})

        with pytest.raises(InvalidResponseError):
            client.list_tests()

    def test_slow_answer_times_out(self, sim: ServedApp) -> None:
        set_faults(sim, slow_rate=1.0, slow_ms=800)

        with pytest.raises(TransientError, match="/v3/tests"):
            make_client(sim, read_timeout=0.2).list_tests()
