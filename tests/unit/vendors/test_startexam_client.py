"""StartExam settings and client against the simulator over real HTTP."""

from __future__ import annotations

import time
import typing as t

import pytest
import requests
from flask import Flask

from lti.http import TimeoutSession
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.startexam import create_startexam_app
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import RateLimitedError
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.startexam import StartExamClient
from plugin.vendors.startexam import StartExamConfig
from plugin.vendors.startexam import error_for

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

ACCOUNT = "1234"
SECRET = "sandbox-secret-key"
SINCE = "2000-01-01T00:00:00Z"
PERSON = {"First Name": "Ada", "Last Name": "Lovelace", "Email": "ada@example.org"}


@pytest.fixture
def sim() -> Iterator[ServedApp]:
    with serve_app(create_startexam_app(account_id=ACCOUNT, secret_key=SECRET)) as served:
        yield served


def make_client(
    sim: ServedApp,
    *,
    read_timeout: float = 3.0,
    clock: t.Callable[[], float] = time.time,
    **settings: str,
) -> StartExamClient:
    values = {
        "account_id": ACCOUNT,
        "secret_key": SECRET,
        "center": "sandbox",
        "base_url": sim.url,
        **settings,
    }
    session = TimeoutSession(retries=0, read_timeout=read_timeout)
    return StartExamClient(StartExamConfig.from_mapping(values), session=session, clock=clock)


@pytest.fixture
def client(sim: ServedApp) -> StartExamClient:
    return make_client(sim)


def create_test(sim: ServedApp, **fields: t.Any) -> dict[str, t.Any]:
    response = requests.post(f"{sim.url}/sandbox/tests", json=fields, timeout=5)
    assert response.status_code == 201
    return t.cast("dict[str, t.Any]", response.json())


def set_faults(sim: ServedApp, **plan: t.Any) -> None:
    response = requests.put(f"{sim.url}/sandbox/faults", json={"seed": 1, **plan}, timeout=5)
    assert response.status_code == 200, response.text


def register(client: StartExamClient, test_id: str, count: int = 1) -> list[str]:
    return client.register_participants(
        tests=[test_id],
        participants=[PERSON] * count,
        valid_from="2020-01-01T00:00:00Z",
        valid_till="2099-01-01T00:00:00Z",
    )


class TestConfig:
    def test_defaults_are_the_production_values(self) -> None:
        config = StartExamConfig.from_mapping(
            {"account_id": "99", "secret_key": "k", "center": "acme", "base_url": ""}
        )
        assert config.base_url == "https://api.startexam.com"
        assert config.candidate_url("p-1") == "https://go.startexam.com/acme#participant/p-1"
        secret_fields = StartExamConfig.SECRET_FIELDS
        assert secret_fields == {"secret_key"}

    def test_secret_is_not_in_repr(self) -> None:
        config = StartExamConfig.from_mapping(
            {"account_id": "99", "secret_key": "hush-hush", "center": "acme"}
        )
        assert "hush-hush" not in repr(config)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"account_id": ""}, "account_id"),
            ({"account_id": "abc"}, "account_id"),
            ({"secret_key": None}, "secret_key"),
            ({"center": "a/b"}, "center"),
            ({"base_url": "ftp://x"}, "base_url"),
            ({"candidate_url_template": "https://x/{center}"}, "candidate_url_template"),
            (
                {"candidate_url_template": "https://x/{participant_id}/{user}"},
                "candidate_url_template",
            ),
            ({"candidate_url_template": "https://x/{participant_id"}, "candidate_url_template"),
            ({"key_encoding": "hex"}, "key_encoding"),
            ({"key_encoding": "base64", "secret_key": "not base64!"}, "base64"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_invalid_settings_name_the_field(self, change: dict[str, t.Any], field: str) -> None:
        values = {"account_id": "99", "secret_key": "k", "center": "acme", **change}
        with pytest.raises(ValueError, match=field):
            StartExamConfig.from_mapping(values)


class TestEndpoints:
    def test_list_tests_with_filters(self, sim: ServedApp, client: StartExamClient) -> None:
        active = create_test(sim, title="Algebra", time="01:30:00")
        create_test(sim, title="Old", status="archive")
        assert [test["testId"] for test in client.list_tests(status="active")] == [active["testId"]]
        assert len(client.list_tests()) == 2
        assert client.list_tests(kind="survey") == []

    def test_register_and_read_a_session(self, sim: ServedApp, client: StartExamClient) -> None:
        test = create_test(sim)
        (participant_id,) = register(client, test["testId"])
        report = client.get_session(participant_id)
        assert report["participantId"] == participant_id
        assert report["isFinished"] is False
        assert {"name": "Email", "value": "ada@example.org"} in report["participantData"]

    def test_register_many_returns_ids_in_order(
        self, sim: ServedApp, client: StartExamClient
    ) -> None:
        ids = register(client, create_test(sim)["testId"], count=3)
        assert len(set(ids)) == 3

    @pytest.mark.parametrize(("tests", "people"), [(0, 1), (11, 1), (1, 0), (1, 1001)])
    def test_batch_limits_are_checked_before_sending(
        self, client: StartExamClient, tests: int, people: int
    ) -> None:
        with pytest.raises(ValueError, match="registration"):
            client.register_participants(
                tests=["t"] * tests,
                participants=[PERSON] * people,
                valid_from="2020-01-01T00:00:00Z",
                valid_till="2099-01-01T00:00:00Z",
            )

    def test_unknown_test_is_not_found(self, client: StartExamClient) -> None:
        with pytest.raises(NotFoundError, match="not found") as caught:
            register(client, "00000000-0000-0000-0000-000000000000")
        assert caught.value.status == 404
        assert "POST /v2/participants" in str(caught.value)

    def test_unknown_participant_is_not_found(self, client: StartExamClient) -> None:
        with pytest.raises(NotFoundError):
            client.get_session("00000000-0000-0000-0000-000000000000")

    def test_malformed_participant_id_is_refused(self, client: StartExamClient) -> None:
        with pytest.raises(VendorRefusedError, match="GUID") as caught:
            client.get_session("not-a-guid")
        assert caught.value.status == 400

    def test_wrong_center_is_not_found(self, sim: ServedApp) -> None:
        with pytest.raises(NotFoundError, match="Center"):
            make_client(sim, center="elsewhere").list_sessions(modified_since=SINCE)

    def test_future_modified_since_is_refused(self, client: StartExamClient) -> None:
        with pytest.raises(VendorRefusedError, match="future"):
            client.list_sessions(modified_since="2999-01-01T00:00:00Z")


class TestPaging:
    @pytest.fixture
    def five(self, sim: ServedApp, client: StartExamClient) -> list[str]:
        requests.put(f"{sim.url}/sandbox/settings", json={"pageSize": 2}, timeout=5)
        return register(client, create_test(sim)["testId"], count=5)

    def test_pages_to_the_end(self, client: StartExamClient, five: list[str]) -> None:
        seen, token, pages = [], None, 0
        while True:
            page = client.list_sessions(modified_since=SINCE, continuation_token=token)
            pages += 1
            seen += [session["participantId"] for session in page["sessions"]]
            token = page.get("continuationToken")
            if not token:
                break
        assert pages == 3
        assert sorted(seen) == sorted(five)
        assert "modifiedUntil" in page
        after = client.list_sessions(modified_since=page["modifiedUntil"])
        assert after["sessions"] == []
        assert after["modifiedUntil"]

    def test_a_token_is_single_use(self, client: StartExamClient, five: list[str]) -> None:
        token = client.list_sessions(modified_since=SINCE)["continuationToken"]
        client.list_sessions(modified_since=SINCE, continuation_token=token)
        with pytest.raises(VendorRefusedError, match="continuationToken"):
            client.list_sessions(modified_since=SINCE, continuation_token=token)

    def test_an_expired_token_is_refused(
        self, sim: ServedApp, client: StartExamClient, five: list[str]
    ) -> None:
        token = client.list_sessions(modified_since=SINCE)["continuationToken"]
        requests.post(f"{sim.url}/sandbox/continuation-tokens/expire", timeout=5)
        with pytest.raises(VendorRefusedError, match="invalid or expired"):
            client.list_sessions(modified_since=SINCE, continuation_token=token)

    def test_a_token_needs_the_original_filter(
        self, client: StartExamClient, five: list[str]
    ) -> None:
        token = client.list_sessions(modified_since=SINCE)["continuationToken"]
        with pytest.raises(VendorRefusedError):
            client.list_sessions(modified_since="2001-01-01T00:00:00Z", continuation_token=token)


class TestAuthentication:
    def test_wrong_secret_is_an_auth_error_without_the_secret(self, sim: ServedApp) -> None:
        with pytest.raises(AuthError, match="secret key") as caught:
            make_client(sim, secret_key="wrong-secret-value").list_tests()
        assert caught.value.status == 403
        assert "wrong-secret-value" not in str(caught.value)
        assert "Authorization" in caught.value.message

    def test_wrong_account_is_refused(self, sim: ServedApp) -> None:
        with pytest.raises(AuthError):
            make_client(sim, account_id="999").list_tests()

    def test_stale_date_is_refused(self, sim: ServedApp) -> None:
        stale = make_client(sim, clock=lambda: time.time() - 16 * 60)
        with pytest.raises(AuthError, match="older than 15 minutes"):
            stale.list_tests()

    def test_date_in_the_future_is_refused(self, sim: ServedApp) -> None:
        ahead = make_client(sim, clock=lambda: time.time() + 16 * 60)
        with pytest.raises(AuthError, match="future"):
            ahead.list_tests()

    def test_base64_key_encoding_signs_with_decoded_bytes(self) -> None:
        app = create_startexam_app(account_id=ACCOUNT, secret_key="c2VjcmV0", key_encoding="base64")
        with serve_app(app) as served:
            assert (
                make_client(served, secret_key="c2VjcmV0", key_encoding="base64").list_tests() == []
            )
            with pytest.raises(AuthError):
                make_client(served, secret_key="c2VjcmV0").list_tests()


class TestFailures:
    def test_server_error(self, sim: ServedApp, client: StartExamClient) -> None:
        set_faults(sim, error_rate=1.0)
        with pytest.raises(TransientError, match="injected server error") as caught:
            client.list_tests()
        assert caught.value.status in (500, 503)
        assert caught.value.retryable
        assert caught.value.request_id

    def test_rate_limit_carries_retry_after(self, sim: ServedApp, client: StartExamClient) -> None:
        set_faults(sim, rate_limit_rate=1.0, retry_after=7)
        with pytest.raises(RateLimitedError) as caught:
            client.list_tests()
        assert caught.value.retry_after == 7.0

    @pytest.mark.parametrize("fault", ["malformed_rate", "truncated_rate"])
    def test_unparseable_body(self, sim: ServedApp, client: StartExamClient, fault: str) -> None:
        create_test(sim)
        set_faults(sim, **{fault: 1.0})
        with pytest.raises(InvalidResponseError):
            client.list_tests()

    def test_slow_answer_times_out(self, sim: ServedApp) -> None:
        set_faults(sim, slow_rate=1.0, slow_ms=1500)
        with pytest.raises(TransientError) as caught:
            make_client(sim, read_timeout=0.3).list_tests()
        assert caught.value.retryable

    def test_unreachable_server(self) -> None:
        with serve_app(create_startexam_app(account_id=ACCOUNT, secret_key=SECRET)) as served:
            config = make_client(served).config
        session = TimeoutSession(retries=0, connect_timeout=0.5, read_timeout=0.5)
        with pytest.raises(TransientError) as caught:
            StartExamClient(config, session=session).list_tests()
        assert caught.value.retryable and caught.value.status is None

    def test_unexpected_shape_is_invalid(self) -> None:
        impostor = Flask(__name__)
        impostor.add_url_rule("/v1/tests", "tests", lambda: {"tests": "none"})
        impostor.add_url_rule("/v2/session", "session", lambda: {"score": 1})
        impostor.add_url_rule("/v2/sessions", "sessions", lambda: {"sessions": []})
        impostor.add_url_rule(
            "/v2/participants", "register", lambda: {"participantIds": []}, methods=["POST"]
        )
        with serve_app(impostor) as served:
            client = make_client(served)
            with pytest.raises(InvalidResponseError, match="neither continuationToken"):
                client.list_sessions(modified_since=SINCE)
            with pytest.raises(InvalidResponseError, match="one id per participant"):
                register(client, "t")
            with pytest.raises(
                InvalidResponseError, match="a string under 'tests'; that is not the test"
            ):
                client.list_tests()
            with pytest.raises(InvalidResponseError, match="no participantId"):
                client.get_session("00000000-0000-0000-0000-000000000000")


def _response(status: int, body: bytes, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers)
    response.url = "https://api.startexam.com/v2/session?participantId=x"
    response.request = requests.Request("GET", response.url).prepare()
    return response


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, VendorRefusedError),
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (409, TransientError),
        (418, VendorRefusedError),
        (429, RateLimitedError),
        (500, TransientError),
        (503, TransientError),
    ],
)
def test_error_table(status: int, kind: type[Exception]) -> None:
    error = error_for(
        _response(status, b'{"message": "what went wrong"}', **{"X-Request-Id": "r1"}),
        action="GET /v2/session",
    )
    assert type(error) is kind
    assert "what went wrong" in str(error)
    assert "GET /v2/session" in str(error)
    assert error.request_id == "r1"


def test_error_without_json_body_uses_the_reason() -> None:
    response = _response(502, b"<html>bad gateway</html>")
    response.reason = "Bad Gateway"
    assert "Bad Gateway" in str(error_for(response, action="GET /v2/session"))
