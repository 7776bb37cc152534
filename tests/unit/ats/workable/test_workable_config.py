"""WorkableConfig.from_mapping validates every setting."""

from __future__ import annotations

import pytest

from plugin.ats.workable import WorkableConfig

TOKEN = "wk-secret-token-value"


def test_defaults_follow_the_subdomain() -> None:
    config = WorkableConfig.from_mapping({"subdomain": "acme-hr", "token": TOKEN})
    assert config.base_url == "https://acme-hr.workable.com"
    assert config.max_wait_seconds == 10.0
    assert "token" in WorkableConfig.SECRET_FIELDS


def test_base_url_and_wait_are_read() -> None:
    config = WorkableConfig.from_mapping(
        {
            "subdomain": "acme",
            "token": TOKEN,
            "base_url": "http://127.0.0.1:8080/",
            "max_wait_seconds": "2.5",
        }
    )
    assert config.base_url == "http://127.0.0.1:8080"
    assert config.max_wait_seconds == 2.5


def test_the_token_is_not_in_the_repr() -> None:
    config = WorkableConfig.from_mapping({"subdomain": "acme", "token": TOKEN})
    assert TOKEN not in repr(config)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"token": TOKEN}, "subdomain"),
        ({"subdomain": "acme"}, "token"),
        ({"subdomain": "Acme", "token": TOKEN}, "subdomain"),
        ({"subdomain": "acme.evil.com/x", "token": TOKEN}, "subdomain"),
        ({"subdomain": "acme", "token": TOKEN, "base_url": "acme.workable.com"}, "base_url"),
        ({"subdomain": "acme", "token": TOKEN, "base_url": "https://x.test/?a=1"}, "base_url"),
        ({"subdomain": "acme", "token": TOKEN, "max_wait_seconds": "-1"}, "max_wait_seconds"),
        ({"subdomain": "acme", "token": TOKEN, "max_wait_seconds": "soon"}, "max_wait_seconds"),
        ({"subdomain": "acme", "token": TOKEN, "max_wait_seconds": "inf"}, "max_wait_seconds"),
        ({"subdomain": "acme", "token": TOKEN, "region": "eu"}, "region"),
    ],
)
def test_bad_settings_are_named(settings: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named) as caught:
        WorkableConfig.from_mapping(settings)
    assert TOKEN not in str(caught.value)
