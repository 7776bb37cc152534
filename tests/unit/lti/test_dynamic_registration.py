"""The tool's side of dynamic registration against a hostile platform on 127.0.0.1: no
redirect is followed, answers are bounded, every endpoint stays on the issuer's origin
unless allowed, and the detailed reason of a failure is kept for the log."""

from __future__ import annotations

import typing as t

import pytest
from flask import Response
from flask import redirect

from lti.dynamic_registration import MAX_RESPONSE_BYTES
from lti.dynamic_registration import RegisteredPlatform
from lti.dynamic_registration import register_with_platform
from lti.errors import RegistrationError
from lti.http import TimeoutSession
from lti.tool_description import ToolUrls
from tests.support.rogue_platform import CONFIGURATION_PATH
from tests.support.rogue_platform import RoguePlatform
from tests.support.rogue_platform import nothing_listens_url
from tests.support.rogue_platform import rogue_platform

URLS = ToolUrls("http://127.0.0.1:8000")


@pytest.fixture
def rogue() -> t.Iterator[RoguePlatform]:
    with rogue_platform() as platform:
        yield platform


@pytest.fixture
def elsewhere() -> t.Iterator[RoguePlatform]:
    """Another site: a different origin from :func:`rogue`'s."""
    with rogue_platform() as platform:
        yield platform


def register(url: str, allowed_origins: t.Sequence[str] = ()) -> RegisteredPlatform:
    with TimeoutSession(connect_timeout=2, read_timeout=5, retries=0) as session:
        return register_with_platform(
            url, "platform-token", urls=URLS, session=session, allowed_origins=allowed_origins
        )


def test_a_well_behaved_platform_registers(rogue: RoguePlatform) -> None:
    registered = register(rogue.configuration_url)
    assert registered.issuer == rogue.url and registered.client_id == "rogue-client"
    assert rogue.hits == [f"GET {CONFIGURATION_PATH}", "POST /register"]


def test_a_redirecting_configuration_is_not_followed(
    rogue: RoguePlatform, elsewhere: RoguePlatform
) -> None:
    rogue.answers[f"GET {CONFIGURATION_PATH}"] = lambda: redirect(elsewhere.configuration_url)
    with pytest.raises(RegistrationError, match=r"HTTP 302.*redirects are not followed"):
        register(rogue.configuration_url)
    assert elsewhere.hits == []
    assert rogue.hits == [f"GET {CONFIGURATION_PATH}"]


def test_a_redirecting_registration_endpoint_is_not_followed(rogue: RoguePlatform) -> None:
    rogue.answers["POST /register"] = lambda: redirect(rogue.url + "/other-register", code=307)
    with pytest.raises(RegistrationError, match="HTTP 307"):
        register(rogue.configuration_url)
    assert "POST /other-register" not in rogue.hits


@pytest.mark.parametrize(
    "field", ["authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"]
)
def test_an_endpoint_on_another_origin_is_refused_before_posting(
    rogue: RoguePlatform, elsewhere: RoguePlatform, field: str
) -> None:
    rogue.overrides[field] = elsewhere.url + "/endpoint"
    with pytest.raises(RegistrationError, match=rf"Not on the issuer's origin.*{field}"):
        register(rogue.configuration_url)
    assert rogue.hits == [f"GET {CONFIGURATION_PATH}"]
    assert elsewhere.hits == []


def test_an_allowed_origin_may_hold_the_endpoints(
    rogue: RoguePlatform, elsewhere: RoguePlatform
) -> None:
    rogue.overrides["authorization_endpoint"] = elsewhere.url + "/auth"
    rogue.overrides["registration_endpoint"] = elsewhere.url + "/register"
    registered = register(rogue.configuration_url, allowed_origins=[elsewhere.url])
    assert registered.auth_login_url == elsewhere.url + "/auth"
    assert elsewhere.hits == ["POST /register"]


def test_a_configuration_off_the_issuers_site_needs_an_allowed_origin(
    rogue: RoguePlatform, elsewhere: RoguePlatform
) -> None:
    # The configuration is served by ``elsewhere`` but names ``rogue`` as the issuer.
    elsewhere.overrides.update(rogue.configuration())
    with pytest.raises(RegistrationError, match="openid configuration URL"):
        register(elsewhere.configuration_url)
    assert rogue.hits == []
    assert register(elsewhere.configuration_url, [elsewhere.url]).issuer == rogue.url


@pytest.mark.parametrize("declared", [True, False])
def test_an_answer_larger_than_the_bound_is_refused(rogue: RoguePlatform, declared: bool) -> None:
    huge = b'{"padding": "' + b"x" * MAX_RESPONSE_BYTES + b'"}'

    def answer() -> Response:
        if declared:
            return Response(huge, mimetype="application/json")
        return Response(iter([huge[i : i + 4096] for i in range(0, len(huge), 4096)]))

    rogue.answers[f"GET {CONFIGURATION_PATH}"] = answer
    with pytest.raises(RegistrationError, match="larger than"):
        register(rogue.configuration_url)


def test_the_detail_names_what_failed_for_the_log(rogue: RoguePlatform) -> None:
    with pytest.raises(RegistrationError, match="ConnectionError"):
        register(nothing_listens_url())
    with pytest.raises(RegistrationError, match="HTTP 404: 'nothing at /missing'"):
        register(rogue.url + "/missing")
    rogue.answers[f"GET {CONFIGURATION_PATH}"] = lambda: "<html>secret intranet page</html>"
    with pytest.raises(RegistrationError, match="did not answer JSON: '<html>secret intranet"):
        register(rogue.configuration_url)
