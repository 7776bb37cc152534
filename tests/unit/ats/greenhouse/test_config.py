"""Settings of a Greenhouse connection."""

from __future__ import annotations

import pytest

from plugin.ats.greenhouse import GreenhouseConfig
from plugin.ats.registry import kind_named

REQUIRED = {"client_id": "cid", "client_secret": "very-secret", "user_id": "77"}


def test_defaults() -> None:
    config = GreenhouseConfig.from_mapping(REQUIRED)

    assert config.base_url == "https://harvest.greenhouse.io"
    assert config.token_url == "https://auth.greenhouse.io/token"
    assert (config.note_visibility, config.max_wait_seconds, config.job_id) == (
        "admin_only",
        10.0,
        None,
    )


def test_values_are_checked_and_normalised() -> None:
    config = GreenhouseConfig.from_mapping(
        {
            **REQUIRED,
            "base_url": "https://harvest.example.test/ ",
            "token_url": "https://auth.example.test/token",
            "note_visibility": "public",
            "max_wait_seconds": "2.5",
            "job_id": "4012",
        }
    )

    assert config.base_url == "https://harvest.example.test"
    assert (config.note_visibility, config.max_wait_seconds, config.job_id) == (
        "public",
        2.5,
        "4012",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_secret": ""}, "client_secret is required"),
        ({"user_id": None}, "user_id is required"),
        ({"user_id": "jane"}, "user_id must be a Greenhouse id"),
        ({"job_id": "0"}, "job_id must be a Greenhouse id"),
        ({"note_visibility": "everyone"}, "note_visibility must be one of"),
        ({"max_wait_seconds": "-1"}, "max_wait_seconds must be a number"),
        ({"max_wait_seconds": "nan"}, "max_wait_seconds must be a number"),
        ({"max_wait_seconds": "soon"}, "max_wait_seconds must be a number"),
        ({"base_url": "harvest.greenhouse.io"}, "base_url must be an absolute"),
        ({"token_url": "ftp://auth.greenhouse.io/token"}, "token_url must be an absolute"),
        ({"api_key": "x"}, "unknown Greenhouse setting"),
    ],
)
def test_invalid_settings_are_named(change: dict[str, str | None], message: str) -> None:
    data = {key: value for key, value in {**REQUIRED, **change}.items() if value is not None}

    with pytest.raises(ValueError, match=message):
        GreenhouseConfig.from_mapping(data)


def test_secret_is_declared_and_kept_out_of_repr() -> None:
    config = GreenhouseConfig.from_mapping(REQUIRED)

    assert {"client_secret"} == GreenhouseConfig.SECRET_FIELDS
    assert "very-secret" not in repr(config)


def test_registry_builds_the_sink() -> None:
    kind = kind_named("greenhouse")
    config = kind.parse_config(REQUIRED)
    sink = kind.sink(config)
    try:
        assert sink.kind == "greenhouse"
        assert kind.secret_fields == {"client_secret"}
    finally:
        sink.close()
