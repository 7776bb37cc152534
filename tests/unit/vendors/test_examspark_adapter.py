"""ExamSparkAdapter against the ExamSpark simulator over real HTTP."""

from __future__ import annotations

import json
import threading
import time
import typing as t

import pytest
import requests
from flask import Flask
from flask import request

from mappings.examspark import load_result
from mappings.result import ResultStatus
from plugin.runtime.shared_store import MemoryStore
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import parse_forms
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.sandbox.vendors.examspark import player_url
from plugin.vendors.base import AdminAction
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import Learner
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartRequest
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.examspark import ExamSparkAdapter
from plugin.vendors.examspark import ExamSparkConfig
from plugin.vendors.examspark.config import DEFAULT_BASE_URL
from plugin.vendors.examspark.outcomes import pox_message_id
from plugin.vendors.examspark.outcomes import render_pox_response
from plugin.vendors.examspark.signing import authorization_header
from plugin.vendors.examspark.signing import sign
from tests.unit.vendors.test_examspark_client import KEY
from tests.unit.vendors.test_examspark_client import SECRET
from tests.unit.vendors.test_examspark_client import WORKSPACE
from tests.unit.vendors.test_examspark_client import Clock
from tests.unit.vendors.test_examspark_client import add_config

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

LEARNER = Learner(
    external_id="lti-user-42",
    email="kevin@examspark.com",
    given_name="Kevin",
    family_name="Campbell",
)


class Capture:
    """A served endpoint that records every request as an IncomingRequest.

    It answers each with the next of ``statuses`` (200 when none is left) and, for a POX
    passback, the envelope LTI 1.1 requires: ``success``, or ``failure`` while
    ``refusals`` lasts; the first ``plain`` answers carry no envelope.
    """

    def __init__(self) -> None:
        self.received: list[IncomingRequest] = []
        self.statuses: list[int] = []
        self.refusals: list[str] = []
        self.plain = 0
        self._lock = threading.Lock()
        app = Flask(__name__)
        app.add_url_rule("/callbacks/examspark/7", "hit", self._hit, methods=["POST"])
        self.served = serve_app(app)
        self.url = f"{self.served.url}/callbacks/examspark/7"

    def _hit(self) -> tuple[bytes, int]:
        incoming = IncomingRequest(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            query=request.args.to_dict(),
            body=request.get_data(),
            url=request.url,
        )
        with self._lock:
            self.received.append(incoming)
            status = self.statuses.pop(0) if self.statuses else 200
            refusal = self.refusals.pop(0) if self.refusals else None
            plain, self.plain = self.plain > 0, max(0, self.plain - 1)
        if plain or not incoming.body.startswith(b"<"):
            return b"recorded", status
        envelope = render_pox_response(
            message_ref=pox_message_id(incoming.body),
            success=refusal is None,
            description=refusal or "recorded",
            message_id="capture",
        )
        return envelope, status

    def wait_for(self, count: int) -> list[IncomingRequest]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests, got {len(self.received)}")


@pytest.fixture
def clock() -> Clock:
    return Clock(time.time())


@pytest.fixture
def sim(clock: Clock) -> Iterator[ServedApp]:
    app = create_examspark_app(
        app_key=KEY, app_secret=SECRET, workspace_id=WORKSPACE, clock=clock, retry_delays=(0.05,)
    )
    with serve_app(app) as served:
        yield served


@pytest.fixture
def capture() -> Iterator[Capture]:
    endpoint = Capture()
    yield endpoint
    endpoint.served.shutdown()


PINNED_URL = "https://unpkg.com/@campfirelearning/sdk-js@2.4.1/dist/browser/index.js"
PINNED_INTEGRITY = "sha384-" + "A" * 64


def make_adapter(sim: ServedApp, clock: Clock, **settings: str) -> ExamSparkAdapter:
    values = {
        "app_key": KEY,
        "app_secret": SECRET,
        "workspace_id": WORKSPACE,
        "base_url": sim.url,
        "sdk_script_url": PINNED_URL,
        "sdk_script_integrity": PINNED_INTEGRITY,
        **settings,
    }
    return ExamSparkAdapter(
        ExamSparkConfig.from_mapping(values), nonce_store=MemoryStore(), clock=clock
    )


@pytest.fixture
def adapter(sim: ServedApp, clock: Clock) -> ExamSparkAdapter:
    return make_adapter(sim, clock)


def start_request(
    test_id: str,
    token: str = "tok-1",
    callback: str = "http://127.0.0.1:9/cb",
    learner: Learner = LEARNER,
) -> StartRequest:
    return StartRequest(
        attempt_token=token,
        test_id=test_id,
        learner=learner,
        return_url=f"http://127.0.0.1:9/return/{token}",
        callback_url=callback,
    )


def complete(sim: ServedApp, session_id: str, score: int | None = None) -> dict[str, t.Any]:
    body = {} if score is None else {"score": score}
    response = requests.post(
        f"{sim.url}/sandbox/attempts/{session_id}/complete", json=body, timeout=5
    )
    assert response.status_code == 200, response.text
    answer: dict[str, t.Any] = response.json()
    return answer


def settings(sim: ServedApp, **values: t.Any) -> None:
    response = requests.put(f"{sim.url}/sandbox/settings", json=values, timeout=5)
    assert response.status_code == 200, response.text


# -- configuration ---------------------------------------------------------------------------


def test_config_from_mapping_applies_defaults() -> None:
    config = ExamSparkConfig.from_mapping(
        {"app_key": "k", "app_secret": "s", "workspace_id": "w", "base_url": ""}
    )
    assert config.base_url == DEFAULT_BASE_URL
    assert (config.outcome_format, config.basic_auth, config.page_size) == ("both", "rfc7617", None)
    assert frozenset({"app_secret"}) == ExamSparkConfig.SECRET_FIELDS


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"app_secret": ""}, "app_secret"),
        ({"colour": "red"}, "colour"),
        ({"outcome_format": "xml"}, "outcome_format"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "500"}, "page_size"),
        ({"oauth_timestamp_window_s": "0"}, "oauth_timestamp_window_s"),
        ({"basic_auth": "digest"}, "basic_auth"),
    ],
)
def test_config_from_mapping_names_the_bad_field(changes: dict[str, str], field: str) -> None:
    values = {"app_key": "k", "app_secret": "s", "workspace_id": "w", **changes}
    with pytest.raises(ValueError, match=field):
        ExamSparkConfig.from_mapping(values)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sdk_script_url": PINNED_URL}, "set together"),
        ({"sdk_script_integrity": PINNED_INTEGRITY}, "set together"),
        (
            {
                "sdk_script_url": PINNED_URL.replace("@2.4.1", "@latest"),
                "sdk_script_integrity": PINNED_INTEGRITY,
            },
            "fixed version",
        ),
        ({"sdk_script_url": PINNED_URL, "sdk_script_integrity": "md5-abc"}, "sha384"),
        (
            {"sdk_script_url": PINNED_URL + ";x", "sdk_script_integrity": PINNED_INTEGRITY},
            "http",
        ),
    ],
)
def test_the_sdk_bundle_is_pinned_by_url_and_hash_together(
    changes: dict[str, str], message: str
) -> None:
    values = {"app_key": "k", "app_secret": "s", "workspace_id": "w", **changes}
    with pytest.raises(ValueError, match=message):
        ExamSparkConfig.from_mapping(values)


def test_an_unpinned_connection_starts_no_attempt(sim: ServedApp, clock: Clock) -> None:
    config = ExamSparkConfig(app_key=KEY, app_secret=SECRET, workspace_id=WORKSPACE)
    adapter = ExamSparkAdapter(config, nonce_store=MemoryStore(), clock=clock)
    with pytest.raises(VendorRefusedError, match="sdk_script_integrity"):
        adapter.start_attempt(start_request("any"))
    assert requests.get(f"{sim.url}/sandbox/sessions", timeout=5).json()["sessions"] == []


def test_config_strips_a_trailing_slash() -> None:
    config = ExamSparkConfig(
        app_key="k", app_secret="s", workspace_id="w", base_url="https://api.example.com/"
    )
    assert config.base_url == "https://api.example.com"


# -- start ---------------------------------------------------------------------------------------


def test_start_attempt_is_idempotent_per_token(adapter: ExamSparkAdapter, sim: ServedApp) -> None:
    test_id = add_config(sim)["id"]
    first = adapter.start_attempt(start_request(test_id))
    again = adapter.start_attempt(start_request(test_id))
    other = adapter.start_attempt(start_request(test_id, token="tok-2"))
    assert first.vendor_ref == again.vendor_ref != other.vendor_ref
    assert first.redirect_url is None
    sessions = requests.get(f"{sim.url}/sandbox/sessions", timeout=5).json()["sessions"]
    assert len(sessions) == 2


def test_start_attempt_embeds_the_player(
    adapter: ExamSparkAdapter, sim: ServedApp, clock: Clock
) -> None:
    test_id = add_config(sim)["id"]
    started = adapter.start_attempt(start_request(test_id, callback="http://127.0.0.1:9/cb"))
    embed = started.embed or {}
    assert (embed["script_url"], embed["script_integrity"]) == (PINNED_URL, PINNED_INTEGRITY)
    assert started.fresh_until is not None
    assert embed["auth_expires_at"] == started.fresh_until.isoformat(timespec="seconds")
    assert embed["component"] == "ExamPlayer"
    assert embed["options"]["id"] == test_id
    assert embed["options"]["user_id"] == LEARNER.external_id
    assert embed["options"]["resource_link_id"] == "tok-1"
    assert embed["options"]["auth"]
    assert embed["exam_session_id"] == started.vendor_ref
    assert embed["event_url"] == "http://127.0.0.1:9/cb"
    assert "examSessionSubmitted" in embed["submitted_events"]
    assert embed["return_url"] == "http://127.0.0.1:9/return/tok-1"
    assert started.extra == {"maturity": "NOT_STARTED"}
    state = requests.get(f"{sim.url}/sandbox/sessions/{started.vendor_ref}", timeout=5).json()
    assert state["outcomeServiceUrl"] == "http://127.0.0.1:9/cb"
    assert state["resultSourcedId"] == "tok-1"


def test_player_options_reach_the_same_session(adapter: ExamSparkAdapter, sim: ServedApp) -> None:
    test_id = add_config(sim)["id"]
    started = adapter.start_attempt(start_request(test_id))
    page = requests.get(player_url(sim.url, (started.embed or {})["options"]), timeout=5)
    assert page.status_code == 200
    forms, _ = parse_forms(page.text)
    assert forms[0].action.endswith(f"/sessions/{started.vendor_ref}/submit")


def test_user_id_from_email(sim: ServedApp, clock: Clock) -> None:
    adapter = make_adapter(sim, clock, user_id_source="email")
    started = adapter.start_attempt(start_request(add_config(sim)["id"]))
    assert (started.embed or {})["options"]["user_id"] == LEARNER.email


def test_learner_without_email_needs_a_login_account(sim: ServedApp, clock: Clock) -> None:
    test_id = add_config(sim)["id"]
    anonymous = Learner(external_id="lti-user-7", email="")
    with pytest.raises(VendorRefusedError, match="sdk_login_email"):
        make_adapter(sim, clock).start_attempt(start_request(test_id, learner=anonymous))
    adapter = make_adapter(sim, clock, sdk_login_email="lti@district.example")
    assert adapter.start_attempt(start_request(test_id, learner=anonymous)).embed


# -- results, changes, catalogue, actions ----------------------------------------------------------


def test_fetch_result_maps_to_a_canonical_result(
    adapter: ExamSparkAdapter, sim: ServedApp, clock: Clock
) -> None:
    test_id = add_config(sim, questions=4)["id"]
    ref = adapter.start_attempt(start_request(test_id)).vendor_ref
    complete(sim, ref, score=3)
    raw = adapter.fetch_result(ref, test_id=test_id)
    assert raw.fetched_at.timestamp() == pytest.approx(clock.now)
    result = load_result(raw.payload)
    assert (result.status, result.score, result.max_score) == (ResultStatus.COMPLETED, 3, 4)
    assert result.percent == 75
    assert result.learner is not None
    assert result.learner.external_id == LEARNER.external_id


def test_list_changes_walks_every_page(sim: ServedApp, clock: Clock) -> None:
    adapter = make_adapter(sim, clock, page_size="2")
    test_id = add_config(sim)["id"]
    refs = [
        adapter.start_attempt(start_request(test_id, token=f"t{n}")).vendor_ref for n in range(4)
    ]
    complete(sim, refs[0])
    seen, cursor, pages = [], None, 0
    while True:
        page = adapter.list_changes(cursor)
        pages += 1
        seen.extend(page.items)
        assert page.has_more is (page.next_cursor is not None)
        if page.next_cursor is None:
            break
        assert json.loads(page.next_cursor)["v"] == 1
        cursor = page.next_cursor
    assert pages == 3
    assert [item.vendor_ref for item in seen] == refs
    assert seen[0].status == "COMPLETE"
    assert seen[1].status == "NOT_STARTED"
    assert seen[0].changed_at is not None


def test_list_changes_restarts_on_an_expired_token(sim: ServedApp, clock: Clock) -> None:
    adapter = make_adapter(sim, clock, page_size="2")
    test_id = add_config(sim)["id"]
    refs = [
        adapter.start_attempt(start_request(test_id, token=f"t{n}")).vendor_ref for n in range(3)
    ]
    cursor = adapter.list_changes(None).next_cursor
    requests.post(f"{sim.url}/sandbox/page-tokens/expire", timeout=5)
    restarted = adapter.list_changes(cursor)
    assert [item.vendor_ref for item in restarted.items] == refs[:2]


@pytest.mark.parametrize("cursor", ["not json", '{"v": 9, "nextToken": "x"}', "[]"])
def test_list_changes_restarts_on_an_unreadable_cursor(
    adapter: ExamSparkAdapter, sim: ServedApp, cursor: str
) -> None:
    ref = adapter.start_attempt(start_request(add_config(sim)["id"])).vendor_ref
    assert [item.vendor_ref for item in adapter.list_changes(cursor).items] == [ref]


def test_list_changes_on_an_empty_workspace(adapter: ExamSparkAdapter) -> None:
    page = adapter.list_changes(None)
    assert (page.items, page.next_cursor, page.has_more) == ((), None, False)


def test_list_tests_lists_every_exam_config(adapter: ExamSparkAdapter, sim: ServedApp) -> None:
    first = add_config(sim, examName="Geometry", description="Angles")
    add_config(sim, examId=first["examId"], examName="Geometry", name="Practice")
    tests = adapter.list_tests()
    assert [(test.title, test.description) for test in tests] == [
        ("Geometry (Default)", "Angles"),
        ("Geometry (Practice)", "Angles"),
    ]
    assert tests[0].id == first["id"]


def test_admin_actions(adapter: ExamSparkAdapter, sim: ServedApp) -> None:
    test_id = add_config(sim, allowRetakes=True)["id"]
    ref = adapter.start_attempt(start_request(test_id)).vendor_ref
    complete(sim, ref)
    reopened = adapter.perform(AdminAction.REOPEN, ref, test_id=test_id)
    assert reopened.message == "reopen done; the session is now IN_PROGRESS"
    complete(sim, ref)
    assert "IN_PROGRESS" in adapter.perform(AdminAction.RETAKE, ref, test_id=test_id).message
    assert "NOT_STARTED" in adapter.perform(AdminAction.RESET, ref, test_id=test_id).message
    assert adapter.supported_actions == {AdminAction.RETAKE, AdminAction.RESET, AdminAction.REOPEN}


def test_unsupported_and_refused_actions(adapter: ExamSparkAdapter, sim: ServedApp) -> None:
    test_id = add_config(sim, allowRetakes=False)["id"]
    ref = adapter.start_attempt(start_request(test_id)).vendor_ref
    with pytest.raises(VendorRefusedError, match="no cancel action"):
        adapter.perform(AdminAction.CANCEL, ref, test_id=test_id)
    with pytest.raises(VendorRefusedError, match="does not allow retakes"):
        adapter.perform(AdminAction.RETAKE, ref, test_id=test_id)
    with pytest.raises(VendorRefusedError, match="Only a complete exam session can be reopened"):
        adapter.perform(AdminAction.REOPEN, ref, test_id=test_id)


def test_check_connection(adapter: ExamSparkAdapter, sim: ServedApp, clock: Clock) -> None:
    report = adapter.check_connection()
    assert report.ok and report.catalogue == f"workspace Sandbox district ({WORKSPACE})"
    assert report.warnings == ()
    assert not make_adapter(sim, clock, app_secret="nope").check_connection().auth_ok


# -- completion signals from the simulator ---------------------------------------------------------


def _started_and_completed(
    adapter: ExamSparkAdapter, sim: ServedApp, capture: Capture, **spec: t.Any
) -> str:
    test_id = add_config(sim, **spec)["id"]
    ref = adapter.start_attempt(start_request(test_id, callback=capture.url)).vendor_ref
    complete(sim, ref)
    return ref


def test_player_event_relayed_by_the_browser(
    adapter: ExamSparkAdapter, sim: ServedApp, capture: Capture
) -> None:
    settings(sim, callback_url=capture.url)
    test_id = add_config(sim)["id"]
    started = adapter.start_attempt(start_request(test_id, callback=capture.url))
    browser = SandboxBrowser()
    exam = browser.get(player_url(sim.url, (started.embed or {})["options"]))
    submitted = browser.submit_first_form(exam)
    relayed = browser.submit_first_form(submitted)
    assert relayed.status_code == 200
    received = capture.wait_for(2)
    events = [r for r in received if "form" in (r.header("Content-Type") or "")]
    signal = adapter.parse_signal(events[0])
    assert signal.kind is SignalKind.PLAYER_EVENT
    assert signal.vendor_ref == started.vendor_ref
    assert (signal.authenticated, signal.status_hint) == (False, "submitted")


def test_pox_passback_is_verified(
    adapter: ExamSparkAdapter, sim: ServedApp, capture: Capture
) -> None:
    _started_and_completed(adapter, sim, capture)
    passback = capture.wait_for(1)[0]
    signal = adapter.parse_signal(passback)
    assert signal.kind is SignalKind.WEBHOOK
    assert (signal.attempt_token, signal.authenticated) == ("tok-1", True)
    answer = adapter.signal_answer(passback, None)
    assert answer.status == 200
    assert answer.content_type.startswith("application/xml")
    assert b"<imsx_codeMajor>success</imsx_codeMajor>" in answer.body
    assert b"<replaceResultResponse/>" in answer.body
    with pytest.raises(SignalRejectedError, match="nonce was already used") as replay:
        adapter.parse_signal(passback)
    failure = adapter.signal_answer(passback, replay.value)
    assert failure.status == 401
    assert b"<imsx_codeMajor>failure</imsx_codeMajor>" in failure.body


@pytest.mark.parametrize("accepted", ["json", "both"])
def test_json_passback_is_verified(
    sim: ServedApp, clock: Clock, capture: Capture, accepted: str
) -> None:
    adapter = make_adapter(sim, clock, outcome_format=accepted)
    settings(sim, outcome_format="json")
    ref = _started_and_completed(adapter, sim, capture)
    passback = capture.wait_for(1)[0]
    signal = adapter.parse_signal(passback)
    assert (signal.kind, signal.attempt_token, signal.vendor_ref) == (
        SignalKind.WEBHOOK,
        "tok-1",
        ref,
    )
    assert json.loads(adapter.signal_answer(passback, None).body)["status"] == "success"


def test_outcome_format_limits_what_is_accepted(
    sim: ServedApp, clock: Clock, capture: Capture
) -> None:
    pox_only = make_adapter(sim, clock, outcome_format="pox")
    json_only = make_adapter(sim, clock, outcome_format="json")
    _started_and_completed(pox_only, sim, capture)
    pox = capture.wait_for(1)[0]
    with pytest.raises(SignalRejectedError, match="POX grade passback is disabled") as caught:
        json_only.parse_signal(pox)
    assert caught.value.status == 415
    settings(sim, outcome_format="json")
    complete(
        sim,
        pox_only.start_attempt(
            start_request(add_config(sim)["id"], token="t2", callback=capture.url)
        ).vendor_ref,
    )
    with pytest.raises(SignalRejectedError, match="JSON grade passback is disabled"):
        pox_only.parse_signal(capture.wait_for(2)[1])


def _replace(incoming: IncomingRequest, **changes: t.Any) -> IncomingRequest:
    values = {
        "method": incoming.method,
        "path": incoming.path,
        "headers": incoming.headers,
        "query": incoming.query,
        "body": incoming.body,
        "url": incoming.url,
        **changes,
    }
    return IncomingRequest(**values)


def test_passback_refused_when_tampered_stale_or_misaddressed(
    adapter: ExamSparkAdapter, sim: ServedApp, clock: Clock, capture: Capture
) -> None:
    _started_and_completed(adapter, sim, capture)
    passback = capture.wait_for(1)[0]
    tampered = _replace(
        passback, body=passback.body.replace(b"1</textString>", b"0.1</textString>")
    )
    moved = _replace(passback, url=passback.url.replace("/7", "/8"))
    cases = [
        (tampered, "oauth_body_hash does not match"),
        (moved, "signature does not match"),
        (_replace(passback, url=""), "request URL unknown"),
        (_replace(passback, headers={"Content-Type": "application/xml"}), "no OAuth"),
    ]
    for incoming, reason in cases:
        with pytest.raises(SignalRejectedError, match=reason) as caught:
            adapter.parse_signal(incoming)
        assert caught.value.status == 401
    with pytest.raises(SignalRejectedError, match="signature does not match"):
        make_adapter(sim, clock, app_secret="other").parse_signal(passback)
    clock.now += 301
    with pytest.raises(SignalRejectedError, match="more than 300 s"):
        adapter.parse_signal(passback)


# -- signals built by hand ------------------------------------------------------------------------

CALLBACK = "https://bridge.example.org/callbacks/examspark/7"
SESSION = "23a0c913-c61d-51fe-9b64-32096b7b84bf"


def _post(
    body: bytes,
    content_type: str,
    *,
    signed: bool = False,
    clock: Clock | None = None,
    method: str = "POST",
) -> IncomingRequest:
    headers = {"Content-Type": content_type}
    if signed:
        params = sign(
            method="POST",
            url=CALLBACK,
            body=body,
            consumer_key=KEY,
            consumer_secret=SECRET,
            timestamp=int((clock or Clock(time.time()))()),
        )
        headers["Authorization"] = authorization_header(params)
    return IncomingRequest(
        method=method,
        path="/callbacks/examspark/7",
        headers=headers,
        query={},
        body=body,
        url=CALLBACK,
    )


def _pox(operation: str = "replaceResult", score: str = "0.92", sourced: str = "tok-9") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        "<imsx_POXEnvelopeRequest><imsx_POXHeader><imsx_POXRequestHeaderInfo>"
        "<imsx_version>V1.0</imsx_version><imsx_messageIdentifier>999999123"
        "</imsx_messageIdentifier></imsx_POXRequestHeaderInfo></imsx_POXHeader>"
        f"<imsx_POXBody><{operation}Request><resultRecord><sourcedGUID><sourcedId>{sourced}"
        "</sourcedId></sourcedGUID><result><resultScore><language>en</language>"
        f"<textString>{score}</textString></resultScore></result></resultRecord>"
        f"</{operation}Request></imsx_POXBody></imsx_POXEnvelopeRequest>"
    ).encode()


@pytest.fixture
def offline(clock: Clock) -> ExamSparkAdapter:
    """An adapter for signal parsing only (no vendor call is made)."""
    config = ExamSparkConfig(app_key=KEY, app_secret=SECRET, workspace_id=WORKSPACE)
    return ExamSparkAdapter(config, nonce_store=MemoryStore(), clock=clock)


def test_unnamespaced_pox_is_accepted(offline: ExamSparkAdapter, clock: Clock) -> None:
    request_ = _post(_pox(), "text/xml; charset=utf-8", signed=True, clock=clock)
    signal = offline.parse_signal(request_)
    assert signal.attempt_token == "tok-9"
    assert b"<imsx_messageRefIdentifier>999999123<" in offline.signal_answer(request_, None).body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_pox(operation="readResult"), "unsupported operation readResult"),
        (_pox(score="1.5"), "between 0.0 and 1.0"),
        (_pox(score="NaN"), "between 0.0 and 1.0"),
        (_pox(sourced=""), "are required"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DTD is refused"),
        (b"<imsx_POXEnvelopeRequest><unclosed>", "not well-formed"),
        (b"<other/>", "not an imsx_POXEnvelopeRequest"),
    ],
)
def test_signed_but_unusable_pox_is_refused(
    offline: ExamSparkAdapter, clock: Clock, body: bytes, reason: str
) -> None:
    request_ = _post(body, "application/xml", signed=True, clock=clock)
    with pytest.raises(SignalRejectedError, match=reason) as caught:
        offline.parse_signal(request_)
    assert caught.value.status == 400
    # LTI 1.1: the message is refused in the envelope; the request itself arrived.
    answer = offline.signal_answer(request_, caught.value)
    assert answer.status == 200
    assert b"<imsx_codeMajor>failure</imsx_codeMajor>" in answer.body


def _dtd_pox(encoding: str) -> bytes:
    """A replaceResult whose sourcedId is an entity of a DTD: 64 KB once expanded."""
    entities = (
        '<!ENTITY a "'
        + "a" * 64
        + '">'
        + "".join(f'<!ENTITY {new} "{f"&{old};" * 10}">' for old, new in ("ab", "bc", "cd"))
    )
    head, _, rest = _pox(sourced="&d;").decode().partition("?>")
    document = f"{head.replace('UTF-8', 'UTF-16')}?><!DOCTYPE x [{entities}]>{rest}"
    return document.encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        ("utf-16", "application/xml"),  # with a byte order mark
        ("utf-16-le", "application/xml"),  # without one
        ("utf-16", "text/plain"),  # told apart as XML by its byte order mark
        ("utf-16-be", "application/octet-stream"),
    ],
)
def test_a_dtd_is_refused_in_utf16_too(
    offline: ExamSparkAdapter, clock: Clock, encoding: str, content_type: str
) -> None:
    request_ = _post(_dtd_pox(encoding), content_type, signed=True, clock=clock)
    assert b"<!DOCTYPE" not in request_.body.upper()  # what the old byte check looked for
    with pytest.raises(SignalRejectedError, match="DTD is refused"):
        offline.parse_signal(request_)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (
            {"operation": "deleteResult", "sourcedId": "t", "messageIdentifier": "m", "score": 1},
            "operation must be replaceResult",
        ),
        (
            {
                "operation": "replaceResult",
                "sourcedId": "t",
                "messageIdentifier": "m",
                "score": True,
            },
            "score must be a number",
        ),
        (
            {
                "operation": "replaceResult",
                "sourcedId": "t",
                "messageIdentifier": "m",
                "score": "2",
            },
            "between 0.0 and 1.0",
        ),
        ({"operation": "replaceResult", "messageIdentifier": "m", "score": 1}, "are required"),
        (
            {
                "operation": "replaceResult",
                "sourcedId": "t",
                "messageIdentifier": "m",
                "score": 1,
                "examSessionId": 5,
            },
            "examSessionId must be",
        ),
    ],
)
def test_signed_but_unusable_json_passback_is_refused(
    offline: ExamSparkAdapter, clock: Clock, payload: dict[str, t.Any], reason: str
) -> None:
    body = json.dumps(payload).encode()
    with pytest.raises(SignalRejectedError, match=reason) as caught:
        offline.parse_signal(_post(body, "application/json", signed=True, clock=clock))
    assert caught.value.status == 400


def test_unsigned_json_passback_is_refused(offline: ExamSparkAdapter) -> None:
    body = json.dumps(
        {"operation": "replaceResult", "sourcedId": "t", "messageIdentifier": "m", "score": 1}
    ).encode()
    with pytest.raises(SignalRejectedError, match="no OAuth Authorization") as caught:
        offline.parse_signal(_post(body, "application/json"))
    assert caught.value.status == 401


@pytest.mark.parametrize(
    ("body", "content_type", "token"),
    [
        (
            json.dumps(
                {
                    "event": "examSessionSubmitted",
                    "data": {"examConfigId": "c", "examSessionId": SESSION},
                }
            ),
            "application/json",
            None,
        ),
        (
            json.dumps(
                {
                    "event": "EXAM_SESSION_SUBMITTED",
                    "attemptToken": "tok_7-x",
                    "data": {"examConfigId": "c", "examSessionId": SESSION},
                }
            ),
            "application/json",
            "tok_7-x",
        ),
        (
            f"event=examSessionSubmitted&examConfigId=c&examSessionId={SESSION}&attemptToken=",
            "application/x-www-form-urlencoded",
            None,
        ),
    ],
)
def test_player_events(
    offline: ExamSparkAdapter, body: str, content_type: str, token: str | None
) -> None:
    incoming = _post(body.encode(), content_type)
    signal = offline.parse_signal(incoming)
    assert (signal.kind, signal.vendor_ref, signal.attempt_token) == (
        SignalKind.PLAYER_EVENT,
        SESSION,
        token,
    )
    assert not signal.authenticated
    assert json.loads(offline.signal_answer(incoming, None).body)["status"] == "success"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"event": "examSessionStarted", "data": {"examSessionId": SESSION}}, "must be one of"),
        ({"event": "examSessionSubmitted", "data": {}}, "no usable examSessionId"),
        (
            {"event": "examSessionSubmitted", "data": {"examSessionId": "<script>"}},
            "no usable examSessionId",
        ),
        (
            {
                "event": "examSessionSubmitted",
                "data": {"examSessionId": SESSION},
                "attemptToken": ["x"],
            },
            "unusable attemptToken",
        ),
    ],
)
def test_unusable_player_events_are_refused(
    offline: ExamSparkAdapter, body: dict[str, t.Any], reason: str
) -> None:
    with pytest.raises(SignalRejectedError, match=reason) as caught:
        offline.parse_signal(_post(json.dumps(body).encode(), "application/json"))
    assert caught.value.status == 400


def test_wrong_method_and_oversized_bodies_are_refused(offline: ExamSparkAdapter) -> None:
    with pytest.raises(SignalRejectedError) as wrong_method:
        offline.parse_signal(_post(b"", "application/json", method="GET"))
    assert wrong_method.value.status == 405
    with pytest.raises(SignalRejectedError) as too_large:
        offline.parse_signal(_post(b"x" * (64 * 1024 + 1), "application/json"))
    assert too_large.value.status == 413


def test_refused_pox_requests_keep_their_status_in_the_envelope(
    offline: ExamSparkAdapter, clock: Clock
) -> None:
    unsigned = _post(_pox(), "application/xml")
    with pytest.raises(SignalRejectedError) as caught:
        offline.parse_signal(unsigned)
    answer = offline.signal_answer(unsigned, caught.value)
    assert (answer.status, answer.content_type) == (401, "application/xml; charset=utf-8")
    assert b"<imsx_codeMajor>failure</imsx_codeMajor>" in answer.body
    assert b"no OAuth Authorization header</imsx_description>" in answer.body
    assert b"<imsx_messageRefIdentifier>999999123<" in answer.body
    huge = _post(_pox().replace(b"<imsx_POXBody>", b" " * 65536 + b"<imsx_POXBody>"), "text/xml")
    with pytest.raises(SignalRejectedError) as too_large:
        offline.parse_signal(huge)
    answer = offline.signal_answer(huge, too_large.value)
    assert answer.status == 413
    assert b"<imsx_messageRefIdentifier></imsx_messageRefIdentifier>" in answer.body  # unread
