"""Mettl settings, error table and client against the simulator over real HTTP."""

from __future__ import annotations

import json
import logging
import socket
import time
import typing as t

import pytest
import requests

from lti.http import TimeoutSession
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import RateLimitedError
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.mettl import MettlClient
from plugin.vendors.mettl import MettlConfig
from plugin.vendors.mettl import error_for
from plugin.vendors.mettl.errors import parsed_body
from plugin.vendors.mettl.errors import reports_error
from tests.unit.vendors.helpers import Clock
from tests.unit.vendors.helpers import control

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

PUBLIC = "pk-sandbox"
PRIVATE = "sk-sandbox-very-secret"
KEY = "sched1"
ACTION = "GET /v2/account"


@pytest.fixture
def sim_clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(sim_clock: Clock) -> Iterator[ServedApp]:
    app = create_mettl_app(public_key=PUBLIC, private_key=PRIVATE, clock=sim_clock)
    with serve_app(app) as served:
        control(served, "POST", "/sandbox/schedules", name="Java test", accessKey=KEY)
        yield served


def make_client(
    sim: ServedApp,
    *,
    read_timeout: float = 3.0,
    clock: t.Callable[[], float] = time.time,
    **settings: str,
) -> MettlClient:
    values = {"public_key": PUBLIC, "private_key": PRIVATE, "base_url": sim.url, **settings}
    session = TimeoutSession(retries=0, read_timeout=read_timeout)
    return MettlClient(MettlConfig.from_mapping(values), session=session, clock=clock)


@pytest.fixture
def client(sim: ServedApp) -> MettlClient:
    return make_client(sim)


def people(count: int, start: int = 0) -> list[dict[str, str]]:
    return [
        {"Email Address": f"p{n}@example.org", "First Name": f"Person {n:03d}"}
        for n in range(start, start + count)
    ]


def set_faults(sim: ServedApp, **plan: t.Any) -> None:
    control(sim, "PUT", "/sandbox/faults", **{"seed": 1, "retry_after": 0, **plan})


class TestConfig:
    def test_defaults_to_the_production_host(self) -> None:
        config = MettlConfig.from_mapping({"public_key": " pk ", "private_key": "sk"})

        assert config.base_url == "https://api.mettl.com"
        assert config.public_key == "pk"
        assert config.registration_link_field == "url"
        assert frozenset({"private_key"}) == MettlConfig.SECRET_FIELDS

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"private_key": "sk"}, "public_key"),
            ({"public_key": "pk", "private_key": " "}, "private_key"),
            ({"public_key": "pk", "private_key": "sk", "base_url": "ftp://x"}, "base_url"),
            ({"public_key": "pk", "private_key": "sk", "base_url": "https://x/?a=1"}, "base_url"),
            ({"public_key": "pk", "private_key": "sk", "region": "eu"}, "region"),
        ],
    )
    def test_invalid_settings_name_the_field(self, values: dict[str, str], field: str) -> None:
        with pytest.raises(ValueError, match=field):
            MettlConfig.from_mapping(values)

    def test_trailing_slash_is_dropped(self) -> None:
        values = {"public_key": "pk", "private_key": "sk", "base_url": "http://127.0.0.1:9/"}

        assert MettlConfig.from_mapping(values).base_url == "http://127.0.0.1:9"


def answer(status: int, body: t.Any, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def mettl_body(code: str) -> dict[str, t.Any]:
    return {"status": "ERROR", "error": {"code": code, "message": f"vendor says {code}"}}


class TestErrorTable:
    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            ("E400", VendorRefusedError),
            ("E401", AuthError),
            ("E403", AuthError),
            ("E404", NotFoundError),
            ("E405", VendorRefusedError),
            ("E408", TransientError),
            ("E422", AuthError),
            ("E503", TransientError),
            ("E504", AuthError),
            ("E509", RateLimitedError),
            ("E777", VendorRefusedError),
        ],
    )
    def test_every_code_in_a_200_body(self, code: str, expected: type[Exception]) -> None:
        error = error_for(answer(200, mettl_body(code)), action=ACTION)

        assert type(error) is expected
        assert code in str(error)
        assert f"vendor says {code}" in str(error)

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (400, VendorRefusedError),
            (401, AuthError),
            (403, AuthError),
            (404, NotFoundError),
            (429, RateLimitedError),
            (500, TransientError),
            (502, TransientError),
            (418, VendorRefusedError),
        ],
    )
    def test_bare_http_status(self, status: int, expected: type[Exception]) -> None:
        error = error_for(answer(status, b"<html>oops</html>"), action=ACTION)

        assert type(error) is expected
        assert error is not None and error.status == status

    def test_rate_limit_reads_retry_after(self) -> None:
        error = error_for(answer(429, mettl_body("E509"), {"Retry-After": "7"}), action=ACTION)

        assert isinstance(error, RateLimitedError)
        assert error.retry_after == 7.0

    @pytest.mark.parametrize(
        ("status", "body", "failed"),
        [
            (200, {"status": "SUCCESS"}, False),
            (200, mettl_body("E401"), True),
            (500, b"<html>oops</html>", True),
            (404, {"status": "SUCCESS"}, True),
        ],
    )
    def test_reports_error_reads_the_body_and_the_status(
        self, status: int, body: t.Any, failed: bool
    ) -> None:
        response = answer(status, body)

        assert reports_error(response, parsed_body(response)) is failed

    def test_message_names_the_action(self) -> None:
        error = error_for(answer(200, mettl_body("E404")), action=ACTION)

        assert str(error).startswith(f"mettl: {ACTION}: ")

    def test_messages_say_what_to_check(self) -> None:
        assert "private API key" in str(error_for(answer(200, mettl_body("E401")), action=ACTION))
        assert "clock" in str(error_for(answer(200, mettl_body("E504")), action=ACTION))


class TestAuthentication:
    def test_account_info(self, client: MettlClient) -> None:
        body = client.account()

        assert body["accountInfo"]["name"] == "Sandbox Account"

    def test_wrong_private_key(self, sim: ServedApp, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.DEBUG)
        with pytest.raises(AuthError, match="E401") as caught:
            make_client(sim, private_key="wrong-private-key").account()

        ours = [r.getMessage() for r in caplog.records if r.name.startswith("plugin.")]
        assert ours
        assert "wrong-private-key" not in str(caught.value)
        assert "wrong-private-key" not in caplog.text
        assert not any("asgn" in message for message in ours)

    def test_wrong_public_key(self, sim: ServedApp) -> None:
        with pytest.raises(AuthError, match="E403"):
            make_client(sim, public_key="someone-else").account()

    def test_stale_timestamp(self, sim: ServedApp) -> None:
        day_ago = time.time() - 24 * 3600 - 60

        with pytest.raises(AuthError, match="E504"):
            make_client(sim, clock=lambda: day_ago).account()

    def test_timestamp_from_the_future(self, sim: ServedApp) -> None:
        ahead = time.time() + 3600

        with pytest.raises(AuthError, match="E504"):
            make_client(sim, clock=lambda: ahead).account()

    def test_a_day_old_timestamp_is_still_valid(self, sim: ServedApp) -> None:
        almost_a_day = time.time() - 24 * 3600 + 120

        assert make_client(sim, clock=lambda: almost_a_day).account()["status"] == "SUCCESS"


class TestSchedules:
    def test_pages_of_schedules(self, sim: ServedApp, client: MettlClient) -> None:
        for n in range(2):
            control(sim, "POST", "/sandbox/schedules", name=f"Extra {n}", accessKey=f"extra{n}")

        first = client.list_tests(limit=2)
        second = client.follow(first["paging"]["next"])

        assert [s["accessKey"] for s in first["schedules"]] == [KEY, "extra0"]
        assert [s["accessKey"] for s in second["schedules"]] == ["extra1"]
        assert second["paging"]["next"] is None
        assert second["paging"]["previous"] is not None

    def test_limit_out_of_range_is_refused_locally(self, client: MettlClient) -> None:
        with pytest.raises(ValueError, match="1 to 100"):
            client.list_tests(limit=101)


class TestRegistration:
    def test_twenty_candidates_in_one_call(self, client: MettlClient) -> None:
        entries = client.register_candidates(KEY, people(20))

        assert len(entries) == 20
        assert {e["status"] for e in entries} == {"SUCCESS"}
        assert all("/authenticateKey/" in e["url"] for e in entries)

    def test_more_than_twenty_is_refused_before_sending(self, client: MettlClient) -> None:
        with pytest.raises(ValueError, match="1 to 20"):
            client.register_candidates(KEY, people(21))

    def test_registering_again_returns_the_same_link(self, client: MettlClient) -> None:
        first = client.register_candidates(KEY, people(1))
        again = client.register_candidates(
            KEY, [{**people(1)[0], "Email Address": "P0@Example.org"}]
        )

        assert again[0]["url"] == first[0]["url"]

    def test_a_row_without_first_name_is_reported(self, client: MettlClient) -> None:
        entries = client.register_candidates(KEY, [{"Email Address": "x@example.org"}])

        assert entries[0]["status"] == "ERROR"
        assert "First Name" in entries[0]["error"]["message"]

    def test_unknown_schedule(self, client: MettlClient) -> None:
        with pytest.raises(NotFoundError, match="E404"):
            client.register_candidates("nosuch", people(1))

    def test_link_expiry_is_accepted(self, client: MettlClient) -> None:
        entries = client.register_candidates(KEY, people(1), link_expiry_seconds=600)

        assert entries[0]["status"] == "SUCCESS"


class TestResults:
    def test_paging_to_the_end_with_next_urls(self, sim: ServedApp, client: MettlClient) -> None:
        control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=45, completed_ratio=1.0)

        page = client.schedule_results(KEY, limit=20)
        seen = [c["email"] for c in page["candidates"]]
        while page["paging"]["next"]:
            page = client.follow(page["paging"]["next"])
            seen.extend(c["email"] for c in page["candidates"])

        assert len(seen) == len(set(seen)) == 45
        assert len(page["candidates"]) == 5

    def test_empty_schedule_gives_an_empty_page(self, client: MettlClient) -> None:
        page = client.schedule_results(KEY)

        assert page["candidates"] == []
        assert page["paging"] == {"previous": None, "next": None}

    def test_offset_past_the_end_is_refused(self, client: MettlClient) -> None:
        client.register_candidates(KEY, people(2))

        with pytest.raises(VendorRefusedError, match="offset"):
            client.schedule_results(KEY, offset=2)

    def test_sorted_by_name(self, client: MettlClient) -> None:
        client.register_candidates(KEY, people(3))

        page = client.schedule_results(KEY, sort="name", sort_order="desc")

        names = [c["registration"]["First Name"] for c in page["candidates"]]
        assert names == ["Person 002", "Person 001", "Person 000"]

    def test_bad_sort_is_refused(self, client: MettlClient) -> None:
        with pytest.raises(VendorRefusedError, match="sort"):
            client.schedule_results(KEY, sort="score")

    def test_one_candidate_with_recommendation(self, sim: ServedApp, client: MettlClient) -> None:
        client.register_candidates(KEY, people(1))
        control(sim, "POST", f"/sandbox/attempts/{KEY}/p0@example.org/complete", percent=100)

        body = client.candidate_result(
            KEY, "p0@example.org", recommendation=True, essay_responses=True
        )

        status = body["candidate"]["testStatus"]
        assert status["status"] == "Completed"
        assert status["result"]["totalMarks"] == status["result"]["maxMarks"]
        assert status["result"]["analysis"]["recommendation"][0]["value"] == "Recommended"

    def test_unknown_candidate(self, client: MettlClient) -> None:
        with pytest.raises(NotFoundError, match="E404"):
            client.candidate_result(KEY, "nobody@example.org")

    def test_email_with_plus_sign(self, client: MettlClient) -> None:
        client.register_candidates(KEY, [{"Email Address": "a+b@example.org", "First Name": "A"}])

        body = client.candidate_result(KEY, "a+b@example.org")

        assert body["candidate"]["email"] == "a+b@example.org"

    def test_expired_paging_link(
        self, sim: ServedApp, sim_clock: Clock, client: MettlClient
    ) -> None:
        control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=30, completed_ratio=0.5)
        next_url = client.schedule_results(KEY, limit=20)["paging"]["next"]
        sim_clock.now += 24 * 3600 + 60

        with pytest.raises(AuthError, match="E504"):
            client.follow(next_url)

    def test_foreign_paging_link_is_not_followed(self, client: MettlClient) -> None:
        with pytest.raises(InvalidResponseError, match="outside"):
            client.follow("https://evil.example/v2/schedules/x/candidates?ak=1")


class TestDeleteResult:
    def test_completed_result_is_deleted(self, sim: ServedApp, client: MettlClient) -> None:
        client.register_candidates(KEY, people(1))
        control(sim, "POST", f"/sandbox/attempts/{KEY}/p0@example.org/complete", percent=50)

        assert client.delete_result(KEY, "p0@example.org")["status"] == "SUCCESS"
        with pytest.raises(NotFoundError):
            client.candidate_result(KEY, "p0@example.org")

    def test_test_in_progress_is_refused(self, sim: ServedApp, client: MettlClient) -> None:
        client.register_candidates(KEY, people(1))
        control(sim, "POST", f"/sandbox/attempts/{KEY}/p0@example.org/start")

        with pytest.raises(VendorRefusedError, match="completed or expired"):
            client.delete_result(KEY, "p0@example.org")


class TestFaults:
    def test_rate_limit(self, sim: ServedApp, client: MettlClient) -> None:
        set_faults(sim, rate_limit_rate=1.0, retry_after=3)

        with pytest.raises(RateLimitedError, match="E509") as caught:
            client.account()

        assert caught.value.retry_after == 3.0

    def test_server_error(self, sim: ServedApp, client: MettlClient) -> None:
        set_faults(sim, error_rate=1.0)

        with pytest.raises(TransientError, match="E503"):
            client.schedule_results(KEY)

    def test_malformed_json(self, sim: ServedApp, client: MettlClient) -> None:
        set_faults(sim, malformed_rate=1.0)

        with pytest.raises(InvalidResponseError):
            client.account()

    def test_truncated_page(self, sim: ServedApp, client: MettlClient) -> None:
        client.register_candidates(KEY, people(5))
        set_faults(sim, truncated_rate=1.0)

        with pytest.raises(InvalidResponseError):
            client.schedule_results(KEY)

    def test_slow_answer_times_out(self, sim: ServedApp) -> None:
        set_faults(sim, slow_rate=1.0, slow_ms=800)

        with pytest.raises(TransientError, match="/v2/account"):
            make_client(sim, read_timeout=0.2).account()

    def test_connection_refused(self) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{unused.getsockname()[1]}"
            config = MettlConfig.from_mapping(
                {"public_key": PUBLIC, "private_key": PRIVATE, "base_url": url}
            )

            with pytest.raises(TransientError, match="/v2/account"):
                MettlClient(config, session=TimeoutSession(retries=0)).account()
