"""iMocha adapter against the simulator over real HTTP: start, callbacks, fetch, changes."""

from __future__ import annotations

import json
import time
import typing as t
import urllib.parse

import pytest
import requests

from lti.http import TimeoutSession
from mappings.imocha import load_result
from mappings.result import ResultStatus
from plugin.sandbox.browser import parse_forms
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.imocha import create_imocha_app
from plugin.vendors.base import AdminAction
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import Learner
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartRequest
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.imocha import IMochaAdapter
from plugin.vendors.imocha import IMochaConfig
from tests.unit.vendors.helpers import Clock
from tests.unit.vendors.helpers import Receiver
from tests.unit.vendors.helpers import control

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

API_KEY = "imocha-sandbox-key"
TEST_ID = "11223"
ADA = Learner(
    external_id="lti-user-1", email="Ada@Example.org", given_name="Ada", family_name="Lovelace"
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver()
    yield hooks
    hooks.served.shutdown()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[ServedApp]:
    with serve_app(create_imocha_app(api_key=API_KEY, clock=clock)) as served:
        control(served, "POST", "/sandbox/tests", name="Python", testId=int(TEST_ID))
        yield served


def make_adapter(
    sim: ServedApp, clock: t.Callable[[], float] = time.time, **settings: str
) -> IMochaAdapter:
    config = IMochaConfig.from_mapping({"api_key": API_KEY, "base_url": sim.url, **settings})
    return IMochaAdapter(config, session=TimeoutSession(retries=0), clock=clock)


@pytest.fixture
def adapter(sim: ServedApp, clock: Clock) -> IMochaAdapter:
    return make_adapter(sim, clock)


def start(
    adapter: IMochaAdapter, callback_url: str = "http://127.0.0.1:9/cb", learner: Learner = ADA
) -> t.Any:
    return adapter.start_attempt(
        StartRequest(
            attempt_token="tok-1",
            test_id=TEST_ID,
            learner=learner,
            return_url="http://127.0.0.1:9/return/tok-1",
            callback_url=callback_url,
        )
    )


def callback(payload: t.Any) -> IncomingRequest:
    return IncomingRequest(
        method="POST",
        path="/callbacks/imocha/1",
        headers={},
        query={},
        body=json.dumps(payload).encode(),
    )


class TestStart:
    def test_invites_and_returns_the_test_url(self, adapter: IMochaAdapter) -> None:
        started = start(adapter)

        assert started.vendor_ref.isdigit()
        assert "/IMInstructions?token=" in (started.redirect_url or "")
        assert started.extra == {"status": "Pending"}

    def test_starting_again_is_idempotent(self, adapter: IMochaAdapter) -> None:
        first, again = start(adapter), start(adapter)

        assert (again.vendor_ref, again.redirect_url) == (first.vendor_ref, first.redirect_url)

    def test_learner_without_email_or_name(self, adapter: IMochaAdapter) -> None:
        hidden = Learner(external_id="lti-user-9", email="")

        assert (
            start(adapter, learner=hidden).vendor_ref == start(adapter, learner=hidden).vendor_ref
        )


class TestCompletion:
    def test_candidate_page_to_callbacks_to_report(
        self, adapter: IMochaAdapter, receiver: Receiver
    ) -> None:
        started = start(adapter, callback_url=receiver.url)
        link = started.redirect_url or ""
        browser = requests.Session()
        (start_form,), _ = parse_forms(browser.get(link, timeout=5).text)
        questions = browser.post(
            urllib.parse.urljoin(link, start_form.action), data=dict(start_form.fields), timeout=5
        )
        submit_form = parse_forms(questions.text)[0][0]

        done = browser.post(
            urllib.parse.urljoin(link, submit_form.action),
            data={**dict(submit_form.fields), "q0": "1", "q1": "1"},
            allow_redirects=False,
            timeout=5,
        )

        assert done.status_code == 303
        assert done.headers["Location"] == "http://127.0.0.1:9/return/tok-1"
        in_progress, complete = (adapter.parse_signal(r) for r in receiver.wait_for(2))
        assert (in_progress.status_hint, complete.status_hint) == ("In Progress", "Complete")
        assert complete.vendor_ref == started.vendor_ref
        assert complete.kind is SignalKind.CALLBACK and not complete.authenticated
        raw = adapter.fetch_result(complete.vendor_ref or "", test_id=TEST_ID)
        result = load_result(raw.payload)
        assert result.status is ResultStatus.COMPLETED
        assert (result.score, result.max_score) == (3, 5)
        assert [s.title for s in result.sections] == ["Python", "SQL"]

    @pytest.mark.parametrize("report_type", ["1", "2"])
    def test_configured_report_type(self, sim: ServedApp, report_type: str) -> None:
        adapter = make_adapter(sim, report_type=report_type)
        started = start(adapter)
        control(sim, "POST", f"/sandbox/attempts/{started.vendor_ref}/complete", percent=50)

        payload = adapter.fetch_result(started.vendor_ref, test_id=TEST_ID).payload

        assert ("skills" in payload) is (report_type == "2")
        assert load_result(payload).status is ResultStatus.COMPLETED


class TestParseSignal:
    def test_legacy_keys_with_trailing_spaces(self, adapter: IMochaAdapter) -> None:
        parsed = adapter.parse_signal(
            callback({"TestInvitationId ": "331469", "Status ": "Complete"})
        )

        assert (parsed.vendor_ref, parsed.status_hint) == ("331469", "Complete")

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (b"\xff\xfe", "not JSON"),
            (b'"text"', "not a JSON object"),
            (b'{"Status": "Complete"}', "TestInvitationId"),
            (b'{"TestInvitationId": "abc"}', "TestInvitationId"),
            (b'{"TestInvitationId": true}', "TestInvitationId"),
        ],
    )
    def test_unusable_payloads_are_rejected(
        self, adapter: IMochaAdapter, body: bytes, reason: str
    ) -> None:
        incoming = IncomingRequest(method="POST", path="/cb", headers={}, query={}, body=body)

        with pytest.raises(SignalRejectedError, match=reason):
            adapter.parse_signal(incoming)


def sweep(adapter: IMochaAdapter, cursor: str | None = None) -> tuple[list[t.Any], str | None]:
    pages = []
    while True:
        page = adapter.list_changes(cursor)
        pages.append(page)
        cursor = page.next_cursor
        if not page.has_more:
            return pages, cursor


class TestListChanges:
    def test_one_sweep_reads_every_state(
        self, sim: ServedApp, adapter: IMochaAdapter, clock: Clock
    ) -> None:
        done, gone, old = (
            start(adapter, learner=Learner(f"u{n}", f"l{n}@example.org")) for n in range(3)
        )
        control(sim, "POST", f"/sandbox/attempts/{done.vendor_ref}/complete", status="Terminated")
        control(sim, "POST", f"/sandbox/attempts/{gone.vendor_ref}/expire")
        clock.now += 60

        pages, _ = sweep(adapter)

        assert [[(i.vendor_ref, i.status) for i in p.items] for p in pages] == [
            [(done.vendor_ref, "Terminated")],
            [],
            [(gone.vendor_ref, "Expired")],
        ]
        assert [p.has_more for p in pages] == [True, True, False]
        assert old.vendor_ref not in {i.vendor_ref for p in pages for i in p.items}

    def test_next_sweep_rereads_the_window_and_sees_new_changes(
        self, sim: ServedApp, adapter: IMochaAdapter, clock: Clock
    ) -> None:
        first = start(adapter)
        control(sim, "POST", f"/sandbox/attempts/{first.vendor_ref}/complete")
        clock.now += 60
        _, cursor = sweep(adapter)
        later = start(adapter, learner=Learner("u2", "bob@example.org"))
        clock.now += 60
        control(sim, "POST", f"/sandbox/attempts/{later.vendor_ref}/complete")
        clock.now += 60

        pages, _ = sweep(adapter, cursor)

        assert {i.vendor_ref for i in pages[0].items} == {first.vendor_ref, later.vendor_ref}

    def test_changes_older_than_the_window_are_not_read(
        self, sim: ServedApp, adapter: IMochaAdapter, clock: Clock
    ) -> None:
        started = start(adapter)
        control(sim, "POST", f"/sandbox/attempts/{started.vendor_ref}/complete")
        clock.now += 73 * 3600

        pages, _ = sweep(adapter)

        assert all(not p.items for p in pages)

    @pytest.mark.parametrize(
        "cursor",
        [
            "garbage",
            '{"v": 1, "from": -5, "state": 0}',
            '{"v": 1, "from": 1, "until": null, "state": 3}',
        ],
    )
    def test_unreadable_cursor_restarts_the_window(
        self, sim: ServedApp, adapter: IMochaAdapter, clock: Clock, cursor: str
    ) -> None:
        started = start(adapter)
        control(sim, "POST", f"/sandbox/attempts/{started.vendor_ref}/complete")
        clock.now += 60

        page = adapter.list_changes(cursor)

        assert [i.vendor_ref for i in page.items] == [started.vendor_ref] and page.has_more


class TestCatalogueAndActions:
    def test_list_tests_pages_to_an_empty_page(
        self, sim: ServedApp, adapter: IMochaAdapter
    ) -> None:
        for n in range(99):
            control(sim, "POST", "/sandbox/tests", name=f"Test {n}")

        tests = adapter.list_tests()

        assert len(tests) == 100
        assert (tests[0].id, tests[0].title, tests[0].duration_minutes) == (TEST_ID, "Python", 18)

    def test_reattempt_gives_a_new_reference(self, sim: ServedApp, adapter: IMochaAdapter) -> None:
        started = start(adapter)
        control(sim, "POST", f"/sandbox/attempts/{started.vendor_ref}/complete")

        outcome = adapter.perform(AdminAction.REATTEMPT, started.vendor_ref, test_id=TEST_ID)

        assert outcome.vendor_ref != started.vendor_ref
        assert outcome.vendor_ref in outcome.message

    def test_cancel_pending_only(self, sim: ServedApp, adapter: IMochaAdapter) -> None:
        started = start(adapter)

        outcome = adapter.perform(AdminAction.CANCEL, started.vendor_ref, test_id=TEST_ID)

        assert outcome.vendor_ref == started.vendor_ref
        with pytest.raises(VendorRefusedError, match="can not be cancelled"):
            adapter.perform(AdminAction.CANCEL, started.vendor_ref, test_id=TEST_ID)

    @pytest.mark.parametrize("action", [AdminAction.RETAKE, AdminAction.DELETE_RESULT])
    def test_unsupported_actions(self, adapter: IMochaAdapter, action: AdminAction) -> None:
        with pytest.raises(VendorRefusedError, match="does not support"):
            adapter.perform(action, "3178622", test_id=TEST_ID)

    def test_malformed_reference(self, adapter: IMochaAdapter) -> None:
        with pytest.raises(VendorRefusedError, match="invitation id"):
            adapter.fetch_result("ada@example.org", test_id=TEST_ID)

    def test_check_connection(self, sim: ServedApp, adapter: IMochaAdapter) -> None:
        assert adapter.check_connection().catalogue == "1 tests"
        assert not make_adapter(sim, api_key="wrong").check_connection().auth_ok

    def test_kind_and_actions(self) -> None:
        assert IMochaAdapter.kind == "imocha"
        assert frozenset({AdminAction.REATTEMPT, AdminAction.CANCEL}) == (
            IMochaAdapter.supported_actions
        )
