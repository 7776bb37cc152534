"""A launch from a platform whose key set URL answers a huge body: the learner gets the
launch refusal page (502), and the tool read no more than its bound of the key set."""

from __future__ import annotations

import time
import typing as t
import urllib.parse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from lti import claims
from plugin.registrations.platforms import NewPlatform
from plugin.services import services
from tests.support.hostile_server import MIB
from tests.support.hostile_server import Answer
from tests.support.hostile_server import HostileServer
from tests.support.hostile_server import hostile_server

CLIENT_ID = "client-1"


@pytest.fixture
def platform() -> t.Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


def signed_launch(issuer: str, nonce: str) -> str:
    """An id_token the platform could have sent (its signature is never reached)."""
    now = int(time.time())
    body = {
        "iss": issuer,
        "aud": CLIENT_ID,
        "sub": "learner-1",
        "nonce": nonce,
        "iat": now,
        "exp": now + 300,
        claims.MESSAGE_TYPE: "LtiResourceLinkRequest",
        claims.DEPLOYMENT_ID: "d1",
    }
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "platform-key"})


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_huge_key_set_refuses_the_launch_with_a_page_and_is_not_downloaded(
    app: Flask, platform: HostileServer, declared: bool
) -> None:
    platform.answers["GET /jwks"] = Answer.huge_json(64 * MIB, declared=declared)
    services(app).platforms.add(
        NewPlatform(
            issuer=platform.url,
            client_id=CLIENT_ID,
            auth_login_url=f"{platform.url}/auth",
            auth_token_url=f"{platform.url}/token",
            key_set_url=f"{platform.url}/jwks",
            deployment_ids=("d1",),
        )
    )
    browser = app.test_client()
    login = browser.post(
        "/lti/login",
        data={
            "iss": platform.url,
            "client_id": CLIENT_ID,
            "login_hint": "learner-1",
            "target_link_uri": "http://127.0.0.1:8000/lti/launch",
        },
    )
    assert login.status_code == 302
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(login.headers["Location"]).query))

    launch = browser.post(
        "/lti/launch",
        data={"id_token": signed_launch(platform.url, query["nonce"]), "state": query["state"]},
    )

    assert launch.status_code == 502
    assert "key set is larger than 1 MiB" in launch.text
    (sent,) = platform.sent("GET /jwks")
    assert sent < 16 * MIB
