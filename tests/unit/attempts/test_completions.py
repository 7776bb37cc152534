"""Completion signals on the real store, with a scripted vendor adapter."""

from __future__ import annotations

import dataclasses
import json
import typing as t

import pytest
from sqlalchemy import select

from plugin.attempts.completions import CompletionIntake
from plugin.attempts.unmatched import unmatched_counts
from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import Signal
from plugin.store.models import VendorConnection
from plugin.store.models import utcnow
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import SignalKind
from plugin.vendors.errors import SignalRejectedError
from tests.support.tokens import attempt_token
from tests.support.tokens import callback_token
from tests.unit.factories import make_attempt
from tests.unit.sync.fakes import SIGNATURE_HEADER
from tests.unit.sync.fakes import FakeVendorAdapter
from tests.unit.sync.fakes import FakeVendorConnections
from tests.unit.sync.fakes import connection_of

if t.TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker

    from plugin.vendors.connections import VendorConnectionService


@dataclasses.dataclass(frozen=True)
class Known:
    """A stored attempt, its vendor connection and the adapter serving it."""

    attempt_id: int
    token: str
    vendor_ref: str
    connection_id: int
    callback_token: str
    adapter: FakeVendorAdapter


@dataclasses.dataclass
class World:
    app: Flask
    sessions: sessionmaker[Session]
    connections: FakeVendorConnections

    @property
    def intake(self) -> CompletionIntake:
        return CompletionIntake(self.sessions, t.cast("VendorConnectionService", self.connections))

    def known(self) -> Known:
        attempt_id = make_attempt(self.app)
        connection_id = connection_of(self.sessions, attempt_id)
        adapter = FakeVendorAdapter()
        self.connections.use(connection_id, adapter)
        with self.sessions.begin() as session:
            attempt = session.get(Attempt, attempt_id)
            connection = session.get(VendorConnection, connection_id)
            assert attempt is not None and attempt.vendor_ref and connection is not None
            attempt.return_url = "https://lms.example/back"
            return Known(
                attempt_id,
                attempt_token(self.app, attempt),
                attempt.vendor_ref,
                connection_id,
                callback_token(self.app, connection),
                adapter,
            )

    def attempt(self, attempt_id: int) -> Attempt:
        with self.sessions() as session:
            row = session.get(Attempt, attempt_id)
            assert row is not None
            return row

    def signals(self) -> list[Signal]:
        with self.sessions() as session:
            return list(session.scalars(select(Signal).order_by(Signal.id)))


@pytest.fixture
def world(app: Flask) -> World:
    sessions = services(app).sessions
    return World(app, sessions, FakeVendorConnections(sessions, services(app).secrets))


def request(
    body: dict[str, t.Any] | bytes | None = None, *, method: str = "POST", signed: str = ""
) -> IncomingRequest:
    raw = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
    headers = {SIGNATURE_HEADER: signed} if signed else {}
    return IncomingRequest(method, "/callbacks/mettl/1", headers, {}, raw)


def test_a_callback_with_the_connections_secret_is_recorded_and_the_attempt_is_owed_a_sync(
    world: World,
) -> None:
    one = world.known()
    before = utcnow()

    recorded = world.intake.from_callback(
        "mettl",
        one.connection_id,
        one.callback_token,
        request({"vendor_ref": one.vendor_ref, "status": "completed"}, signed=one.adapter.secret),
    )

    # A signal that named the attempt by its vendor reference is not handed its token.
    assert (recorded.attempt_id, recorded.attempt_token) == (one.attempt_id, None)
    assert (recorded.kind, recorded.adapter) == (SignalKind.CALLBACK, one.adapter)
    assert recorded.return_url == "https://lms.example/back"
    (signal,) = world.signals()
    assert signal.id == recorded.signal_id
    assert (signal.connection_id, signal.attempt_id, signal.kind) == (
        one.connection_id,
        one.attempt_id,
        "callback",
    )
    assert (signal.vendor_ref, signal.status_hint, signal.authenticated) == (
        one.vendor_ref,
        "completed",
        True,
    )
    attempt = world.attempt(one.attempt_id)
    assert attempt.sync_requested_at is not None and attempt.sync_requested_at >= before
    assert attempt.last_signal_at == attempt.sync_requested_at


def test_an_unsigned_signal_is_recorded_as_not_authenticated(world: World) -> None:
    one = world.known()

    world.intake.from_callback(
        "mettl", one.connection_id, one.callback_token, request({"vendor_ref": one.vendor_ref})
    )

    (signal,) = world.signals()
    assert signal.authenticated is False and signal.attempt_id == one.attempt_id


@pytest.mark.parametrize(
    ("kind", "token", "connection"),
    [
        ("mettl", "not-the-secret", "ours"),
        ("imocha", None, "ours"),
        ("mettl", None, "missing"),
    ],
    ids=["wrong secret", "wrong vendor kind", "unknown connection"],
)
def test_a_callback_url_that_is_not_the_connections_is_refused_as_unknown(
    world: World, kind: str, token: str | None, connection: str
) -> None:
    one = world.known()
    connection_id = one.connection_id if connection == "ours" else 987_654

    with pytest.raises(SignalRejectedError) as refused:
        world.intake.from_callback(
            kind,
            connection_id,
            token or one.callback_token,
            request({"vendor_ref": one.vendor_ref}, signed=one.adapter.secret),
        )

    assert refused.value.status == 404 and str(refused.value) == "unknown callback URL"
    assert world.signals() == []
    assert world.attempt(one.attempt_id).sync_requested_at is None


def test_a_payload_the_adapter_refuses_is_rejected_and_nothing_is_recorded(world: World) -> None:
    one = world.known()

    with pytest.raises(SignalRejectedError) as refused:
        world.intake.from_callback(
            "mettl", one.connection_id, one.callback_token, request(b"{not json")
        )

    assert refused.value.status == 400 and "unusable signal" in str(refused.value)
    assert world.signals() == []
    assert world.attempt(one.attempt_id).sync_requested_at is None


def test_a_signal_naming_no_attempt_we_know_is_counted_on_its_connection_not_stored(
    world: World,
) -> None:
    one = world.known()
    before = utcnow()

    recorded = world.intake.from_callback(
        "mettl", one.connection_id, one.callback_token, request({"vendor_ref": "nobody"})
    )

    assert (recorded.attempt_id, recorded.attempt_token, recorded.return_url) == (None, None, None)
    assert (recorded.signal_id, recorded.sync_due) == (None, False)
    assert world.signals() == []
    (counted,) = [
        c for c in unmatched_counts(world.sessions) if c.connection_id == one.connection_id
    ]
    assert counted.count == 1 and counted.last_at is not None and counted.last_at >= before
    assert world.attempt(one.attempt_id).sync_requested_at is None


def test_the_attempt_token_finds_the_attempt_when_the_vendor_reference_does_not(
    world: World,
) -> None:
    one = world.known()

    recorded = world.intake.from_callback(
        "mettl",
        one.connection_id,
        one.callback_token,
        request({"attempt_token": one.token, "vendor_ref": "renamed-at-the-vendor"}),
    )

    assert recorded.attempt_id == one.attempt_id
    assert world.attempt(one.attempt_id).sync_requested_at is not None


def test_a_vendor_reference_names_only_the_attempts_of_the_connection_it_came_from(
    world: World,
) -> None:
    ours, theirs = world.known(), world.known()
    with world.sessions.begin() as session:
        attempt = session.get(Attempt, theirs.attempt_id)
        assert attempt is not None
        attempt.vendor_ref = "shared-ref"

    recorded = world.intake.from_callback(
        "mettl", ours.connection_id, ours.callback_token, request({"vendor_ref": "shared-ref"})
    )

    assert recorded.attempt_id is None
    assert world.attempt(theirs.attempt_id).sync_requested_at is None
    at_theirs = world.intake.from_callback(
        "mettl", theirs.connection_id, theirs.callback_token, request({"vendor_ref": "shared-ref"})
    )
    assert at_theirs.attempt_id == theirs.attempt_id


def test_a_proctoring_connections_signal_naming_its_session_finds_the_proctored_attempt(
    world: World,
) -> None:
    one, proctor = world.known(), world.known()
    with world.sessions.begin() as session:
        attempt = session.get(Attempt, one.attempt_id)
        assert attempt is not None
        attempt.proctoring_ref = "pe-session-9"
        assessment = session.get(Assessment, attempt.assessment_id)
        assert assessment is not None
        assessment.proctoring_connection_id = proctor.connection_id
        assessment.proctoring_exam_id = "exam-1"

    recorded = world.intake.from_callback(
        "mettl",
        proctor.connection_id,
        proctor.callback_token,
        request({"vendor_ref": "pe-session-9"}),
    )

    assert recorded.attempt_id == one.attempt_id


def test_a_long_status_hint_is_cut_to_what_the_column_holds(world: World) -> None:
    one = world.known()

    world.intake.from_callback(
        "mettl",
        one.connection_id,
        one.callback_token,
        request({"vendor_ref": one.vendor_ref, "status": "x" * 100}),
    )

    (signal,) = world.signals()
    assert signal.status_hint == "x" * 64


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_learner_coming_back_is_a_browser_return_for_the_attempt(
    world: World, method: str
) -> None:
    one = world.known()

    recorded = world.intake.from_attempt(one.token, request(method=method))

    assert (recorded.kind, recorded.attempt_id) == (SignalKind.BROWSER_RETURN, one.attempt_id)
    assert (recorded.attempt_token, recorded.return_url) == (one.token, "https://lms.example/back")
    assert recorded.adapter is one.adapter
    (signal,) = world.signals()
    assert (signal.kind, signal.vendor_ref, signal.authenticated) == (
        "return",
        one.vendor_ref,
        False,
    )
    assert signal.connection_id == one.connection_id
    assert world.attempt(one.attempt_id).sync_requested_at is not None


def test_an_unknown_attempt_token_is_refused_and_nothing_is_recorded(world: World) -> None:
    world.known()

    with pytest.raises(SignalRejectedError) as refused:
        world.intake.from_attempt("no-such-token", request(method="GET"))

    assert refused.value.status == 404
    assert world.signals() == []


def test_a_player_event_is_read_by_the_adapter_and_pinned_to_the_attempt(world: World) -> None:
    one = world.known()

    recorded = world.intake.from_attempt(
        one.token, request({"kind": "player", "vendor_ref": one.vendor_ref, "status": "submitted"})
    )

    assert (recorded.kind, recorded.attempt_token) == (SignalKind.PLAYER_EVENT, one.token)
    assert recorded.attempt_id == one.attempt_id
    (signal,) = world.signals()
    assert (signal.kind, signal.status_hint) == ("player", "submitted")


@pytest.mark.parametrize("field", ["attempt_token", "vendor_ref"])
def test_a_player_event_naming_another_attempt_is_refused(world: World, field: str) -> None:
    one, other = world.known(), world.known()
    names_other = {"attempt_token": other.token, "vendor_ref": other.vendor_ref}[field]

    with pytest.raises(SignalRejectedError) as refused:
        world.intake.from_attempt(one.token, request({"kind": "player", field: names_other}))

    assert refused.value.status == 400 and "another attempt" in str(refused.value)
    assert world.signals() == []
    assert world.attempt(one.attempt_id).sync_requested_at is None
    assert world.attempt(other.attempt_id).sync_requested_at is None
