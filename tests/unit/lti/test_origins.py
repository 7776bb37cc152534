"""Origins and the rule that keeps a platform's endpoints on its own site."""

from __future__ import annotations

import pytest

from lti.origins import off_site
from lti.origins import on_site
from lti.origins import parse_origin
from lti.origins import url_origin

ISSUER = "https://canvas.instructure.com"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://LMS.example.edu/auth?x=1", "https://lms.example.edu"),
        ("https://lms.example.edu:443/auth", "https://lms.example.edu"),
        ("http://127.0.0.1:80/x", "http://127.0.0.1"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("https://user@lms.example.edu/", None),
        ("javascript:alert(1)", None),
    ],
)
def test_url_origin(url: str, origin: str | None) -> None:
    assert url_origin(url) == origin


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://sso.canvaslms.com", "https://sso.canvaslms.com"),
        ("https://SSO.canvaslms.com/", "https://sso.canvaslms.com"),
        ("https://sso.canvaslms.com/login", None),
        ("https://sso.canvaslms.com?x", None),
        ("sso.canvaslms.com", None),
    ],
)
def test_parse_origin(text: str, origin: str | None) -> None:
    assert parse_origin(text) == origin


def test_endpoints_stay_on_the_issuers_origin_unless_allowed() -> None:
    login = "https://sso.canvaslms.com/api/lti/authorize_redirect"
    assert on_site(f"{ISSUER}/api/lti/security/jwks", ISSUER)
    assert not on_site(login, ISSUER)
    assert on_site(login, ISSUER, ["https://sso.canvaslms.com"])
    assert not on_site("https://canvas.instructure.com.evil.example/x", ISSUER)
    assert not on_site("http://canvas.instructure.com/x", ISSUER)
    urls = {"login": login, "keys": f"{ISSUER}/jwks", "token": "https://evil.example/token"}
    assert off_site(urls, ISSUER) == ["login", "token"]
    assert off_site(urls, ISSUER, ["https://sso.canvaslms.com"]) == ["token"]
