"""``/lti/login`` is bounded: a few state cookies per browser, a rate per client address.

The cache is the file store, or Redis when the run has one (``BRIDGE_TEST_REDIS_URL``):
the rate limit counts there, so each test logs in from its own made-up address.
"""

from __future__ import annotations

import secrets
import typing as t

from flask import Flask
from flask.testing import FlaskClient

from plugin.registrations.platforms import NewPlatform
from plugin.services import services
from plugin.web.login_limits import MAX_STATE_COOKIES
from plugin.web.lti import STATE_COOKIE_PREFIX

ISSUER = "https://lms.example.edu"


def address() -> str:
    return "10.{}.{}.{}".format(*secrets.token_bytes(3))


def with_platform(app: Flask) -> Flask:
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
    return app


def log_in(client: FlaskClient, app: Flask, **environ: str) -> t.Any:
    base = services(app).settings.base_url
    return client.post(
        "/lti/login",
        data={
            "iss": ISSUER,
            "login_hint": "u1",
            "client_id": "c1",
            "target_link_uri": f"{base}/lti/launch",
        },
        environ_base=environ,
    )


def test_many_logins_leave_a_few_state_cookies_and_the_newest(
    make_app: t.Callable[..., Flask],
) -> None:
    app = with_platform(make_app(BRIDGE_LOGIN_RATE_LIMIT="0"))
    client = app.test_client()
    for _ in range(150):
        last = log_in(client, app)
        assert last.status_code == 302
    newest = last.headers["Location"].split("state=")[1].split("&")[0]

    following = client.get("/lti/config?format=json")
    assert following.status_code == 200
    cookie_header = following.request.headers.get("Cookie", "")
    states = [c.split("=")[0] for c in cookie_header.split("; ") if c.startswith("lti1p3-")]
    assert len(states) == MAX_STATE_COOKIES
    assert STATE_COOKIE_PREFIX + newest in states
    assert len(cookie_header) < 1200  # 150 cookies made it about 12 kB


def test_a_login_deletes_the_oldest_state_cookies_first(make_app: t.Callable[..., Flask]) -> None:
    app = with_platform(make_app(BRIDGE_LOGIN_RATE_LIMIT="0"))
    client = app.test_client()
    for n in range(MAX_STATE_COOKIES + 2):
        client.set_cookie(f"{STATE_COOKIE_PREFIX}state-{n}", f"state-{n}")
    client.set_cookie("other", "kept")
    answer = log_in(client, app)
    deleted = [
        header.split("=")[0]
        for header in answer.headers.getlist("Set-Cookie")
        if "Expires=Thu, 01 Jan 1970" in header
    ]
    assert deleted == [f"{STATE_COOKIE_PREFIX}state-{n}" for n in range(3)]
    assert client.get_cookie("other") is not None


def test_the_31st_login_a_minute_from_one_address_is_refused(
    make_app: t.Callable[..., Flask],
) -> None:
    app = with_platform(make_app(BRIDGE_LOGIN_RATE_LIMIT="30"))
    client, busy = app.test_client(), address()
    for _ in range(30):
        assert log_in(client, app, REMOTE_ADDR=busy).status_code == 302
    refused = log_in(client, app, REMOTE_ADDR=busy, HTTP_ACCEPT="application/json")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json["error"] == "too_many_logins"
    assert "Set-Cookie" not in refused.headers
    assert log_in(app.test_client(), app, REMOTE_ADDR=address()).status_code == 302


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(
    make_app: t.Callable[..., Flask],
) -> None:
    app = with_platform(make_app(BRIDGE_LOGIN_RATE_LIMIT="2", BRIDGE_TRUST_PROXY="true"))
    proxy, client = address(), app.test_client()
    first, second = address(), address()
    for _ in range(2):
        assert log_in(client, app, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=first).status_code == 302
    assert log_in(client, app, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=first).status_code == 429
    assert log_in(client, app, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=second).status_code == 302


def test_zero_lets_every_login_through(make_app: t.Callable[..., Flask]) -> None:
    app = with_platform(make_app(BRIDGE_LOGIN_RATE_LIMIT="0"))
    client, busy = app.test_client(), address()
    assert all(log_in(client, app, REMOTE_ADDR=busy).status_code == 302 for _ in range(40))
