"""``/lti/login`` sends the browser only to a login URL on the platform's own site (or an
origin an admin allowed): a registration cannot make the tool an open redirect."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask

from plugin.services import services
from plugin.store.models import Deployment
from plugin.store.models import Platform

ISSUER = "https://lms.example.edu"
PHISHING = "https://login.phishing.example/authorize"


def store_platform(app: Flask, login_url: str) -> None:
    """A registration as an earlier release could store it (no origin check then)."""
    with services(app).sessions.begin() as session:
        session.add(
            Platform(
                issuer=ISSUER,
                client_id="c1",
                auth_login_url=login_url,
                auth_token_url=f"{ISSUER}/token",
                key_set_url=f"{ISSUER}/jwks",
                deployments=[Deployment(deployment_id="d1", active=True)],
            )
        )


def login(app: Flask) -> tuple[int, str | None, str]:
    query = urlencode(
        {
            "iss": ISSUER,
            "client_id": "c1",
            "login_hint": "user-1",
            "target_link_uri": "http://127.0.0.1:8000/lti/launch",
        }
    )
    response = app.test_client().get(f"/lti/login?{query}")
    return response.status_code, response.headers.get("Location"), response.text


def test_a_login_url_on_another_site_is_refused_without_a_redirect(app: Flask) -> None:
    store_platform(app, PHISHING)
    status, location, page = login(app)
    assert (status, location) == (400, None)
    assert "not on its own site" in page
    assert (
        f"assessment-bridge platform update --issuer {ISSUER} --client-id c1"
        " --allow-origin https://login.phishing.example"
    ) in page


def test_an_allowed_origin_is_redirected_to(app: Flask) -> None:
    store_platform(app, PHISHING)
    services(app).platforms.set_allowed_origins(ISSUER, "c1", ["https://login.phishing.example"])
    status, location, _ = login(app)
    assert status == 302 and location is not None and location.startswith(PHISHING + "?")


def test_a_login_url_on_the_issuers_site_is_redirected_to(app: Flask) -> None:
    store_platform(app, f"{ISSUER}/auth")
    status, location, _ = login(app)
    assert status == 302 and location is not None and location.startswith(f"{ISSUER}/auth?")
