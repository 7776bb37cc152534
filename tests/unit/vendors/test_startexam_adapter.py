"""StartExam adapter against the simulator over real HTTP: starts, the callback redirect,
results, reconciliation paging, tests, retake and the connection check."""

from __future__ import annotations

import calendar
import dataclasses
import threading
import time
import typing as t
import urllib.parse
from decimal import Decimal

import pytest
import requests
from flask import Flask
from flask import request

from lti.http import TimeoutSession
from mappings.result import ResultStatus
from mappings.startexam import load_result
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.startexam import create_startexam_app
from plugin.vendors.base import AdminAction
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import Learner
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartRequest
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.startexam import StartExamAdapter
from plugin.vendors.startexam import StartExamConfig

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

ACCOUNT = "1234"
SECRET = "sandbox-secret-key"
LEARNER = Learner(external_id="u-1", email="ada@example.org", given_name="Ada", family_name="L")


@dataclasses.dataclass
class Receiver:
    """A stand-in for the bridge's callback route that records what reaches it."""

    served: ServedApp
    seen: list[IncomingRequest]

    @property
    def url(self) -> str:
        return self.served.url + "/callbacks/startexam/7"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    app = Flask(__name__)
    seen: list[IncomingRequest] = []

    @app.get("/callbacks/startexam/7")
    def callback() -> str:
        seen.append(
            IncomingRequest(
                method=request.method,
                path=request.path,
                headers=dict(request.headers),
                query=request.args.to_dict(),
                body=request.get_data(),
                url=request.url,
            )
        )
        return "thanks"

    with serve_app(app) as served:
        yield Receiver(served, seen)


@pytest.fixture
def sim(receiver: Receiver) -> Iterator[ServedApp]:
    app = create_startexam_app(account_id=ACCOUNT, secret_key=SECRET, callback_url=receiver.url)
    with serve_app(app) as served:
        yield served


def make_adapter(sim: ServedApp, **settings: str) -> StartExamAdapter:
    info = requests.get(f"{sim.url}/sandbox/info", timeout=5).json()
    values = {
        "account_id": ACCOUNT,
        "secret_key": SECRET,
        "center": info["center"],
        "base_url": sim.url,
        "candidate_url_template": info["candidateUrlTemplate"],
        **settings,
    }
    session = TimeoutSession(retries=0, read_timeout=3.0)
    return StartExamAdapter(StartExamConfig.from_mapping(values), session=session)


@pytest.fixture
def adapter(sim: ServedApp) -> StartExamAdapter:
    return make_adapter(sim)


@pytest.fixture
def exam(sim: ServedApp) -> dict[str, t.Any]:
    answer = requests.post(f"{sim.url}/sandbox/tests", json={"title": "Algebra"}, timeout=5)
    return t.cast("dict[str, t.Any]", answer.json())


def start(adapter: StartExamAdapter, exam: dict[str, t.Any], token: str = "attempt-1") -> str:
    started = adapter.start_attempt(StartRequest(token, exam["testId"], LEARNER, "", ""))
    return started.vendor_ref


def complete(sim: ServedApp, participant_id: str, **body: t.Any) -> dict[str, t.Any]:
    answer = requests.post(
        f"{sim.url}/sandbox/attempts/{participant_id}/complete", json=body, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return t.cast("dict[str, t.Any]", answer.json())


def signal(query: dict[str, str], method: str = "GET") -> IncomingRequest:
    return IncomingRequest(
        method=method, path="/callbacks/startexam/7", headers={}, query=query, body=b""
    )


class TestStart:
    def test_registers_the_learner_and_links_to_the_candidate_page(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        before = time.time()
        started = adapter.start_attempt(StartRequest("a-1", exam["testId"], LEARNER, "", ""))
        assert started.redirect_url == f"{sim.url}/go/sandbox/participant/{started.vendor_ref}"
        state = requests.get(f"{sim.url}/sandbox/attempts/{started.vendor_ref}", timeout=5).json()
        assert state["testId"] == exam["testId"]
        assert state["session"]["participantData"] == [
            {"name": "First Name", "value": "Ada"},
            {"name": "Last Name", "value": "L"},
            {"name": "Email", "value": "ada@example.org"},
        ]
        valid_till = calendar.timegm(time.strptime(state["validTill"], "%Y-%m-%dT%H:%M:%SZ"))
        assert valid_till - before == pytest.approx(7 * 86400, abs=5)

    def test_the_same_attempt_token_starts_once(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        first, again = start(adapter, exam), start(adapter, exam)
        other = start(adapter, exam, token="attempt-2")
        assert first == again != other
        participants = requests.get(f"{sim.url}/sandbox/state", timeout=5).json()["participants"]
        assert len(participants) == 2

    def test_concurrent_starts_of_one_attempt_register_once(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        refs: list[str] = []
        threads = [
            threading.Thread(target=lambda: refs.append(start(adapter, exam))) for _ in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(refs)) == 1
        assert len(requests.get(f"{sim.url}/sandbox/state", timeout=5).json()["participants"]) == 1

    def test_custom_participant_fields(self, sim: ServedApp, exam: dict[str, t.Any]) -> None:
        config = make_adapter(sim).config
        custom = StartExamAdapter(
            config, participant_fields={"E-mail": "email", "Id": "external_id"}
        )
        ref = start(custom, exam)
        state = requests.get(f"{sim.url}/sandbox/attempts/{ref}", timeout=5).json()
        assert state["session"]["participantData"] == [
            {"name": "E-mail", "value": "ada@example.org"},
            {"name": "Id", "value": "u-1"},
        ]


class TestSignal:
    def test_finishing_the_candidate_page_redirects_to_the_callback(
        self,
        sim: ServedApp,
        adapter: StartExamAdapter,
        exam: dict[str, t.Any],
        receiver: Receiver,
    ) -> None:
        started = adapter.start_attempt(StartRequest("a-1", exam["testId"], LEARNER, "", ""))
        assert started.redirect_url is not None
        browser = requests.Session()
        assert browser.get(started.redirect_url, timeout=5).status_code == 200
        answers = {f"q{q['num']}": str(q["correct"]) for q in exam["questions"][:-1]}
        landed = browser.post(started.redirect_url, data=answers, timeout=5)
        assert landed.text == "thanks"
        (arrived,) = receiver.seen
        parsed = adapter.parse_signal(arrived)
        assert parsed.kind is SignalKind.BROWSER_RETURN
        assert parsed.vendor_ref == started.vendor_ref
        assert parsed.authenticated is False
        result = load_result(
            adapter.fetch_result(parsed.vendor_ref, test_id=exam["testId"]).payload
        )
        assert result.status is ResultStatus.COMPLETED
        assert result.max_score == 20
        assert result.score == 15

    def test_participant_id_is_normalised(self, adapter: StartExamAdapter) -> None:
        parsed = adapter.parse_signal(
            signal({"participantId": "BBB0C166-FD80-4EC8-9D54-0A19FFB2FF12"})
        )
        assert parsed.vendor_ref == "bbb0c166-fd80-4ec8-9d54-0a19ffb2ff12"

    @pytest.mark.parametrize("query", [{}, {"participantId": ""}, {"participantId": "1; drop"}])
    def test_unusable_signal_is_rejected(
        self, adapter: StartExamAdapter, query: dict[str, str]
    ) -> None:
        with pytest.raises(SignalRejectedError, match="participantId") as caught:
            adapter.parse_signal(signal(query))
        assert caught.value.status == 400

    def test_a_post_is_not_a_startexam_return(self, adapter: StartExamAdapter) -> None:
        with pytest.raises(SignalRejectedError) as caught:
            adapter.parse_signal(
                signal({"participantId": "bbb0c166-fd80-4ec8-9d54-0a19ffb2ff12"}, "POST")
            )
        assert caught.value.status == 405


class TestResults:
    def test_unfinished_session(self, adapter: StartExamAdapter, exam: dict[str, t.Any]) -> None:
        raw = adapter.fetch_result(start(adapter, exam), test_id=exam["testId"])
        assert raw.payload["isFinished"] is False
        assert load_result(raw.payload).status is ResultStatus.NOT_STARTED
        assert raw.fetched_at.tzinfo is not None

    def test_abandoned_session(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        ref = start(adapter, exam)
        assert complete(sim, ref, autoClosed=True)["redirectUrl"] is None
        payload = adapter.fetch_result(ref, test_id=exam["testId"]).payload
        assert load_result(payload).status is ResultStatus.EXPIRED

    def test_completed_with_a_given_score(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        ref = start(adapter, exam)
        done = complete(sim, ref, score=12.5)
        assert done["redirectUrl"].endswith(f"participantId={ref}")
        result = load_result(adapter.fetch_result(ref, test_id=exam["testId"]).payload)
        assert (result.score, result.percent) == (Decimal("12.5"), Decimal("62.50"))
        assert sum(section.score or 0 for section in result.sections) == Decimal("12.5")


class TestChanges:
    def test_pages_to_the_end_then_an_empty_page(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        requests.put(f"{sim.url}/sandbox/settings", json={"pageSize": 2}, timeout=5)
        refs = {start(adapter, exam, token=f"t{n}") for n in range(5)}
        seen, cursor, flags = [], None, []
        while True:
            page = adapter.list_changes(cursor)
            seen += [item.vendor_ref for item in page.items]
            flags.append(page.has_more)
            cursor = page.next_cursor
            if not page.has_more:
                break
        assert flags == [True, True, False]
        assert set(seen) == refs
        assert {item.status for item in page.items} == {"registered"}
        empty = adapter.list_changes(cursor)
        assert (empty.items, empty.has_more) == ((), False)
        finished = sorted(refs)[0]
        complete(sim, finished, score=3)
        (changed,) = adapter.list_changes(empty.next_cursor).items
        assert (changed.vendor_ref, changed.status) == (finished, "finished")

    def test_an_expired_token_restarts_the_listing(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        requests.put(f"{sim.url}/sandbox/settings", json={"pageSize": 2}, timeout=5)
        refs = {start(adapter, exam, token=f"t{n}") for n in range(3)}
        first = adapter.list_changes(None)
        assert first.has_more and first.next_cursor is not None
        assert "continuationToken" in first.next_cursor
        requests.post(f"{sim.url}/sandbox/continuation-tokens/expire", timeout=5)
        restarted = adapter.list_changes(first.next_cursor)
        assert [i.vendor_ref for i in restarted.items] == [i.vendor_ref for i in first.items]
        rest = adapter.list_changes(restarted.next_cursor)
        assert {i.vendor_ref for i in (*restarted.items, *rest.items)} == refs
        assert rest.has_more is False

    def test_a_refusal_without_token_is_raised(self, sim: ServedApp) -> None:
        with pytest.raises(VendorRefusedError):
            make_adapter(sim).list_changes('{"modifiedSince":"2999-01-01T00:00:00Z"}')

    @pytest.mark.parametrize("cursor", ["nope", "[]", '{"modifiedSince": 5}', '{"x": "y"}'])
    def test_a_foreign_cursor_is_an_error(self, adapter: StartExamAdapter, cursor: str) -> None:
        with pytest.raises(ValueError, match="cursor"):
            adapter.list_changes(cursor)


class TestCatalogueAndActions:
    def test_lists_active_tests(self, sim: ServedApp, adapter: StartExamAdapter) -> None:
        requests.post(
            f"{sim.url}/sandbox/tests",
            json={"title": "Long", "time": "01:30:20", "description": "d"},
            timeout=5,
        )
        requests.post(
            f"{sim.url}/sandbox/tests", json={"title": "Gone", "status": "deleted"}, timeout=5
        )
        (test,) = adapter.list_tests()
        assert (test.title, test.description, test.duration_minutes) == ("Long", "d", 91)

    def test_retake_registers_again(
        self, sim: ServedApp, adapter: StartExamAdapter, exam: dict[str, t.Any]
    ) -> None:
        ref = start(adapter, exam)
        complete(sim, ref, score=4)
        outcome = adapter.perform(AdminAction.RETAKE, ref, test_id=exam["testId"])
        assert outcome.vendor_ref != ref
        assert outcome.vendor_ref in outcome.message
        fresh = adapter.fetch_result(outcome.vendor_ref, test_id=exam["testId"]).payload
        assert fresh["isFinished"] is False
        assert {"name": "Email", "value": "ada@example.org"} in fresh["participantData"]

    def test_unsupported_action_is_refused(self, adapter: StartExamAdapter) -> None:
        assert adapter.supported_actions == frozenset({AdminAction.RETAKE})
        with pytest.raises(VendorRefusedError, match="reset"):
            adapter.perform(AdminAction.RESET, "x", test_id="t")

    def test_check_connection(self, adapter: StartExamAdapter, exam: dict[str, t.Any]) -> None:
        report = adapter.check_connection()
        assert report.ok and report.catalogue == "1 tests, 1 active" and report.warnings == ()

    def test_check_connection_refused(self, sim: ServedApp) -> None:
        report = make_adapter(sim, secret_key="d3JvbmcK").check_connection()
        assert not report.auth_ok and "secret key" in report.detail
        assert "key_encoding" not in report.detail

    def test_check_connection_finds_the_key_encoding(self) -> None:
        app = create_startexam_app(account_id=ACCOUNT, secret_key="c2VjcmV0", key_encoding="base64")
        with serve_app(app) as served:
            refused = make_adapter(served, secret_key="c2VjcmV0").check_connection()
            assert not refused.auth_ok and "key_encoding=base64" in refused.detail
            fixed = make_adapter(served, secret_key="c2VjcmV0", key_encoding="base64")
            assert fixed.check_connection().ok


def test_the_candidate_link_can_be_rebuilt(adapter: StartExamAdapter) -> None:
    link = adapter.candidate_url("p-1")
    assert urllib.parse.urlsplit(link).path == "/go/sandbox/participant/p-1"
