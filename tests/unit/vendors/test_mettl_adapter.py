"""Mettl adapter against the simulator over real HTTP: start, signal, fetch, sweep, actions."""

from __future__ import annotations

import json
import time
import typing as t
import urllib.parse

import pytest
import requests

from lti.http import TimeoutSession
from mappings.mettl import load_result
from mappings.result import ResultStatus
from plugin.sandbox.browser import parse_forms
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.vendors.base import AdminAction
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import Learner
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartRequest
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.mettl import MettlAdapter
from plugin.vendors.mettl import MettlConfig
from plugin.vendors.mettl.cursor import SweepCursor
from tests.unit.vendors.helpers import Clock
from tests.unit.vendors.helpers import Receiver
from tests.unit.vendors.helpers import control

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

PUBLIC = "pk-sandbox"
PRIVATE = "sk-sandbox-very-secret"
KEY = "sched1"
ADA = Learner(
    external_id="lti-user-1", email="Ada@Example.org", given_name="Ada", family_name="Lovelace"
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver()
    yield hooks
    hooks.served.shutdown()


@pytest.fixture
def sim_clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(sim_clock: Clock, receiver: Receiver) -> Iterator[ServedApp]:
    app = create_mettl_app(
        public_key=PUBLIC,
        private_key=PRIVATE,
        clock=sim_clock,
        callback_url=receiver.url,
        notification_retry_delays=(0.05,),
    )
    with serve_app(app) as served:
        control(served, "POST", "/sandbox/schedules", name="Java test", accessKey=KEY)
        yield served


def make_adapter(
    sim: ServedApp, clock: t.Callable[[], float] = time.time, **settings: str
) -> MettlAdapter:
    values = {"public_key": PUBLIC, "private_key": PRIVATE, "base_url": sim.url, **settings}
    config = MettlConfig.from_mapping(values)
    return MettlAdapter(config, session=TimeoutSession(retries=0), clock=clock)


@pytest.fixture
def adapter(sim: ServedApp) -> MettlAdapter:
    return make_adapter(sim)


def start(adapter: MettlAdapter, learner: Learner = ADA, test_id: str = KEY) -> t.Any:
    return adapter.start_attempt(
        StartRequest(
            attempt_token="tok-1",
            test_id=test_id,
            learner=learner,
            return_url="http://127.0.0.1:9/return/tok-1",
            callback_url="http://127.0.0.1:9/cb",
        )
    )


def take_test(link: str, answers: dict[str, str]) -> requests.Response:
    """Open the candidate link, start, answer and finish like a browser would."""
    browser = requests.Session()
    page = browser.get(link, timeout=5)
    (start_form,), _ = parse_forms(page.text)
    questions = browser.post(urllib.parse.urljoin(link, start_form.action), timeout=5)
    (finish_form,), _ = parse_forms(questions.text)
    return browser.post(urllib.parse.urljoin(link, finish_form.action), data=answers, timeout=5)


def signal(payload: dict[str, t.Any], **query: str) -> IncomingRequest:
    return IncomingRequest(
        method="POST",
        path="/callbacks/mettl/1",
        headers={},
        query=query,
        body=json.dumps(payload).encode(),
    )


class TestStart:
    def test_registers_and_returns_the_link(self, adapter: MettlAdapter) -> None:
        started = start(adapter)

        assert started.vendor_ref == f"{KEY}/ada@example.org"
        assert started.redirect_url and "/authenticateKey/" in started.redirect_url
        assert started.extra == {"access_key": KEY, "email": "ada@example.org"}

    def test_starting_again_is_idempotent(self, adapter: MettlAdapter) -> None:
        first, again = start(adapter), start(adapter)

        assert (again.vendor_ref, again.redirect_url) == (first.vendor_ref, first.redirect_url)

    def test_learner_without_email_gets_a_stable_stand_in(self, adapter: MettlAdapter) -> None:
        hidden = Learner(external_id="lti-user-9", email="")

        first, again = start(adapter, hidden), start(adapter, hidden)

        assert first.vendor_ref == again.vendor_ref
        assert first.vendor_ref.endswith("@learners.invalid")

    def test_unknown_schedule(self, adapter: MettlAdapter) -> None:
        with pytest.raises(NotFoundError, match="E404"):
            start(adapter, test_id="nosuch")

    def test_link_field_that_mettl_does_not_send(self, sim: ServedApp) -> None:
        adapter = make_adapter(sim, registration_link_field="testLink")

        with pytest.raises(VendorRefusedError, match="registration_link_field"):
            start(adapter)


class TestCompletion:
    def test_candidate_page_to_notification_to_result(
        self, adapter: MettlAdapter, receiver: Receiver
    ) -> None:
        started = start(adapter)

        finished = take_test(started.redirect_url or "", {"q0": "1", "q1": "0", "q2": "1"})

        assert finished.status_code == 200
        finish, graded = receiver.wait_for(2)
        signals = [adapter.parse_signal(finish), adapter.parse_signal(graded)]
        assert [s.status_hint for s in signals] == ["finishTest", "gradedAssessment"]
        # The graded notification names no schedule: only the candidate and assessment.
        assert [s.vendor_ref for s in signals] == [started.vendor_ref, None]
        assert started.vendor_ref == f"{KEY}/{signals[1].candidate_email}"
        assert signals[1].vendor_test_hint
        assert all(s.kind is SignalKind.WEBHOOK and not s.authenticated for s in signals)
        raw = adapter.fetch_result(started.vendor_ref, test_id=KEY)
        result = load_result(raw.payload)
        assert result.status is ResultStatus.COMPLETED
        assert (result.score, result.max_score) == (2, 5)
        assert raw.fetched_at.tzinfo is not None

    def test_exit_redirection_sends_the_browser_back(
        self, sim: ServedApp, adapter: MettlAdapter
    ) -> None:
        control(
            sim,
            "PUT",
            f"/sandbox/schedules/{KEY}/settings",
            exitRedirectionUrl="http://127.0.0.1:9/return/tok-1",
        )
        started = start(adapter)

        browser = requests.Session()
        token_page = browser.get(started.redirect_url or "", timeout=5)
        (form,), _ = parse_forms(token_page.text)
        browser.post(urllib.parse.urljoin(started.redirect_url or "", form.action), timeout=5)
        finish = browser.post(f"{started.redirect_url}/finish", allow_redirects=False, timeout=5)

        assert finish.status_code == 303
        assert finish.headers["Location"] == "http://127.0.0.1:9/return/tok-1"


class TestParseSignal:
    def test_finish_notification(self, adapter: MettlAdapter) -> None:
        parsed = adapter.parse_signal(
            signal({"EVENT_TYPE": "finishTest", "invitation_key": KEY, "email": "Ada@Example.org"})
        )

        assert parsed.vendor_ref == f"{KEY}/ada@example.org"

    def test_graded_notification_names_the_candidate_in_registration(
        self, adapter: MettlAdapter
    ) -> None:
        parsed = adapter.parse_signal(
            signal(
                {
                    "EVENT_TYPE": "gradedAssessment",
                    "registrationDetails": {"Email Address": "a@b.org"},
                },
                accessKey=KEY,
            )
        )

        assert parsed.vendor_ref == f"{KEY}/a@b.org"

    def test_access_key_in_the_url_wins(self, adapter: MettlAdapter) -> None:
        parsed = adapter.parse_signal(
            signal(
                {"EVENT_TYPE": "finishTest", "invitation_key": "23213", "email": "a@b.org"},
                accessKey=KEY,
            )
        )

        assert parsed.vendor_ref == f"{KEY}/a@b.org"

    def test_a_graded_notification_without_schedule_names_the_candidate_and_assessment(
        self, adapter: MettlAdapter
    ) -> None:
        parsed = adapter.parse_signal(
            signal({"EVENT_TYPE": "gradedAssessment", "assessmentId": 42, "email": "A@b.org"})
        )

        assert parsed.vendor_ref is None
        assert (parsed.candidate_email, parsed.vendor_test_hint) == ("a@b.org", "42")

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (b"not json", "not JSON"),
            (b"[1, 2]", "not a JSON object"),
            (b'{"EVENT_TYPE": "startTest", "email": "a@b.org"}', "EVENT_TYPE"),
            (b'{"EVENT_TYPE": "finishTest", "invitation_key": "k"}', "e-mail"),
        ],
    )
    def test_unusable_payloads_are_rejected(
        self, adapter: MettlAdapter, body: bytes, reason: str
    ) -> None:
        incoming = IncomingRequest(method="POST", path="/cb", headers={}, query={}, body=body)

        with pytest.raises(SignalRejectedError, match=reason):
            adapter.parse_signal(incoming)


def sweep(adapter: MettlAdapter, cursor: str | None = None) -> list[t.Any]:
    pages = []
    while True:
        page = adapter.list_changes(cursor)
        pages.append(page)
        cursor = page.next_cursor
        if not page.has_more:
            return pages


class TestListChanges:
    def test_sweeps_every_schedule_to_the_end(self, sim: ServedApp, adapter: MettlAdapter) -> None:
        control(sim, "POST", "/sandbox/schedules", name="Empty", accessKey="empty1")
        control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=150, completed_ratio=0.6)

        pages = sweep(adapter)

        assert [len(p.items) for p in pages] == [100, 50, 0]
        assert pages[-1].next_cursor is None
        refs = {i.vendor_ref for p in pages for i in p.items}
        assert len(refs) == 150 and all(r.startswith(f"{KEY}/bulk") for r in refs)
        statuses = [i.status for p in pages for i in p.items]
        assert statuses.count("Completed") == 90 and statuses.count("ToBeTaken") == 60
        assert all(i.changed_at is not None for i in pages[0].items[:90])

    def test_no_schedules_means_nothing_to_do(self) -> None:
        with serve_app(create_mettl_app(public_key=PUBLIC, private_key=PRIVATE)) as empty:
            page = make_adapter(empty).list_changes(None)

        assert (page.items, page.next_cursor, page.has_more) == ((), None, False)

    def test_expired_paging_link_falls_back_to_the_offset(
        self, sim: ServedApp, sim_clock: Clock
    ) -> None:
        adapter = make_adapter(sim, clock=sim_clock)
        control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=120, completed_ratio=1.0)
        first = adapter.list_changes(None)
        sim_clock.now += 24 * 3600 + 60

        second = adapter.list_changes(first.next_cursor)

        assert len(second.items) == 20 and not second.has_more
        assert not {i.vendor_ref for i in second.items} & {i.vendor_ref for i in first.items}

    def test_unreadable_cursor_restarts_the_sweep(
        self, sim: ServedApp, adapter: MettlAdapter
    ) -> None:
        control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=3, completed_ratio=1.0)

        page = adapter.list_changes('{"v": 99}')

        assert len(page.items) == 3

    def test_offset_past_a_shrunken_schedule_restarts_it(
        self, sim: ServedApp, adapter: MettlAdapter
    ) -> None:
        control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=5, completed_ratio=1.0)
        stale = SweepCursor((KEY,), offset=40).encode()

        page = adapter.list_changes(stale)

        assert len(page.items) == 5 and page.next_cursor is None

    def test_deleted_schedule_is_skipped(self, sim: ServedApp, adapter: MettlAdapter) -> None:
        control(sim, "POST", f"/sandbox/schedules/{KEY}/bulk", count=2, completed_ratio=1.0)
        cursor = SweepCursor(("gone1", KEY)).encode()

        page = adapter.list_changes(cursor)

        assert len(page.items) == 2


class TestCatalogueAndActions:
    def test_list_tests_follows_paging(self, sim: ServedApp, adapter: MettlAdapter) -> None:
        for n in range(100):
            control(sim, "POST", "/sandbox/schedules", name=f"S{n}", accessKey=f"s{n}")

        tests = adapter.list_tests()

        assert len(tests) == 101
        assert tests[0].id == KEY and tests[0].title == "Java test"

    def test_delete_result(self, sim: ServedApp, adapter: MettlAdapter) -> None:
        started = start(adapter)
        control(sim, "POST", f"/sandbox/attempts/{started.vendor_ref}/complete", percent=40)

        outcome = adapter.perform(AdminAction.DELETE_RESULT, started.vendor_ref, test_id=KEY)

        assert outcome.vendor_ref == started.vendor_ref
        assert start(adapter).redirect_url != started.redirect_url

    def test_delete_refused_while_in_progress(self, sim: ServedApp, adapter: MettlAdapter) -> None:
        started = start(adapter)
        control(sim, "POST", f"/sandbox/attempts/{started.vendor_ref}/start")

        with pytest.raises(VendorRefusedError, match="completed or expired"):
            adapter.perform(AdminAction.DELETE_RESULT, started.vendor_ref, test_id=KEY)

    @pytest.mark.parametrize("action", [AdminAction.RETAKE, AdminAction.CANCEL])
    def test_unsupported_actions(self, adapter: MettlAdapter, action: AdminAction) -> None:
        with pytest.raises(VendorRefusedError, match="does not support"):
            adapter.perform(action, f"{KEY}/a@b.org", test_id=KEY)

    def test_malformed_reference(self, adapter: MettlAdapter) -> None:
        with pytest.raises(VendorRefusedError, match="reference"):
            adapter.fetch_result("no-email-here", test_id=KEY)

    def test_check_connection(self, sim: ServedApp, adapter: MettlAdapter) -> None:
        assert adapter.check_connection().catalogue == "account Sandbox Account"
        refused = make_adapter(sim, private_key="nope").check_connection()
        assert not refused.auth_ok and "E401" in refused.detail

    def test_kind_and_actions(self) -> None:
        assert MettlAdapter.kind == "mettl"
        assert frozenset({AdminAction.DELETE_RESULT}) == MettlAdapter.supported_actions
