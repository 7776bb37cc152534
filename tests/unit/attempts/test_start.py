"""Starting and resuming attempts on the real store, with a scripted vendor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import logging
import re
import typing as t

import pytest
from sqlalchemy import func
from sqlalchemy import select

from lti.interfaces import PlatformRecord
from lti.roles import LaunchRole
from plugin.attempts.start import VENDOR_REFUSED
from plugin.attempts.start import AttemptError
from plugin.attempts.start import AttemptService
from plugin.registrations.launches import LaunchSummary
from plugin.runtime.crypto import SecretBox
from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import Platform
from plugin.store.models import ResourceLink
from plugin.store.models import VendorConnection
from plugin.vendors.base import Learner
from plugin.vendors.base import StartedAttempt
from plugin.vendors.base import StartRequest
from plugin.vendors.errors import TransientError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefusedError
from tests.unit.factories import make_attempt
from tests.unit.sync.fakes import FakeVendorAdapter
from tests.unit.sync.fakes import FakeVendorConnections
from tests.unit.sync.fakes import connection_of

if t.TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker
    from werkzeug.test import TestResponse

    from plugin.vendors.connections import VendorConnectionService

BASE_URL = "https://bridge.example"


@dataclasses.dataclass
class Placement:
    """A learner at a course placement, an assessment they have no attempt at yet, and the
    adapter of its vendor connection."""

    sessions: sessionmaker[Session]
    connections: FakeVendorConnections
    launch: LaunchSummary
    assessment_id: int
    connection_id: int
    adapter: FakeVendorAdapter
    #: The assessment of the attempt ``make_attempt`` wrote at the same placement.
    existing_assessment_id: int
    secrets_box: SecretBox

    def token(self, attempt: Attempt) -> str:
        return self.secrets_box.decrypt(attempt.token_encrypted).decode()

    def embed(self, attempt: Attempt) -> dict[str, t.Any] | None:
        if attempt.embed_encrypted is None:
            return None
        loaded: dict[str, t.Any] = json.loads(self.secrets_box.decrypt(attempt.embed_encrypted))
        return loaded

    @property
    def service(self) -> AttemptService:
        connections = t.cast("VendorConnectionService", self.connections)
        return AttemptService(self.sessions, connections, self.secrets_box, base_url=BASE_URL + "/")

    def attempts(self, assessment_id: int | None = None) -> list[Attempt]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(Attempt).where(
                        Attempt.assessment_id == (assessment_id or self.assessment_id)
                    )
                )
            )

    def attempt_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(Attempt)) or 0


@pytest.fixture
def placement(app: Flask) -> Placement:
    sessions = services(app).sessions
    existing = make_attempt(app, email="grace@example.edu")
    connection_id = connection_of(sessions, existing)
    with sessions.begin() as session:
        attempt = session.get(Attempt, existing)
        assert attempt is not None
        user = session.get(LtiUser, attempt.lti_user_id)
        link = session.get(ResourceLink, attempt.resource_link_id)
        assert user is not None and link is not None
        context = session.get(LtiContext, link.context_id)
        platform = session.get(Platform, user.platform_id)
        assert context is not None and platform is not None
        assessment = Assessment(connection_id=connection_id, test_id="exam-7", title="Quiz")
        session.add(assessment)
        session.flush()
        launch = LaunchSummary(
            launch_id="launch-1",
            role=LaunchRole.LEARNER,
            message_type="LtiResourceLinkRequest",
            user_name="Grace Hopper",
            user_email="grace@example.edu",
            user_subject=user.subject,
            given_name="Grace",
            family_name="Hopper",
            context_title="Course",
            context_id=context.context_id,
            resource_link_title="Quiz",
            resource_link_id=link.resource_link_id,
            platform=PlatformRecord(
                id=platform.id,
                issuer=platform.issuer,
                client_id=platform.client_id,
                auth_login_url=platform.auth_login_url,
                auth_token_url=platform.auth_token_url,
                key_set_url=platform.key_set_url,
            ),
            custom={"assessment": str(assessment.id)},
            return_url=f"{platform.issuer}/course/return",
        )
        assessment_id, existing_assessment_id = assessment.id, attempt.assessment_id
    connections = FakeVendorConnections(sessions, services(app).secrets, base_url=BASE_URL)
    adapter = FakeVendorAdapter()
    connections.use(connection_id, adapter)
    return Placement(
        sessions,
        connections,
        launch,
        assessment_id,
        connection_id,
        adapter,
        existing_assessment_id,
        services(app).secrets,
    )


def callback_token(placement: Placement, connection_id: int) -> str:
    with placement.sessions() as session:
        row = session.get(VendorConnection, connection_id)
        assert row is not None
        return placement.secrets_box.decrypt(row.callback_token_encrypted).decode()


def test_a_first_launch_creates_the_attempt_and_enrols_the_learner_at_the_vendor(
    placement: Placement,
) -> None:
    launch = placement.launch

    destination = placement.service.start(launch, placement.assessment_id)

    (attempt,) = placement.attempts()
    token = placement.token(attempt)
    assert (destination.token, destination.embed) == (token, None)
    assert destination.redirect_url == "https://vendor.example/take/mettl-1"
    assert placement.adapter.starts == [
        StartRequest(
            attempt_token=token,
            test_id="exam-7",
            learner=Learner(
                external_id=f"lti-{launch.platform.id}-{launch.user_subject}",
                email="grace@example.edu",
                given_name="Grace",
                family_name="Hopper",
            ),
            return_url=f"{BASE_URL}/return/{token}",
            callback_url=(
                f"{BASE_URL}/callbacks/mettl/{placement.connection_id}"
                f"?token={callback_token(placement, placement.connection_id)}"
            ),
        )
    ]
    assert (attempt.vendor_ref, attempt.status) == ("mettl-1", "started")
    assert attempt.redirect_url == destination.redirect_url
    assert attempt.return_url == f"{launch.platform.issuer}/course/return"
    assert len(token) >= 24


def test_a_relaunch_resumes_the_same_attempt_without_a_second_vendor_call(
    placement: Placement,
) -> None:
    first = placement.service.start(placement.launch, placement.assessment_id)
    other = f"{placement.launch.platform.issuer}/other"
    relaunch = dataclasses.replace(placement.launch, return_url=other)

    again = placement.service.start(relaunch, placement.assessment_id)

    assert again == first
    assert len(placement.adapter.starts) == 1
    (attempt,) = placement.attempts()
    assert (placement.token(attempt), attempt.vendor_ref) == (first.token, "mettl-1")
    assert attempt.return_url == other


def test_an_embedded_player_reports_to_the_return_url_and_is_resumed_from_the_store(
    placement: Placement,
) -> None:
    placement.adapter.embed = True

    first = placement.service.start(placement.launch, placement.assessment_id)
    again = placement.service.start(placement.launch, placement.assessment_id)

    assert first.redirect_url is None
    assert first.embed is not None
    assert first.embed == {
        "player": "fake",
        "session": "mettl-1",
        "event_url": f"{BASE_URL}/return/{first.token}",
        "embed_id": first.embed["embed_id"],
    }
    assert again == first and len(placement.adapter.starts) == 1
    (attempt,) = placement.attempts()
    assert placement.embed(attempt) == first.embed


def test_an_attempt_whose_link_was_never_stored_asks_the_vendor_again_with_its_token(
    placement: Placement,
) -> None:
    (existing,) = placement.attempts(placement.existing_assessment_id)
    assert existing.vendor_ref and not existing.redirect_url and not existing.embed_encrypted

    destination = placement.service.start(placement.launch, placement.existing_assessment_id)

    assert destination.token == placement.token(existing)
    assert [request.attempt_token for request in placement.adapter.starts] == [
        placement.token(existing)
    ]
    assert [request.test_id for request in placement.adapter.starts] == ["t1"]
    (attempt,) = placement.attempts(placement.existing_assessment_id)
    assert (attempt.vendor_ref, attempt.redirect_url) == ("mettl-1", destination.redirect_url)


@pytest.mark.parametrize(
    "error",
    [
        TransientError("service unavailable", vendor="mettl", status=503),
        VendorRefusedError("test is archived", vendor="mettl", status=422),
    ],
)
def test_a_vendor_error_becomes_an_attempt_error_and_a_relaunch_retries_the_same_attempt(
    placement: Placement, error: VendorError
) -> None:
    placement.adapter.fail_next_start(error)

    with pytest.raises(AttemptError) as refused:
        placement.service.start(placement.launch, placement.assessment_id)

    assert refused.value.status == 502
    assert str(error) in refused.value.detail
    # Neither the learner nor the admin hint is shown the vendor's words.
    assert str(error) not in str(refused.value) and str(error) not in refused.value.admin_hint
    (attempt,) = placement.attempts()
    assert (attempt.vendor_ref, attempt.redirect_url, attempt.status) == (None, None, "starting")

    destination = placement.service.start(placement.launch, placement.assessment_id)

    first, second = placement.adapter.starts
    assert (
        first.attempt_token == second.attempt_token == destination.token == placement.token(attempt)
    )
    assert destination.redirect_url == "https://vendor.example/take/mettl-1"


#: What a vendor may answer: the account's name and the learner's address are its own.
ACCOUNT_REFUSAL = "account acme-hiring-eu (owner ops@acme.example) has no test credits left"


def learner_page(app: Flask, placement: Placement, accept: str) -> TestResponse:
    """The refusal the learner's browser (or an API client) gets when the vendor refuses:
    the attempt started from a request, rendered by the app's error handlers."""
    app.add_url_rule(
        "/start-for-test",
        "start_for_test",
        lambda: str(placement.service.start(placement.launch, placement.assessment_id)),
    )
    placement.adapter.fail_next_start(
        VendorRefusedError(ACCOUNT_REFUSAL, vendor="mettl", status=402)
    )
    return app.test_client().get("/start-for-test", headers={"Accept": accept})


def logged_refusal(caplog: pytest.LogCaptureFixture, error_id: str) -> str:
    (line,) = [
        r.getMessage()
        for r in caplog.records
        if r.name == "plugin.web.errors" and f"[{error_id}]" in r.getMessage()
    ]
    return line


def test_the_learners_page_shows_no_vendor_text_and_the_log_has_it_under_the_error_id(
    app: Flask, placement: Placement, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="plugin.web.errors"):
        page = learner_page(app, placement, "text/html")

    assert page.status_code == 502
    text = page.get_data(as_text=True)
    match = re.search(r"error id <code>([0-9a-f]{12})</code>", text)
    assert match is not None, text
    assert html.escape(VENDOR_REFUSED, quote=True) in text
    for leaked in ("acme-hiring-eu", "ops@acme.example", "test credits", "mettl:"):
        assert leaked not in text
    assert ACCOUNT_REFUSAL in logged_refusal(caplog, match[1])


def test_the_json_refusal_shows_no_vendor_text_and_the_log_has_it_under_the_error_id(
    app: Flask, placement: Placement, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="plugin.web.errors"):
        answer = learner_page(app, placement, "application/json")

    assert answer.status_code == 502
    body = answer.get_json()
    assert body["error"] == "attempt_not_started" and body["message"] == VENDOR_REFUSED
    assert "acme" not in answer.get_data(as_text=True)
    assert "log under this error id" in body["admin_hint"]
    assert ACCOUNT_REFUSAL in logged_refusal(caplog, body["error_id"])


def test_an_unknown_assessment_is_refused_before_any_vendor_call(placement: Placement) -> None:
    before = placement.attempt_count()

    with pytest.raises(AttemptError) as refused:
        placement.service.start(placement.launch, 424242)

    assert refused.value.status == 404
    assert "424242" in str(refused.value)
    assert "assessment=<id>" in refused.value.admin_hint
    assert placement.adapter.starts == []
    assert placement.attempt_count() == before


def test_a_launch_from_no_known_placement_is_refused_and_leaves_no_attempt(
    placement: Placement,
) -> None:
    before = placement.attempt_count()
    stray = dataclasses.replace(placement.launch, context_id="some-other-course")

    with pytest.raises(AttemptError) as refused:
        placement.service.start(stray, placement.assessment_id)

    assert refused.value.status == 400 and "course placement" in refused.value.admin_hint
    assert placement.adapter.starts == []
    assert placement.attempt_count() == before


def test_a_proctored_assessment_enrols_the_learner_at_both_vendors_with_one_token(
    app: Flask, placement: Placement
) -> None:
    proctoring_id = connection_of(placement.sessions, make_attempt(app))
    proctor = FakeVendorAdapter(refs="proctor")
    placement.connections.use(proctoring_id, proctor)
    with placement.sessions.begin() as session:
        assessment = session.get(Assessment, placement.assessment_id)
        assert assessment is not None
        assessment.proctoring_connection_id = proctoring_id
        assessment.proctoring_exam_id = "pe-1"

    destination = placement.service.start(placement.launch, placement.assessment_id)

    (main_request,) = placement.adapter.starts
    (proctor_request,) = proctor.starts
    assert proctor_request.attempt_token == main_request.attempt_token == destination.token
    assert (main_request.test_id, proctor_request.test_id) == ("exam-7", "pe-1")
    assert proctor_request.callback_url.startswith(f"{BASE_URL}/callbacks/mettl/{proctoring_id}?")
    assert destination.redirect_url == "https://vendor.example/take/mettl-1"
    assert destination.proctoring_url == "https://vendor.example/take/proctor-1"
    (attempt,) = placement.attempts()
    assert (attempt.vendor_ref, attempt.proctoring_ref) == ("mettl-1", "proctor-1")


class ExpiringEmbeds(FakeVendorAdapter):
    """An embedding vendor whose every start hands out a new login, valid ``lifetime``."""

    def __init__(self, lifetime: dt.timedelta) -> None:
        super().__init__(embed=True)
        self.lifetime = lifetime

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        self.starts.append(request)
        login = f"login-{len(self.starts)}"
        fresh_until = dt.datetime.now(dt.UTC) + self.lifetime
        return StartedAttempt("exam-1", embed={"auth": login}, fresh_until=fresh_until)


@pytest.mark.parametrize(
    ("lifetime", "starts"),
    [(dt.timedelta(minutes=59), 2), (dt.timedelta(hours=-1), 2), (dt.timedelta(minutes=61), 1)],
)
def test_a_relaunch_gets_a_new_embed_once_the_stored_one_is_in_its_last_hour(
    placement: Placement, lifetime: dt.timedelta, starts: int
) -> None:
    adapter = ExpiringEmbeds(lifetime)
    placement.connections.use(placement.connection_id, adapter)

    first = placement.service.start(placement.launch, placement.assessment_id)
    again = placement.service.start(placement.launch, placement.assessment_id)

    assert len(adapter.starts) == starts
    assert first.embed is not None and again.embed is not None
    assert again.embed["auth"] == f"login-{starts}"
    (attempt,) = placement.attempts()
    assert placement.embed(attempt) == again.embed
    assert again.embed["fresh_until"] > first.embed["fresh_until"] or starts == 1


def test_a_refused_embed_is_renewed_once_and_an_older_one_gets_the_stored_embed(
    placement: Placement,
) -> None:
    adapter = ExpiringEmbeds(dt.timedelta(hours=8))
    placement.connections.use(placement.connection_id, adapter)
    first = placement.service.start(placement.launch, placement.assessment_id)
    assert first.embed is not None

    renewed = placement.service.renew_embed(first.token, first.embed["embed_id"])
    repeated = placement.service.renew_embed(first.token, first.embed["embed_id"])

    assert renewed is not None and renewed["auth"] == "login-2"
    assert repeated == renewed and len(adapter.starts) == 2
    assert adapter.starts[-1].learner.external_id == adapter.starts[0].learner.external_id
    (attempt,) = placement.attempts()
    assert placement.embed(attempt) == renewed
    assert placement.service.renew_embed("no-such-token", "x") is None
