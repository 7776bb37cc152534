"""The state cookie's attributes, directly and behind a TLS-terminating proxy."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from plugin.registrations.platforms import NewPlatform
from plugin.services import services

ISSUER = "https://lms.example.edu"


def login(app: Flask, **headers: str) -> str:
    services(app).platforms.add(
        NewPlatform(
            issuer=ISSUER,
            client_id="c1",
            auth_login_url=f"{ISSUER}/auth",
            auth_token_url=f"{ISSUER}/token",
            key_set_url=f"{ISSUER}/jwks",
            deployment_ids=("d1",),
        )
    )
    base = services(app).settings.base_url
    response = app.test_client().post(
        "/lti/login",
        data={
            "iss": ISSUER,
            "login_hint": "u1",
            "client_id": "c1",
            "target_link_uri": f"{base}/lti/launch",
        },
        headers=headers,
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{ISSUER}/auth?")
    return response.headers["Set-Cookie"]


def test_plain_http_cookie_is_httponly_without_samesite_none(app: Flask) -> None:
    cookie = login(app)
    assert "HttpOnly" in cookie and "Secure" not in cookie and "SameSite=None" not in cookie


@pytest.mark.parametrize("trusted", [True, False])
def test_forwarded_https_gives_samesite_none_secure_only_when_trusted(
    make_app: t.Callable[..., Flask], trusted: bool
) -> None:
    app = make_app(
        BRIDGE_TRUST_PROXY=str(trusted).lower(), BRIDGE_BASE_URL="https://bridge.example.edu"
    )
    cookie = login(app, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bridge.example.edu"})
    if trusted:
        assert "Secure" in cookie and "SameSite=None" in cookie
    else:
        assert "Secure" not in cookie
