"""ProctorExam adapter against the simulator over real HTTP: starts, triggers, results,
the polling sweep, exams, emails and the connection check."""

from __future__ import annotations

import json
import typing as t

import pytest
import requests

from lti.http import TimeoutSession
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.proctorexam import create_proctorexam_app
from plugin.vendors.base import AdminAction
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import Learner
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartRequest
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.proctorexam import ProctorExamAdapter
from plugin.vendors.proctorexam import ProctorExamConfig

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

TOKEN = "api-token-value"
SECRET = "user-secret-key"


@pytest.fixture
def sim() -> Iterator[ServedApp]:
    with serve_app(create_proctorexam_app(api_token=TOKEN, secret_key=SECRET)) as served:
        yield served


def make_adapter(sim: ServedApp, *, page_limit: int = 300, **settings: str) -> ProctorExamAdapter:
    info = requests.get(f"{sim.url}/sandbox/info", timeout=5).json()
    values = {
        "api_token": TOKEN,
        "secret_key": SECRET,
        "base_url": info["baseUrl"],
        "student_url_template": info["studentUrlTemplate"],
        **settings,
    }
    session = TimeoutSession(retries=0, read_timeout=3.0)
    return ProctorExamAdapter(
        ProctorExamConfig.from_mapping(values), session=session, page_limit=page_limit
    )


@pytest.fixture
def adapter(sim: ServedApp) -> ProctorExamAdapter:
    return make_adapter(sim)


def new_exam(sim: ServedApp, **fields: t.Any) -> str:
    return str(requests.post(f"{sim.url}/sandbox/exams", json=fields, timeout=5).json()["id"])


def learner(n: int = 1) -> Learner:
    return Learner(
        external_id=f"u{n}", email=f"s{n}@example.org", given_name="Stu", family_name=str(n)
    )


def start(adapter: ProctorExamAdapter, exam_id: str, n: int = 1) -> str:
    return adapter.start_attempt(StartRequest(f"a{n}", exam_id, learner(n), "", "")).vendor_ref


def complete(sim: ServedApp, ref: str, **body: t.Any) -> dict[str, t.Any]:
    answer = requests.post(f"{sim.url}/sandbox/attempts/{ref}/complete", json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return t.cast("dict[str, t.Any]", answer.json())


def trigger(query: dict[str, str], body: bytes = b"", content_type: str = "") -> IncomingRequest:
    headers = {"Content-Type": content_type} if content_type else {}
    return IncomingRequest("POST", "/callbacks/proctorexam/3", headers, query, body)


def sweep(adapter: ProctorExamAdapter, cursor: str | None) -> tuple[list[str], list[bool], str]:
    refs, flags = [], []
    while True:
        page = adapter.list_changes(cursor)
        refs += [item.vendor_ref for item in page.items]
        flags.append(page.has_more)
        assert page.next_cursor is not None
        cursor = page.next_cursor
        if not page.has_more:
            return refs, flags, cursor


class TestStart:
    def test_creates_the_session_and_links_to_the_exam_room(
        self, sim: ServedApp, adapter: ProctorExamAdapter
    ) -> None:
        exam_id = new_exam(sim)
        started = adapter.start_attempt(StartRequest("a1", exam_id, learner(), "", ""))
        student = requests.get(f"{sim.url}/sandbox/attempts/{started.vendor_ref}", timeout=5).json()
        assert started.redirect_url == f"{sim.url}/student_sessions/{student['token']}"
        assert (student["name"], student["email"]) == ("Stu 1", "s1@example.org")
        assert student["status"] == "email_sent"
        page = requests.get(started.redirect_url, timeout=5)
        assert page.status_code == 200 and "End exam" in page.text

    def test_starting_twice_returns_the_same_session(
        self, sim: ServedApp, adapter: ProctorExamAdapter
    ) -> None:
        exam_id = new_exam(sim)
        first = adapter.start_attempt(StartRequest("a1", exam_id, learner(), "", ""))
        again = make_adapter(sim).start_attempt(StartRequest("a1", exam_id, learner(), "", ""))
        assert first == again
        other = start(adapter, exam_id, n=2)
        assert other != first.vendor_ref
        assert len(requests.get(f"{sim.url}/sandbox/state", timeout=5).json()["students"]) == 2

    def test_a_custom_link_template(self, sim: ServedApp) -> None:
        custom = make_adapter(sim, student_url_template="{base_url}/exams/{exam_id}/students/{id}")
        exam_id = new_exam(sim)
        started = custom.start_attempt(StartRequest("a1", exam_id, learner(), "", ""))
        assert started.redirect_url == f"{sim.url}/exams/{exam_id}/students/{started.vendor_ref}"

    def test_unknown_exam(self, adapter: ProctorExamAdapter) -> None:
        with pytest.raises(NotFoundError, match="Couldn't find Exam"):
            start(adapter, "404")

    def test_page_limit_is_bounded(self, sim: ServedApp) -> None:
        with pytest.raises(ValueError, match="page_limit"):
            make_adapter(sim, page_limit=301)


class TestSignal:
    @pytest.mark.parametrize(
        ("query", "body", "content_type"),
        [
            ({"student_session_id": "12"}, b"", ""),
            ({"id": "12"}, b"", ""),
            ({}, b'{"student_session_id": 12}', "application/json"),
            ({}, b"student_session_id=12", "application/x-www-form-urlencoded"),
        ],
    )
    def test_a_trigger_names_a_session(
        self, adapter: ProctorExamAdapter, query: dict[str, str], body: bytes, content_type: str
    ) -> None:
        parsed = adapter.parse_signal(trigger(query, body, content_type))
        assert (parsed.kind, parsed.vendor_ref, parsed.authenticated) == (
            SignalKind.CALLBACK,
            "12",
            False,
        )

    @pytest.mark.parametrize(
        ("query", "body", "content_type"),
        [
            ({}, b"", ""),
            ({"student_session_id": "x1"}, b"", ""),
            ({}, b"{not json", "application/json"),
            ({}, b"[12]", "application/json"),
        ],
    )
    def test_an_unusable_trigger_is_rejected(
        self, adapter: ProctorExamAdapter, query: dict[str, str], body: bytes, content_type: str
    ) -> None:
        with pytest.raises(SignalRejectedError):
            adapter.parse_signal(trigger(query, body, content_type))


class TestResults:
    def test_the_result_keeps_the_review(self, sim: ServedApp, adapter: ProctorExamAdapter) -> None:
        exam_id = new_exam(sim)
        ref = start(adapter, exam_id)
        pending = adapter.fetch_result(ref, test_id=exam_id).payload
        assert (pending["status"], pending["reviewed"]) == ("email_sent", "00")
        complete(sim, ref, reviewed="10", incidents=["talking", "left the room"])
        raw = adapter.fetch_result(ref, test_id=exam_id)
        assert raw.vendor_ref == ref
        assert raw.payload["status"] == "exam_finished"
        assert raw.payload["reviewed"] == "10"
        assert [i["comment"] for i in raw.payload["incidents"]] == ["talking", "left the room"]
        assert raw.payload["incidents_count"] == 2

    def test_a_missing_session(self, adapter: ProctorExamAdapter) -> None:
        with pytest.raises(NotFoundError, match="Student Session"):
            adapter.fetch_result("9999", test_id="1")


class TestChanges:
    def test_sweeps_every_exam_page_by_page(
        self, sim: ServedApp, adapter: ProctorExamAdapter
    ) -> None:
        paged = make_adapter(sim, page_limit=2)
        first, second = new_exam(sim), new_exam(sim)
        finished = [start(adapter, first, n) for n in range(3)] + [start(adapter, second, 9)]
        unfinished = start(adapter, first, 5)
        for ref in finished:
            complete(sim, ref)
        refs, flags, cursor = sweep(paged, None)
        assert sorted(refs) == sorted(finished) and unfinished not in refs
        assert flags == [True, True, False]
        again, _, cursor = sweep(paged, cursor)
        assert again == [finished[-1]]
        complete(sim, unfinished, reviewed="11")
        later, _, _ = sweep(paged, cursor)
        # the newest session of the last sweep comes back once more (updated_at >= since)
        assert later == [unfinished, finished[-1]]

    def test_a_review_brings_a_session_back(
        self, sim: ServedApp, adapter: ProctorExamAdapter
    ) -> None:
        exam_id = new_exam(sim)
        reviewed, other = start(adapter, exam_id, 1), start(adapter, exam_id, 2)
        complete(sim, reviewed)
        complete(sim, other)
        _, _, cursor = sweep(adapter, None)
        requests.post(f"{sim.url}/sandbox/attempts/{reviewed}/review", json={}, timeout=5)
        refs, _, _ = sweep(adapter, cursor)
        assert refs == [other, reviewed]

    def test_no_exams_gives_one_empty_page(self, adapter: ProctorExamAdapter) -> None:
        page = adapter.list_changes(None)
        assert (page.items, page.has_more) == ((), False)
        assert json.loads(page.next_cursor or "") == {"updatedSince": None}

    def test_an_exam_without_finished_sessions_gives_an_empty_page(
        self, sim: ServedApp, adapter: ProctorExamAdapter
    ) -> None:
        start(adapter, new_exam(sim))
        page = adapter.list_changes(None)
        assert (page.items, page.has_more) == ((), False)

    def test_a_page_past_the_end_moves_on(
        self, sim: ServedApp, adapter: ProctorExamAdapter
    ) -> None:
        first, second = new_exam(sim), new_exam(sim)
        ref = start(adapter, second)
        complete(sim, ref)
        cursor = json.dumps({"updatedSince": None, "exams": [int(first), int(second)], "page": 7})
        empty = adapter.list_changes(cursor)
        assert (empty.items, empty.has_more) == ((), True)
        refs, _, _ = sweep(adapter, empty.next_cursor)
        assert refs == [ref]

    def test_a_deleted_exam_is_skipped(self, sim: ServedApp) -> None:
        paged = make_adapter(sim, page_limit=1)
        first, second = new_exam(sim), new_exam(sim)
        refs = [start(paged, first, 1), start(paged, first, 2), start(paged, second, 3)]
        for ref in refs:
            complete(sim, ref)
        page = paged.list_changes(None)
        requests.patch(f"{sim.url}/sandbox/exams/{first}", json={"status": "deleted"}, timeout=5)
        rest, _, _ = sweep(paged, page.next_cursor)
        assert rest == [refs[2]]

    @pytest.mark.parametrize(
        "cursor", ["nope", "[]", '{"updatedSince": 5}', '{"other": 1}', '{"page": "x"}']
    )
    def test_a_foreign_cursor_is_an_error(self, adapter: ProctorExamAdapter, cursor: str) -> None:
        with pytest.raises(ValueError, match="cursor"):
            adapter.list_changes(cursor)


class TestCatalogueAndActions:
    def test_lists_exams_that_are_not_deleted(self, sim: ServedApp) -> None:
        new_exam(sim, name="Midterm", duration_minutes=45)
        new_exam(sim, name="Final")
        gone = new_exam(sim, name="Gone")
        requests.patch(f"{sim.url}/sandbox/exams/{gone}", json={"status": "deleted"}, timeout=5)
        tests = make_adapter(sim, page_limit=1).list_tests()
        assert [(x.title, x.duration_minutes) for x in tests] == [("Midterm", 45), ("Final", 60)]

    def test_send_email(self, sim: ServedApp, adapter: ProctorExamAdapter) -> None:
        exam_id = new_exam(sim)
        ref = start(adapter, exam_id)
        added = adapter.client.create_student_session(exam_id, name="Late", email="late@x.org")
        outcome = adapter.perform(AdminAction.SEND_EMAIL, ref, test_id=exam_id)
        assert (outcome.vendor_ref, outcome.message) == (ref, "emails sent for 1 student(s)")
        assert adapter.fetch_result(str(added["id"]), test_id=exam_id).payload["token"]

    def test_unsupported_action(self, adapter: ProctorExamAdapter) -> None:
        with pytest.raises(VendorRefusedError, match="retake"):
            adapter.perform(AdminAction.RETAKE, "1", test_id="1")

    def test_check_connection(self, sim: ServedApp, adapter: ProctorExamAdapter) -> None:
        new_exam(sim)
        new_exam(sim)
        assert adapter.check_connection().catalogue == "2 exams"

    def test_check_connection_refused(self, sim: ServedApp) -> None:
        assert not make_adapter(sim, secret_key="wrong").check_connection().auth_ok
