"""Security headers: the pages' Content-Security-Policy, nosniff, no-referrer and HSTS."""

from __future__ import annotations

import typing as t
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask import render_template

from plugin.registrations.platforms import NewPlatform
from plugin.services import services

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

ISSUER = "https://lms.example.edu"
KEYS = "https://keys.example.net:8443"
SDK = "https://unpkg.com/@campfirelearning/sdk-js@2.4.1/dist/browser/index.js"
TEMPLATES = Path(__file__).parents[3] / "plugin" / "templates"


def directives(response: TestResponse) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def register(app: Flask) -> None:
    services(app).platforms.add(
        NewPlatform(
            issuer=ISSUER,
            client_id="c1",
            auth_login_url=f"{ISSUER}/auth",
            auth_token_url=f"{ISSUER}/token",
            key_set_url=f"{KEYS}/jwks",
            deployment_ids=("d1",),
            allowed_origins=(KEYS,),
        )
    )


def test_pages_may_only_be_framed_by_us_and_registered_platforms(app: Flask) -> None:
    client = app.test_client()
    before = directives(client.get("/lti/config"))
    assert before["frame-ancestors"] == ["'self'"]
    register(app)
    after = directives(client.get("/lti/config"))
    assert after["frame-ancestors"] == ["'self'", KEYS, ISSUER]
    assert after["form-action"] == ["'self'", KEYS, ISSUER]
    assert after["default-src"] == ["'self'"]
    assert after["base-uri"] == ["'none'"] and after["object-src"] == ["'none'"]


def test_error_pages_carry_the_policy(app: Flask) -> None:
    response = app.test_client().get("/lti/register", headers={"Accept": "text/html"})
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert directives(response)["frame-ancestors"] == ["'self'"]


def test_json_answers_carry_nosniff_and_no_referrer_without_csp(app: Flask) -> None:
    response = app.test_client().get("/lti/jwks")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" not in response.headers
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_over_https(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(BRIDGE_TRUST_PROXY="true", BRIDGE_BASE_URL="https://bridge.example.edu")
    client = app.test_client()
    forwarded = client.get("/lti/jwks", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.headers["Strict-Transport-Security"] == "max-age=31536000"
    direct = client.get("/lti/jwks", base_url="https://bridge.example.edu")
    assert direct.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/lti/jwks").headers


def player_response(app: Flask, script_url: str) -> TestResponse:
    embed = {"script_url": script_url, "component": "ExamPlayer", "options": {}}
    urls = {"result": "/return/t/result", "renew": "/r", "error": "/e"}
    with app.test_request_context("/lti/launch", method="POST"):
        page = render_template(
            "player.html",
            embed=embed,
            token="t",
            title="Exam",
            proctoring_url=None,
            course_url=None,
            player_urls=urls,
        )
        response = app.process_response(app.make_response(page))
    return t.cast("TestResponse", response)


def test_only_the_player_page_may_load_the_vendor_sdk(app: Flask) -> None:
    player = directives(player_response(app, SDK))
    assert SDK in player["script-src"]
    assert "https://unpkg.com" in player["frame-src"]
    config = app.test_client().get("/lti/config")
    assert "https://unpkg.com" not in config.headers["Content-Security-Policy"]


def test_the_player_page_may_run_the_pinned_bundle_and_no_other_script_of_its_origin(
    app: Flask,
) -> None:
    player = directives(player_response(app, SDK))
    vendor = [source for source in player["script-src"] if source.startswith("https://")]
    assert vendor == [SDK]
    assert "https://unpkg.com" in player["frame-src"]


def test_an_sdk_url_that_could_inject_directives_is_not_allowed(app: Flask) -> None:
    player = directives(player_response(app, "https://evil.example; script-src *"))
    assert "*" not in player["script-src"] and "script-src" not in player["script-src"]


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "style" or (tag == "script" and "src" not in found):
            self.inline.append(found)


@pytest.mark.parametrize("name", sorted(path.name for path in TEMPLATES.glob("*.html")))
def test_every_inline_script_and_style_of_a_template_carries_the_nonce(name: str) -> None:
    scripts = Scripts()
    scripts.feed((TEMPLATES / name).read_text())
    assert all(found.get("nonce") == "{{ csp_nonce }}" for found in scripts.inline)
    assert "style=" not in (TEMPLATES / name).read_text()


def test_the_nonce_of_the_page_is_the_nonce_of_the_policy(app: Flask) -> None:
    response = player_response(app, SDK)
    scripts = Scripts()
    scripts.feed(response.get_data(as_text=True))
    nonces = {found["nonce"] for found in scripts.inline}
    assert len(scripts.inline) == 3 and len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in directives(response)["script-src"]
    other = player_response(app, SDK)
    assert directives(other)["script-src"] != directives(response)["script-src"]
