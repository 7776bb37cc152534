"""ExamSparkClient against the ExamSpark simulator over real HTTP."""

from __future__ import annotations

import typing as t

import pytest
import requests
from flask import Flask
from flask import Response
from flask import jsonify

from lti.http import TimeoutSession
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import RateLimitedError
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.examspark.client import ExamSparkClient
from plugin.vendors.examspark.config import ExamSparkConfig
from plugin.vendors.examspark.errors import PageTokenRejectedError
from plugin.vendors.examspark.models import SessionRequest
from tests.unit.vendors.helpers import Clock

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

KEY = "0c6e1f7e-2d7b-4bb4-9d43-0f6a3e9a2b11"
SECRET = "b7d1c9a4-55e2-4f0e-8d17-3c2b9e6f1a08"
WORKSPACE = "focus1f8-district"
NOW = 1_750_000_000.0


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def sim(clock: Clock) -> Iterator[ServedApp]:
    app = create_examspark_app(
        app_key=KEY, app_secret=SECRET, workspace_id=WORKSPACE, clock=clock, retry_delays=()
    )
    with serve_app(app) as served:
        yield served


def make_client(
    sim: ServedApp, clock: Clock | None = None, *, read_timeout: float = 5.0, **settings: t.Any
) -> ExamSparkClient:
    values = {
        "app_key": KEY,
        "app_secret": SECRET,
        "workspace_id": WORKSPACE,
        "base_url": sim.url,
        **settings,
    }
    session = TimeoutSession(retries=0, connect_timeout=2.0, read_timeout=read_timeout)
    return ExamSparkClient(ExamSparkConfig(**values), session=session, clock=clock or Clock(NOW))


@pytest.fixture
def client(sim: ServedApp, clock: Clock) -> ExamSparkClient:
    return make_client(sim, clock)


def add_config(sim: ServedApp, **spec: t.Any) -> dict[str, t.Any]:
    response = requests.post(f"{sim.url}/sandbox/exam-configs", json=spec, timeout=5)
    assert response.status_code == 201, response.text
    config: dict[str, t.Any] = response.json()["examConfig"]
    return config


def start(
    client: ExamSparkClient, config_id: str, link: str = "attempt-1", user: str = "learner-1"
) -> dict[str, t.Any]:
    return client.create_session(
        SessionRequest(
            exam_config_id=config_id,
            user_id=user,
            resource_link_id=link,
            given_name="Kevin",
            family_name="Campbell",
            outcome_service_url="http://127.0.0.1:9/outcomes",
            result_sourcedid=link,
        )
    )


def answers(config: dict[str, t.Any], correct: int) -> list[dict[str, t.Any]]:
    """Set-responses entries: the first ``correct`` items right, the rest wrong."""
    entries = []
    for number, item in enumerate(config["items"]):
        index = item["key"] if number < correct else (item["key"] + 1) % len(item["options"])
        question_id = item["id"].replace("-", "")[:12]
        entries.append(
            {
                "itemId": item["id"],
                "questions": [{"id": question_id, "response": {"options": [{"index": index}]}}],
            }
        )
    return entries


def put_faults(sim: ServedApp, **plan: t.Any) -> None:
    response = requests.put(f"{sim.url}/sandbox/faults", json=plan, timeout=5)
    assert response.status_code == 200, response.text


# -- endpoints ---------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["singular", "plural"])
@pytest.mark.parametrize("basic", ["rfc7617", "plain"])
def test_create_session_is_idempotent(sim: ServedApp, style: str, basic: str) -> None:
    client = make_client(sim, create_session_path=style, basic_auth=basic)
    config = add_config(sim)
    first = start(client, config["id"])
    again = start(client, config["id"])
    other = start(client, config["id"], link="attempt-2")
    assert first["examSession"]["id"] == again["examSession"]["id"]
    assert other["examSession"]["id"] != first["examSession"]["id"]
    assert first["examSession"]["maturity"] == "NOT_STARTED"
    assert first["examSession"]["name"] == "Kevin Campbell"
    assert first["examConfig"] == {"id": config["id"]}


def test_get_session_includes_results_and_responses_on_request(
    client: ExamSparkClient, sim: ServedApp
) -> None:
    config = add_config(sim, questions=3)
    session_id = start(client, config["id"])["examSession"]["id"]
    client.set_responses(session_id, answers(config, 2))
    full = client.get_session(session_id)["examSession"]
    bare = client.get_session(session_id, include=())["examSession"]
    assert full["maturity"] == "COMPLETE"
    assert full["scoreActual"] == pytest.approx(66.67)
    assert full["results"]["points"] == {"actual": 2, "isScorable": True, "min": 0, "max": 3}
    assert len(full["results"]["items"]) == 3
    assert set(full["responses"]) == {item["id"] for item in config["items"]}
    assert "results" not in bare and "responses" not in bare


def test_get_session_results_has_item_detail(client: ExamSparkClient, sim: ServedApp) -> None:
    config = add_config(sim, questions=2)
    session_id = start(client, config["id"])["examSession"]["id"]
    client.set_responses(session_id, answers(config, 1))
    document = client.get_session_results(session_id)
    first = document["results"]["items"][0]
    assert document["examSession"]["examSessionData"] == {"lti": {"userId": "learner-1"}}
    assert first["questions"][0]["interactionType"] == "choice"
    assert first["score"]["actual"] == 1
    assert document["results"]["items"][1]["score"]["actual"] == 0


def test_set_responses_without_scoring_keeps_the_session_open(
    client: ExamSparkClient, sim: ServedApp
) -> None:
    config = add_config(sim)
    session_id = start(client, config["id"])["examSession"]["id"]
    answer = client.set_responses(session_id, answers(config, 3)[:1], submit_for_scoring=False)
    assert answer["examSession"]["maturity"] == "IN_PROGRESS"
    assert answer["examSession"]["scoreActual"] is None


def test_retake_reset_reopen(client: ExamSparkClient, sim: ServedApp) -> None:
    config = add_config(sim, allowRetakes=True)
    session_id = start(client, config["id"])["examSession"]["id"]
    client.set_responses(session_id, answers(config, 3))
    reopened = client.reopen(session_id)["examSession"]
    assert reopened["maturity"] == "IN_PROGRESS"
    client.set_responses(session_id, answers(config, 1))
    retaken = client.retake(session_id)["examSession"]
    assert (retaken["maturity"], retaken["attempt"]) == ("IN_PROGRESS", 2)
    client.set_responses(session_id, answers(config, 2))
    assert client.get_session(session_id)["examSession"]["results"]["points"]["actual"] == 2
    reset = client.reset(session_id)["examSession"]
    assert (reset["maturity"], reset["scoreActual"], reset["attempt"]) == ("NOT_STARTED", None, 1)


def test_retake_refused_when_the_config_forbids_it(client: ExamSparkClient, sim: ServedApp) -> None:
    config = add_config(sim, allowRetakes=False)
    session_id = start(client, config["id"])["examSession"]["id"]
    client.set_responses(session_id, answers(config, 3))
    with pytest.raises(VendorRefusedError, match="does not allow retakes") as caught:
        client.retake(session_id)
    assert caught.value.status == 400


def test_sdk_login_returns_a_token_valid_eight_hours(client: ExamSparkClient, clock: Clock) -> None:
    token = client.sdk_login("student@examspark.com")
    assert token.auth.startswith("eyJ")
    assert token.expires_at == clock.now + 8 * 3600


def test_get_workspace(client: ExamSparkClient) -> None:
    read = client.get_workspace()
    assert read.value["id"] == WORKSPACE and read.form == "an object under 'workspace'"


def test_list_tests_pages(client: ExamSparkClient, sim: ServedApp) -> None:
    first = add_config(sim, examName="Geometry")
    add_config(sim, examId=first["examId"], name="Retakes", allowRetakes=True)
    add_config(sim, examName="Algebra")
    page = client.list_tests()
    assert [item["exam"]["name"] for item in page.items] == ["Geometry", "Algebra"]
    assert [c["name"] for c in page.items[0]["examConfigs"]] == ["Default", "Retakes"]
    assert page.next_token is None


# -- session listing ----------------------------------------------------------------------


def _walk(client: ExamSparkClient, **kwargs: t.Any) -> list[list[str]]:
    pages, token = [], None
    while True:
        page = client.list_sessions(next_token=token, limit=2, **kwargs)
        pages.append([item["examSession"]["id"] for item in page.items])
        token = page.next_token
        if token is None:
            return pages


def test_list_sessions_pages_to_the_end_with_an_empty_last_page(
    client: ExamSparkClient, sim: ServedApp
) -> None:
    config = add_config(sim)
    ids = [start(client, config["id"], link=f"a{n}")["examSession"]["id"] for n in range(4)]
    pages = _walk(client)
    assert pages == [ids[:2], ids[2:], []]


def test_list_sessions_filters_by_exam_config(client: ExamSparkClient, sim: ServedApp) -> None:
    one, two = add_config(sim), add_config(sim)
    start(client, one["id"])
    wanted = start(client, two["id"])["examSession"]["id"]
    page = client.list_sessions(exam_config_ids=[two["id"]], include=("results",))
    assert [item["examSession"]["id"] for item in page.items] == [wanted]
    assert page.total == 1
    assert "results" in page.items[0]["examSession"]


def test_list_sessions_with_an_empty_workspace(client: ExamSparkClient) -> None:
    page = client.list_sessions()
    assert (page.items, page.next_token, page.total) == ([], None, 0)


def test_expired_page_token_is_reported_as_rejected(
    client: ExamSparkClient, sim: ServedApp, clock: Clock
) -> None:
    config = add_config(sim)
    for n in range(3):
        start(client, config["id"], link=f"a{n}")
    token = client.list_sessions(limit=2).next_token
    assert token is not None
    clock.now += 601
    with pytest.raises(PageTokenRejectedError, match="expired"):
        client.list_sessions(next_token=token, limit=2)


def test_unknown_page_token_is_reported_as_rejected(client: ExamSparkClient) -> None:
    with pytest.raises(PageTokenRejectedError, match="Invalid nextToken"):
        client.list_sessions(next_token="WyJpZD0xfHNrPWV4YW0tc2Vzc2lvbiJd")


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_out_of_range_is_refused(client: ExamSparkClient, limit: int) -> None:
    with pytest.raises(VendorRefusedError, match="limit must be") as caught:
        client.list_sessions(limit=limit)
    assert not isinstance(caught.value, PageTokenRejectedError)


# -- errors ---------------------------------------------------------------------------------


def test_wrong_secret_is_an_auth_error_without_the_secret(sim: ServedApp) -> None:
    client = make_client(sim, app_secret="wrong-secret-value")
    with pytest.raises(AuthError, match="check the app key and app secret") as caught:
        client.get_workspace()
    assert caught.value.status == 401
    assert caught.value.request_id
    assert "wrong-secret-value" not in str(caught.value)
    assert "wrong-secret-value" not in caught.value.body_excerpt


def test_other_workspace_is_forbidden(sim: ServedApp) -> None:
    with pytest.raises(AuthError, match="belongs to this workspace") as caught:
        make_client(sim, workspace_id="another-district").get_workspace()
    assert caught.value.status == 403


MISSING = "00000000-0000-5000-8000-000000000000"
Call = t.Callable[[ExamSparkClient, str, str], object]


@pytest.mark.parametrize(
    ("call", "error", "status"),
    [
        (lambda c, cfg, sid: c.get_session(MISSING), NotFoundError, 404),
        (lambda c, cfg, sid: c.reopen(MISSING), NotFoundError, 404),
        (
            lambda c, cfg, sid: c.create_session(SessionRequest("missing", "u", "l")),
            NotFoundError,
            404,
        ),
        (
            lambda c, cfg, sid: c.create_session(SessionRequest(cfg, "", "l")),
            VendorRefusedError,
            400,
        ),
        (lambda c, cfg, sid: c.sdk_login("not-an-email"), VendorRefusedError, 400),
        (lambda c, cfg, sid: c.set_responses(sid, [{"itemId": "x"}]), VendorRefusedError, 400),
        (lambda c, cfg, sid: c.get_session(sid, include=("grades",)), VendorRefusedError, 400),
        (lambda c, cfg, sid: c.reopen(sid), VendorRefusedError, 400),
    ],
)
def test_error_codes(
    client: ExamSparkClient, sim: ServedApp, call: Call, error: type[VendorError], status: int
) -> None:
    config_id = add_config(sim)["id"]
    session_id = start(client, config_id)["examSession"]["id"]
    with pytest.raises(error) as caught:
        call(client, config_id, session_id)
    assert caught.value.status == status
    assert caught.value.vendor == "examspark"
    assert caught.value.request_id


@pytest.mark.parametrize(
    ("plan", "error"),
    [
        ({"error_rate": 1.0, "retry_after": 0}, TransientError),
        ({"malformed_rate": 1.0}, InvalidResponseError),
        ({"truncated_rate": 1.0}, InvalidResponseError),
    ],
)
def test_faults_become_typed_errors(
    client: ExamSparkClient, sim: ServedApp, plan: dict[str, t.Any], error: type[VendorError]
) -> None:
    put_faults(sim, **plan)
    with pytest.raises(error):
        client.get_workspace()
    with pytest.raises(error):
        client.list_sessions()


def test_server_error_names_the_action(client: ExamSparkClient, sim: ServedApp) -> None:
    put_faults(sim, error_rate=1.0, retry_after=0)
    with pytest.raises(TransientError, match="list exam sessions: ExamSpark server error") as e:
        client.list_sessions()
    assert e.value.status in {500, 503}
    assert e.value.retryable


def test_rate_limit_carries_retry_after(client: ExamSparkClient, sim: ServedApp) -> None:
    put_faults(sim, rate_limit_rate=1.0, retry_after=7)
    with pytest.raises(RateLimitedError, match="retry after 7 s") as caught:
        client.get_session("00000000-0000-5000-8000-000000000000")
    assert caught.value.retry_after == 7
    assert caught.value.status == 429


def test_slow_answer_times_out_as_transient(sim: ServedApp) -> None:
    client = make_client(sim, read_timeout=0.3)
    put_faults(sim, slow_rate=1.0, slow_ms=1200)
    with pytest.raises(TransientError, match=r"GET .*/api/workspace/"):
        client.get_workspace()


@pytest.fixture
def odd_vendor() -> Iterator[ServedApp]:
    """A server answering 200 with JSON of the wrong shape on every route."""
    app = Flask(__name__)
    bodies = {
        "/api/exam-sessions": {"items": {"not": "a list"}},
        "/api/exams": {"items": [], "nextToken": 5},
    }

    @app.route("/<path:path>", methods=["GET", "POST"])
    def anything(path: str) -> Response:
        return jsonify(bodies.get(f"/{path}", {"unexpected": True}))

    with serve_app(app) as served:
        yield served


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda c: c.create_session(SessionRequest("cfg", "u", "l")), "has no examSession"),
        (lambda c: c.get_session("id"), "has no examSession"),
        (lambda c: c.retake("id"), "has no examSession"),
        (lambda c: c.list_sessions(), "has no list of items"),
        (lambda c: c.list_tests(), "nextToken that is not a string"),
        (lambda c: c.sdk_login("a@b.c"), "has no auth token"),
        (lambda c: c.get_workspace(), "that is not the workspace"),
    ],
)
def test_answers_of_the_wrong_shape_are_invalid(
    odd_vendor: ServedApp, call: t.Callable[[ExamSparkClient], object], problem: str
) -> None:
    with pytest.raises(InvalidResponseError, match=problem):
        call(make_client(odd_vendor))
