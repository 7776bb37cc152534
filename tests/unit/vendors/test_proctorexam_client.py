"""ProctorExam settings and client against the simulator over real HTTP."""

from __future__ import annotations

import json
import logging
import time
import typing as t

import pytest
import requests
from flask import Flask

from lti.http import TimeoutSession
from plugin.http.sessions import make_session
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.proctorexam import create_proctorexam_app
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import RateLimitedError
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.proctorexam import ProctorExamClient
from plugin.vendors.proctorexam import ProctorExamConfig
from plugin.vendors.proctorexam import error_for

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

TOKEN = "api-token-value"
SECRET = "user-secret-key"


@pytest.fixture
def sim() -> Iterator[ServedApp]:
    with serve_app(create_proctorexam_app(api_token=TOKEN, secret_key=SECRET)) as served:
        yield served


def make_client(
    sim: ServedApp,
    *,
    clock: Callable[[], float] = time.time,
    nonce: Callable[[], int] | None = None,
    session: requests.Session | None = None,
    **settings: str,
) -> ProctorExamClient:
    values = {"api_token": TOKEN, "secret_key": SECRET, "base_url": sim.url, **settings}
    return ProctorExamClient(
        ProctorExamConfig.from_mapping(values),
        session=session or TimeoutSession(retries=0, read_timeout=3.0),
        clock=clock,
        nonce=nonce,
    )


@pytest.fixture
def client(sim: ServedApp) -> ProctorExamClient:
    return make_client(sim)


def new_exam(sim: ServedApp, **fields: t.Any) -> int:
    answer = requests.post(f"{sim.url}/sandbox/exams", json=fields, timeout=5)
    assert answer.status_code == 201
    return int(answer.json()["id"])


def set_faults(sim: ServedApp, **plan: t.Any) -> None:
    answer = requests.put(f"{sim.url}/sandbox/faults", json={"seed": 3, **plan}, timeout=5)
    assert answer.status_code == 200, answer.text


class TestConfig:
    def test_api_root_and_defaults(self) -> None:
        config = ProctorExamConfig.from_mapping(
            {
                "api_token": "t",
                "secret_key": "s",
                "base_url": "https://acme.proctorexam.com/api/v3/",
            }
        )
        assert config.base_url == "https://acme.proctorexam.com"
        assert config.api_root == "https://acme.proctorexam.com/api/v3"
        assert (
            config.student_url(token="abc", session_id=1, exam_id=2)
            == "https://acme.proctorexam.com/student_sessions/abc"
        )
        secret_fields = ProctorExamConfig.SECRET_FIELDS
        assert secret_fields == {"api_token", "secret_key"}

    def test_secrets_are_not_in_repr(self) -> None:
        config = ProctorExamConfig.from_mapping(
            {"api_token": "tok-123", "secret_key": "sec-456", "base_url": "https://a.b"}
        )
        assert "tok-123" not in repr(config) and "sec-456" not in repr(config)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"api_token": ""}, "api_token"),
            ({"secret_key": None}, "secret_key"),
            ({"base_url": ""}, "base_url"),
            ({"base_url": "acme.proctorexam.com"}, "base_url"),
            ({"student_url_template": "{base_url}/x"}, "student_url_template"),
            ({"student_url_template": "{base_url}/{token}/{who}"}, "student_url_template"),
            ({"student_url_template": "{token"}, "student_url_template"),
            ({"exam": "1"}, "exam"),
        ],
    )
    def test_invalid_settings_name_the_field(self, change: dict[str, t.Any], field: str) -> None:
        values = {"api_token": "t", "secret_key": "s", "base_url": "https://a.b", **change}
        with pytest.raises(ValueError, match=field):
            ProctorExamConfig.from_mapping(values)


class TestEndpoints:
    def test_exams_are_paged(self, sim: ServedApp, client: ProctorExamClient) -> None:
        ids = [new_exam(sim, name=f"Exam {n}") for n in range(5)]
        pages = [client.list_tests(page=n, limit=2) for n in (1, 2, 3, 4)]
        assert [p.page_count for p in pages] == [3, 3, 3, 3]
        assert [p.item_count for p in pages] == [5, 5, 5, 5]
        assert [p.has_next for p in pages] == [True, True, False, False]
        assert [e["id"] for p in pages for e in p.items] == ids
        assert pages[3].items == []

    def test_exam_status_filter(self, sim: ServedApp, client: ProctorExamClient) -> None:
        new_exam(sim, status="open")
        closed = new_exam(sim, status="closed")
        assert [e["id"] for e in client.list_tests(status="closed").items] == [closed]
        with pytest.raises(ValueError, match="status"):
            client.list_tests(status="archived")

    @pytest.mark.parametrize(("page", "limit"), [(0, 10), (1, 0), (1, 301)])
    def test_paging_bounds_are_checked_before_sending(
        self, client: ProctorExamClient, page: int, limit: int
    ) -> None:
        with pytest.raises(ValueError):
            client.list_tests(page=page, limit=limit)

    def test_show_exam_and_a_missing_one(self, sim: ServedApp, client: ProctorExamClient) -> None:
        exam_id = new_exam(sim, name="Final", duration_minutes=90)
        assert client.get_exam(exam_id)["duration_minutes"] == 90
        with pytest.raises(NotFoundError, match="Couldn't find Exam with 'id'=999") as caught:
            client.get_exam(999)
        assert "GET /exams/{id}" in str(caught.value)

    def test_student_session_lifecycle(self, sim: ServedApp, client: ProctorExamClient) -> None:
        exam_id = new_exam(sim)
        created = client.create_student_session(
            exam_id,
            name="Ada",
            email="ada@example.org",
            individual_info="room 4",
            skip_requirements=True,
        )
        assert (created["status"], created["token"]) == ("registered", None)
        assert created["skip_requirements"] is True
        assert client.send_emails(exam_id) == [{"id": created["id"], "status": "email_sent"}]
        assert client.send_emails(exam_id) == []
        shown = client.get_student_session(created["id"])
        assert shown["token"] and shown["individual_info"] == "room 4"
        assert (shown["reviewed"], shown["incidents"], shown["incidents_count"]) == ("00", [], 0)

    def test_duplicate_email_is_refused_with_the_field_error(
        self, sim: ServedApp, client: ProctorExamClient
    ) -> None:
        exam_id = new_exam(sim)
        client.create_student_session(exam_id, name="Ada", email="ada@example.org")
        with pytest.raises(VendorRefusedError, match="email has already been taken") as caught:
            client.create_student_session(exam_id, name="Ada", email="ada@example.org")
        assert caught.value.status == 422

    def test_missing_param_is_refused(self, sim: ServedApp, client: ProctorExamClient) -> None:
        with pytest.raises(
            VendorRefusedError, match="Param is missing or the value is empty: name"
        ):
            client.create_student_session(new_exam(sim), name="", email="a@b.c")

    def test_listing_sessions_with_status_filter_and_sort(
        self, sim: ServedApp, client: ProctorExamClient
    ) -> None:
        exam_id = new_exam(sim)
        ids = [
            client.create_student_session(exam_id, name=f"S{n}", email=f"s{n}@x.org")["id"]
            for n in range(4)
        ]
        requests.post(f"{sim.url}/sandbox/attempts/{ids[1]}/complete", json={}, timeout=5)
        finished = client.list_student_sessions(exam_id, status="exam_finished")
        assert [s["id"] for s in finished.items] == [ids[1]]
        newest_first = client.list_student_sessions(
            exam_id, sort_json='[{"id":"desc"}]', limit=3, page=1
        )
        assert [s["id"] for s in newest_first.items] == ids[::-1][:3]
        assert (newest_first.page_count, newest_first.item_count) == (2, 4)
        match = json.dumps({"email": {"eq": "s2@x.org"}})
        assert [
            s["id"] for s in client.list_student_sessions(exam_id, filter_json=match).items
        ] == [ids[2]]
        with pytest.raises(ValueError, match="status"):
            client.list_student_sessions(exam_id, status="done")

    def test_a_bad_filter_is_refused(self, sim: ServedApp, client: ProctorExamClient) -> None:
        with pytest.raises(VendorRefusedError, match="filter"):
            client.list_student_sessions(new_exam(sim), filter_json='{"secret":{"eq":1}}')


class TestAuthentication:
    def test_wrong_token(self, sim: ServedApp) -> None:
        with pytest.raises(AuthError, match="API token") as caught:
            make_client(sim, api_token="stolen-token").list_tests()
        assert caught.value.status == 403
        assert "stolen-token" not in str(caught.value)

    def test_wrong_secret(self, sim: ServedApp) -> None:
        with pytest.raises(AuthError, match="You are not authorized") as caught:
            make_client(sim, secret_key="guessed-secret").list_tests()
        assert "guessed-secret" not in str(caught.value)

    @pytest.mark.parametrize("shift", [-301.0, 301.0])
    def test_stale_or_future_timestamp(self, sim: ServedApp, shift: float) -> None:
        with pytest.raises(AuthError, match="clock"):
            make_client(sim, clock=lambda: time.time() + shift).list_tests()

    def test_a_reused_nonce_is_refused(self, sim: ServedApp) -> None:
        fixed = make_client(sim, nonce=lambda: 424242)
        fixed.list_tests()
        with pytest.raises(AuthError, match="nonce"):
            fixed.list_tests()


class TestFailures:
    def test_server_error(self, sim: ServedApp, client: ProctorExamClient) -> None:
        set_faults(sim, error_rate=1.0)
        with pytest.raises(TransientError, match="injected server error") as caught:
            client.list_tests()
        assert caught.value.request_id

    def test_rate_limit(self, sim: ServedApp, client: ProctorExamClient) -> None:
        set_faults(sim, rate_limit_rate=1.0, retry_after=4)
        with pytest.raises(RateLimitedError) as caught:
            client.list_tests()
        assert caught.value.retry_after == 4.0

    @pytest.mark.parametrize("fault", ["malformed_rate", "truncated_rate"])
    def test_unparseable_body(self, sim: ServedApp, client: ProctorExamClient, fault: str) -> None:
        new_exam(sim)
        set_faults(sim, **{fault: 1.0})
        with pytest.raises(InvalidResponseError):
            client.list_tests()

    def test_slow_answer_is_not_resent(self, sim: ServedApp) -> None:
        session = make_session(resend_reads=False)
        session.default_timeout = (2.0, 0.3)  # type: ignore[attr-defined]
        set_faults(sim, slow_rate=1.0, slow_ms=1200)
        with pytest.raises(TransientError):
            make_client(sim, session=session).list_tests()
        assert requests.get(f"{sim.url}/sandbox/faults", timeout=5).json()["injected"] == {
            "slow": 1
        }

    def test_unreachable_server(self) -> None:
        with serve_app(create_proctorexam_app(api_token=TOKEN, secret_key=SECRET)) as served:
            session = TimeoutSession(retries=0, connect_timeout=0.5, read_timeout=0.5)
            gone = make_client(served, session=session)
        with pytest.raises(TransientError) as caught:
            gone.list_tests()
        assert caught.value.retryable and caught.value.status is None

    def test_a_bare_student_session_is_read_and_its_form_logged(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        impostor = Flask(__name__)
        impostor.add_url_rule("/api/v3/student_sessions/<int:id>", "show", lambda id: {"id": id})
        caplog.set_level(logging.INFO, logger="plugin.vendors.shapes")
        with serve_app(impostor) as served:
            assert make_client(served).get_student_session(5) == {"id": 5}
        assert "ProctorExam answered GET /student_sessions/:id with a bare object" in caplog.text

    def test_unexpected_shapes(self) -> None:
        impostor = Flask(__name__)
        impostor.add_url_rule("/api/v3/exams", "exams", lambda: {"exams": []})
        impostor.add_url_rule("/api/v3/exams/<int:id>", "exam", lambda id: {"exam": {"name": "x"}})
        impostor.add_url_rule(
            "/api/v3/exams/<int:id>/send_emails", "emails", lambda id: {"ok": 1}, methods=["POST"]
        )
        with serve_app(impostor) as served:
            client = make_client(served)
            with pytest.raises(InvalidResponseError, match="X-Pagination"):
                client.list_tests()
            with pytest.raises(
                InvalidResponseError,
                match=r"not the exam \(an object with 'id'\) bare or under 'exam'",
            ):
                client.get_exam(1)
            with pytest.raises(InvalidResponseError, match="students list"):
                client.send_emails(1)


def _response(status: int, body: bytes, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers)
    return response


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (409, TransientError),
        (422, VendorRefusedError),
        (429, RateLimitedError),
        (500, TransientError),
        (502, TransientError),
        (400, VendorRefusedError),
    ],
)
def test_error_table(status: int, kind: type[Exception]) -> None:
    error = error_for(
        _response(status, b'{"error": "it broke"}', **{"X-Request-Id": "q"}), action="GET /exams"
    )
    assert type(error) is kind
    assert "it broke" in str(error) and "GET /exams" in str(error)
    assert error.request_id == "q"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"message": "m"}', "m"),
        (b'{"errors": ["a", "b"]}', "a; b"),
        (
            b'{"email": ["has already been taken"], "name": ["is too short"]}',
            "email has already been taken; name is too short",
        ),
        (b"not json", "Unprocessable"),
    ],
)
def test_error_messages_are_read_from_any_shape(body: bytes, said: str) -> None:
    response = _response(422, body)
    response.reason = "Unprocessable"
    assert said in str(error_for(response, action="POST /x"))
