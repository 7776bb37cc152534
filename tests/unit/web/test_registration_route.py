"""``/lti/register/<token>``: only an admin's one-time URL registers a platform, a refusal
says how to get one, and a failure shows an error id, never what the platform answered."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask import redirect
from sqlalchemy import update

from plugin.registrations.platforms import NewPlatform
from plugin.runtime.logs import mask_secrets
from plugin.services import services
from plugin.store.models import RegistrationInvite
from tests.support.rogue_platform import CONFIGURATION_PATH
from tests.support.rogue_platform import RoguePlatform
from tests.support.rogue_platform import nothing_listens_url
from tests.support.rogue_platform import rogue_platform

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

HOW_TO = "assessment-bridge platform registration-url"
JSON = {"Accept": "application/json"}


@pytest.fixture
def rogue() -> t.Iterator[RoguePlatform]:
    with rogue_platform() as platform:
        yield platform


def invite_path(app: Flask, **mint: t.Any) -> str:
    return urlsplit(services(app).invites.mint(**mint).url).path


def open_url(
    app: Flask, path: str, configuration: str, headers: dict[str, str] | None = None
) -> TestResponse:
    query = urlencode({"openid_configuration": configuration, "registration_token": "tok"})
    return app.test_client().get(f"{path}?{query}", headers=headers or {})


def states(app: Flask) -> list[str]:
    return [i.state for i in services(app).invites.list()]


def test_the_old_url_is_refused_and_says_how_to_get_one(app: Flask, rogue: RoguePlatform) -> None:
    page = open_url(app, "/lti/register", rogue.configuration_url)
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert HOW_TO in page.text
    answer = open_url(app, "/lti/register", rogue.configuration_url, JSON)
    assert answer.status_code == 403
    assert answer.json is not None and answer.json["error"] == "registration_url_required"
    assert HOW_TO in answer.json["admin_hint"]
    assert rogue.hits == [] and services(app).platforms.list() == []


def test_an_unknown_used_or_expired_url_fetches_nothing(app: Flask, rogue: RoguePlatform) -> None:
    unknown = open_url(app, "/lti/register/made-up-token", rogue.configuration_url)
    assert unknown.status_code == 403 and HOW_TO in unknown.text

    path = invite_path(app)
    assert open_url(app, path, rogue.configuration_url).status_code == 200
    fetched = len(rogue.hits)
    used = open_url(app, path, rogue.configuration_url, JSON)
    assert used.status_code == 410
    assert used.json is not None and used.json["error"] == "registration_url_used"
    assert len(rogue.hits) == fetched

    minted = services(app).invites.mint()
    with services(app).sessions.begin() as session:
        session.execute(
            update(RegistrationInvite)
            .where(RegistrationInvite.id == minted.id)
            .values(expires_at=minted.created_at)
        )
    expired = open_url(app, urlsplit(minted.url).path, rogue.configuration_url)
    assert expired.status_code == 410 and "expired" in expired.text and HOW_TO in expired.text
    assert len(rogue.hits) == fetched


def test_a_registration_succeeds_once_and_keeps_the_invites_origins(
    app: Flask, rogue: RoguePlatform
) -> None:
    path = invite_path(app, label="rogue", allowed_origins=["https://sso.example.com"])
    page = open_url(app, path, rogue.configuration_url)
    assert page.status_code == 200, page.text
    info = services(app).platforms.get(rogue.url)
    assert info.registered_via == "dynamic"
    assert info.record.allowed_origins == ("https://sso.example.com",)
    assert states(app) == ["used"]


def failure_page(app: Flask, configuration: str) -> TestResponse:
    page = open_url(app, invite_path(app), configuration)
    assert page.status_code == 400
    return page


def test_failures_look_alike_and_only_the_log_says_why(
    app: Flask, rogue: RoguePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    rogue.answers["GET /not-json"] = lambda: "<h1>intranet: payroll server</h1>"
    cases = {
        "ConnectionError": nothing_listens_url(),
        "HTTP 404": rogue.url + "/missing",
        "did not answer JSON: '<h1>intranet: payroll server": rogue.url + "/not-json",
    }
    pages = []
    with caplog.at_level("WARNING", logger="plugin.web.registration"):
        for detail, url in cases.items():
            page = failure_page(app, url)
            error_id = re.search(r"error id: ([0-9a-f]{12})\.", page.text)
            assert error_id is not None, page.text
            for leak in ("ConnectionError", "404", "JSON", "intranet", "payroll", url):
                assert leak not in page.text
            logged = [
                r.getMessage()
                for r in caplog.records
                if r.name == "plugin.web.registration" and error_id[1] in r.getMessage()
            ]
            assert len(logged) == 1 and detail in logged[0] and url in logged[0]
            pages.append(re.sub(r'nonce="[^"]+"', "", page.text.replace(error_id[1], "ID")))
    assert len(set(pages)) == 1
    assert services(app).platforms.list() == []
    assert states(app) == ["unused"] * 3


def test_a_failure_answers_json_to_api_clients(app: Flask) -> None:
    answer = open_url(app, invite_path(app), nothing_listens_url(), JSON)
    assert answer.status_code == 400 and answer.json is not None
    assert answer.json["error"] == "registration_failed"
    assert answer.json["error_id"] in answer.json["message"]
    assert "ConnectionError" not in answer.text


def test_endpoints_on_another_origin_are_refused_unless_the_invite_allows_it(
    app: Flask, rogue: RoguePlatform
) -> None:
    with rogue_platform() as elsewhere:
        rogue.overrides["token_endpoint"] = elsewhere.url + "/token"
        failure_page(app, rogue.configuration_url)
        assert "POST /register" not in rogue.hits
        assert services(app).platforms.list() == []
        page = open_url(
            app, invite_path(app, allowed_origins=[elsewhere.url]), rogue.configuration_url
        )
        assert page.status_code == 200, page.text
    assert states(app) == ["unused", "used"]


def test_an_existing_registration_is_not_taken_over(
    app: Flask, rogue: RoguePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    platforms = services(app).platforms
    platforms.add(
        NewPlatform(
            issuer=rogue.url,
            client_id=rogue.client_id,
            auth_login_url=rogue.url + "/real-auth",
            auth_token_url=rogue.url + "/real-token",
            key_set_url=rogue.url + "/real-jwks",
            name="by hand",
            deployment_ids=("d-0",),
        )
    )
    with caplog.at_level("WARNING", logger="plugin.web.registration"):
        page = failure_page(app, rogue.configuration_url)
    assert "already registered" not in page.text
    assert any("already registered" in r.getMessage() for r in caplog.records)
    kept = platforms.get(rogue.url)
    assert kept.record.auth_login_url == rogue.url + "/real-auth"
    assert kept.record.key_set_url == rogue.url + "/real-jwks"
    assert (kept.registered_via, kept.name) == ("manual", "by hand")
    assert [d.deployment_id for d in kept.deployments] == ["d-0"]
    assert states(app) == ["unused"]


def test_a_redirect_is_not_followed(app: Flask, rogue: RoguePlatform) -> None:
    rogue.answers[f"GET {CONFIGURATION_PATH}"] = lambda: redirect(rogue.url + "/moved")
    failure_page(app, rogue.configuration_url)
    assert rogue.hits == [f"GET {CONFIGURATION_PATH}"]
    assert services(app).platforms.list() == []


def test_the_registration_token_is_masked_in_logs() -> None:
    line = "GET /lti/register/AbC_dEf-1234567890abcdefghij?openid_configuration=x HTTP/1.1"
    assert "AbC_dEf" not in mask_secrets(line)
