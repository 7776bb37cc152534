"""The attempt cookie: signed, capped, framed-page friendly, and set by every launch that
reaches an attempt."""

from __future__ import annotations

import dataclasses
import time
import typing as t
from http.cookies import SimpleCookie

import pytest
from flask import Response
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer

from lti.interfaces import PlatformRecord
from lti.roles import LaunchRole
from plugin.attempts.start import AttemptDestination
from plugin.registrations.launches import LaunchSummary
from plugin.services import services
from plugin.web.attempt_cookie import COOKIE_NAME
from plugin.web.attempt_cookie import MAX_AGE_SECONDS
from plugin.web.attempt_cookie import MAX_ATTEMPTS
from plugin.web.attempt_cookie import cookie_value
from plugin.web.attempt_cookie import launched_attempts
from plugin.web.attempt_cookie import remember_attempt
from plugin.web.lti import _send_to_assessment
from plugin.web.result_grant import grants

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.attempts.start import AttemptService

HTTPS_BASE = "https://bridge.example.edu"


def remembered(app: Flask, attempt_id: int, cookie: str | None = None, **context: t.Any) -> str:
    """The ``Set-Cookie`` header of remembering ``attempt_id`` on a request carrying
    ``cookie`` (a value of the attempt cookie)."""
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
    with app.test_request_context(headers=headers, **context):
        response = Response()
        remember_attempt(response, attempt_id)
    return response.headers["Set-Cookie"]


def value_of(set_cookie: str) -> str:
    parsed = SimpleCookie()
    parsed.load(set_cookie)
    return parsed[COOKIE_NAME].value


def named(app: Flask, cookie: str) -> tuple[int, ...]:
    with app.test_request_context(headers={"Cookie": f"{COOKIE_NAME}={cookie}"}):
        return launched_attempts()


def test_the_cookie_names_the_attempt_and_is_httponly_and_lax_over_http(app: Flask) -> None:
    header = remembered(app, 7)

    assert named(app, value_of(header)) == (7,)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert f"Max-Age={MAX_AGE_SECONDS}" in header and "Path=/" in header


@pytest.mark.parametrize("scheme", ["https request", "https base URL"])
def test_over_https_the_cookie_is_secure_and_samesite_none_for_the_framed_page(
    make_app: Callable[..., Flask], scheme: str
) -> None:
    app = make_app(BRIDGE_BASE_URL=HTTPS_BASE)
    context = {"base_url": HTTPS_BASE} if scheme == "https request" else {}

    header = remembered(app, 7, **context)

    assert "Secure" in header and "SameSite=None" in header and "HttpOnly" in header


def test_the_newest_attempt_comes_first_once_and_old_ones_drop_off(app: Flask) -> None:
    cookie = None
    for attempt_id in range(1, MAX_ATTEMPTS + 6):
        cookie = value_of(remembered(app, attempt_id, cookie))
    assert cookie is not None
    newest = tuple(range(MAX_ATTEMPTS + 5, 5, -1))
    assert named(app, cookie) == newest

    again = value_of(remembered(app, 10, cookie))

    assert named(app, again) == (10, *(n for n in newest if n != 10))


@pytest.mark.parametrize(
    "forged",
    [
        "edited signature",
        "unsigned list",
        "signed with another salt",
        "not a list of ids",
    ],
)
def test_a_cookie_that_does_not_verify_names_nothing(app: Flask, forged: str) -> None:
    genuine = value_of(remembered(app, 7))
    with app.test_request_context():
        values = {
            "edited signature": genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB"),
            "unsigned list": "[1, 2, 3]",
            "signed with another salt": _other_salt(app, [7]),
            "not a list of ids": cookie_value(t.cast("list[int]", ["7", True])),
        }
    assert named(app, values[forged]) == ()


def _other_salt(app: Flask, ids: list[int]) -> str:
    key = app.secret_key
    assert key
    return str(URLSafeTimedSerializer(key, salt="another").dumps(ids))


def test_an_expired_cookie_names_nothing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    issued = int(time.time()) - MAX_AGE_SECONDS - 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
    old = value_of(remembered(app, 7))
    monkeypatch.undo()

    assert named(app, old) == ()


@dataclasses.dataclass
class StubAttempts:
    destination: AttemptDestination

    def start(self, launch: LaunchSummary, assessment_id: int) -> AttemptDestination:
        return self.destination

    def result_url(self, token: str) -> str:
        return f"http://127.0.0.1:8000/return/{token}/result"


LAUNCH = LaunchSummary(
    launch_id="l1",
    role=LaunchRole.LEARNER,
    message_type="LtiResourceLinkRequest",
    user_name="Ada",
    user_email="ada@example.edu",
    user_subject="u1",
    given_name="Ada",
    family_name="Lovelace",
    context_title="Course",
    context_id="c1",
    resource_link_title="Quiz",
    resource_link_id="r1",
    platform=PlatformRecord(1, "https://lms.example", "client", "-", "-", "-"),
    custom={"assessment": "1"},
    return_url=None,
)
EMBED = {"script_url": "https://player.example/sdk.js", "event_url": "-", "component": "P"}
DESTINATIONS = {
    "vendor redirect": AttemptDestination(42, "tok", "https://vendor.example/take", None),
    "player page": AttemptDestination(42, "tok", None, EMBED),
    "proctored page": AttemptDestination(
        42, "tok", "https://vendor.example/take", None, "https://proctor.example/room"
    ),
    "result page": AttemptDestination(
        42, "tok", None, None, result_url="http://127.0.0.1:8000/return/tok/result"
    ),
}


@pytest.mark.parametrize("branch", sorted(DESTINATIONS))
def test_every_launch_that_reaches_an_attempt_sets_the_cookie(app: Flask, branch: str) -> None:
    services(app).attempts = t.cast("AttemptService", StubAttempts(DESTINATIONS[branch]))
    cookie = value_of(remembered(app, 5))

    with app.test_request_context(
        "/lti/launch", method="POST", headers={"Cookie": f"{COOKIE_NAME}={cookie}"}
    ):
        response = _send_to_assessment(LAUNCH, "1")

    assert named(app, value_of(response.headers["Set-Cookie"])) == (42, 5)
    if branch == "result page":
        location = response.headers["Location"]
        assert location.startswith("http://127.0.0.1:8000/return/tok/result?grant=")
        with app.test_request_context():
            assert grants(location.split("grant=")[1], 42)
            assert not grants(location.split("grant=")[1], 5)
