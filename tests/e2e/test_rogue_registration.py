"""A hostile platform on 127.0.0.1 tries to register itself with the tool over real HTTP:
without an admin's invite, with endpoints on another site, and through redirects."""

from __future__ import annotations

import typing as t
from urllib.parse import urlencode

import pytest
import requests
from flask import redirect

from plugin.sandbox.browser import SandboxBrowser
from plugin.services import services
from tests.e2e.conftest import RunningTool
from tests.support.rogue_platform import CONFIGURATION_PATH
from tests.support.rogue_platform import RoguePlatform
from tests.support.rogue_platform import rogue_platform

pytestmark = pytest.mark.e2e


@pytest.fixture
def rogue() -> t.Iterator[RoguePlatform]:
    with rogue_platform() as platform:
        yield platform


@pytest.fixture
def elsewhere() -> t.Iterator[RoguePlatform]:
    with rogue_platform() as platform:
        yield platform


def open_registration(url: str, rogue: RoguePlatform) -> requests.Response:
    query = urlencode({"openid_configuration": rogue.configuration_url, "registration_token": "x"})
    return SandboxBrowser().get(f"{url}?{query}")


def invite_url(tool: RunningTool, **mint: t.Any) -> str:
    return services(tool.app).invites.mint(**mint).url


def test_without_an_invite_nothing_is_fetched_nor_stored(
    tool: RunningTool, rogue: RoguePlatform
) -> None:
    for url in (f"{tool.url}/lti/register", f"{tool.url}/lti/register/guessed-token"):
        page = open_registration(url, rogue)
        assert page.status_code == 403
        assert "assessment-bridge platform registration-url" in page.text
    assert rogue.hits == []
    assert tool.platforms.list() == []


def test_endpoints_on_another_origin_are_refused(
    tool: RunningTool, rogue: RoguePlatform, elsewhere: RoguePlatform
) -> None:
    rogue.overrides["authorization_endpoint"] = "https://login.phishing.example/authorize"
    rogue.overrides["registration_endpoint"] = elsewhere.url + "/register"
    url = invite_url(tool)
    page = open_registration(url, rogue)
    assert page.status_code == 400
    assert "could not be completed" in page.text and "phishing" not in page.text
    assert rogue.hits == [f"GET {CONFIGURATION_PATH}"] and elsewhere.hits == []
    assert tool.platforms.list() == []
    assert [i.state for i in services(tool.app).invites.list()] == ["unused"]


def test_redirects_are_refused(
    tool: RunningTool, rogue: RoguePlatform, elsewhere: RoguePlatform
) -> None:
    rogue.answers[f"GET {CONFIGURATION_PATH}"] = lambda: redirect(elsewhere.configuration_url)
    assert open_registration(invite_url(tool), rogue).status_code == 400
    assert elsewhere.hits == []

    del rogue.answers[f"GET {CONFIGURATION_PATH}"]
    rogue.answers["POST /register"] = lambda: redirect(elsewhere.url + "/register", code=307)
    assert open_registration(invite_url(tool), rogue).status_code == 400
    assert elsewhere.hits == []
    assert tool.platforms.list() == []
    assert [i.state for i in services(tool.app).invites.list()] == ["unused", "unused"]


def test_a_well_formed_registration_with_an_invite_is_stored(
    tool: RunningTool, rogue: RoguePlatform
) -> None:
    page = open_registration(invite_url(tool), rogue)
    assert page.status_code == 200, page.text
    (platform,) = tool.platforms.list()
    assert platform.record.issuer == rogue.url and platform.registered_via == "dynamic"
