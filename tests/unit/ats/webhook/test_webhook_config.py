"""WebhookConfig.from_mapping: https (plain http on loopback only) and a long secret."""

from __future__ import annotations

import pytest

from plugin.ats.webhook import WebhookConfig

SECRET = "whsec-0123456789abcdef"


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/ats",
        "http://127.0.0.1:8080/webhook",
        "http://localhost/webhook",
        "http://[::1]:9000/webhook",
        "https://hooks.example.com/ats?tenant=7",
    ],
)
def test_accepted_urls(url: str) -> None:
    config = WebhookConfig.from_mapping({"url": url, "secret": SECRET})
    assert config.url == url
    assert SECRET not in repr(config)
    assert "secret" in WebhookConfig.SECRET_FIELDS


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"url": "http://hooks.example.com/ats", "secret": SECRET}, "https"),
        ({"url": "http://127.0.0.2/ats", "secret": SECRET}, "https"),
        ({"url": "ftp://hooks.example.com/ats", "secret": SECRET}, "https"),
        ({"url": "/ats", "secret": SECRET}, "absolute"),
        ({"url": "https://u:p@hooks.example.com/ats", "secret": SECRET}, "credentials"),
        ({"url": "https://hooks.example.com/ats#x", "secret": SECRET}, "absolute"),
        ({"url": "https://hooks.example.com/ats", "secret": "short-secret"}, "16"),
        ({"secret": SECRET}, "url"),
        ({"url": "https://hooks.example.com/ats"}, "secret"),
        ({"url": "https://hooks.example.com/ats", "secret": SECRET, "tolerance": "5"}, "tolerance"),
    ],
)
def test_refused_settings(settings: dict[str, str], reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        WebhookConfig.from_mapping(settings)
    assert SECRET not in str(caught.value)
