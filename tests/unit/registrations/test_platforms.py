from __future__ import annotations

import dataclasses
import re
import typing as t

import pytest
from flask import Flask

from lti.interfaces import DeploymentStatus
from plugin.registrations.platforms import NewPlatform
from plugin.registrations.platforms import PlatformError
from plugin.registrations.platforms import PlatformService
from plugin.services import services

ISSUER = "https://lms.example.edu"


def service(app: Flask) -> PlatformService:
    platforms: PlatformService = services(app).platforms
    return platforms


def new(client_id: str = "client-1", *deployments: str, **changes: str) -> NewPlatform:
    fields = {
        "issuer": ISSUER,
        "client_id": client_id,
        "auth_login_url": f"{ISSUER}/auth",
        "auth_token_url": f"{ISSUER}/token",
        "key_set_url": f"{ISSUER}/jwks",
        **changes,
    }
    return NewPlatform(deployment_ids=deployments or ("dep-1",), **fields)  # type: ignore[arg-type]


def test_many_client_ids_per_issuer_and_many_deployments(app: Flask) -> None:
    platforms = service(app)
    platforms.add(new("client-1", "a", "b"))
    platforms.add(new("client-2", "c"))
    found = platforms.find_platforms(ISSUER)
    assert [p.client_id for p in found] == ["client-1", "client-2"]
    assert platforms.deployment_status(found[0], "b") is DeploymentStatus.ACTIVE
    assert platforms.deployment_status(found[1], "b") is DeploymentStatus.UNKNOWN


def test_duplicate_manual_registration_is_refused_and_keeps_the_first(app: Flask) -> None:
    platforms = service(app)
    platforms.add(new("client-1"))
    with pytest.raises(PlatformError, match="already registered"):
        platforms.add(new("client-1", auth_login_url=f"{ISSUER}/elsewhere/auth"))
    assert platforms.get(ISSUER).record.auth_login_url == f"{ISSUER}/auth"


@pytest.mark.parametrize("field", ["issuer", "auth_login_url", "auth_token_url", "key_set_url"])
def test_urls_must_be_absolute(app: Flask, field: str) -> None:
    with pytest.raises(PlatformError, match="absolute http"):
        service(app).add(new(**{field: "lms.example.edu/x"}))
    assert service(app).list() == []


def test_refused_deployment_is_recorded_inactive_and_can_be_activated(app: Flask) -> None:
    platforms = service(app)
    platforms.add(new("client-1"))
    record = platforms.find_platforms(ISSUER)[0]
    platforms.record_refused_deployment(record, "new-dep")
    assert platforms.deployment_status(record, "new-dep") is DeploymentStatus.INACTIVE
    refused = next(d for d in platforms.get(ISSUER).deployments if d.deployment_id == "new-dep")
    assert refused.last_refused_at is not None and not refused.active
    platforms.add_deployment(ISSUER, None, "new-dep")
    assert platforms.deployment_status(record, "new-dep") is DeploymentStatus.ACTIVE


def test_remove_deployment_and_platform(app: Flask) -> None:
    platforms = service(app)
    platforms.add(new("client-1", "a", "b"))
    platforms.remove_deployment(ISSUER, "client-1", "a")
    assert [d.deployment_id for d in platforms.get(ISSUER).deployments] == ["b"]
    with pytest.raises(PlatformError, match="not recorded"):
        platforms.remove_deployment(ISSUER, "client-1", "a")
    platforms.remove(ISSUER)
    assert platforms.find_platforms(ISSUER) == []


def test_ambiguous_issuer_needs_a_client_id(app: Flask) -> None:
    platforms = service(app)
    platforms.add(new("client-1"))
    platforms.add(new("client-2"))
    with pytest.raises(PlatformError, match="--client-id"):
        platforms.get(ISSUER)
    assert platforms.get(ISSUER, "client-2").record.client_id == "client-2"


def test_a_dynamic_registration_never_changes_an_existing_one(app: Flask) -> None:
    platforms = service(app)
    platforms.add(dataclasses.replace(new("client-1"), name="by hand"))
    rogue = f"{ISSUER}/rogue"
    with pytest.raises(PlatformError, match="already registered"):
        platforms.add(
            dataclasses.replace(
                new("client-1", auth_login_url=f"{rogue}/auth", key_set_url=f"{rogue}/jwks"),
                registered_via="dynamic",
                name="rogue",
            )
        )
    kept = platforms.get(ISSUER)
    assert kept.record.auth_login_url == f"{ISSUER}/auth"
    assert kept.record.key_set_url == f"{ISSUER}/jwks"
    assert (kept.registered_via, kept.name) == ("manual", "by hand")


@pytest.mark.parametrize("field", ["auth_login_url", "auth_token_url", "key_set_url"])
def test_urls_must_be_on_the_issuers_origin(app: Flask, field: str) -> None:
    with pytest.raises(PlatformError, match=re.escape("--allow-origin https://sso.example.com")):
        service(app).add(new(**{field: "https://sso.example.com/x"}))
    assert service(app).list() == []


def test_an_allowed_origin_may_hold_the_urls(app: Flask) -> None:
    platforms = service(app)
    info = platforms.add(
        dataclasses.replace(
            new(auth_login_url="https://sso.example.com/login"),
            allowed_origins=("https://SSO.example.com:443/",),
        )
    )
    assert info.record.allowed_origins == ("https://sso.example.com",)
    assert platforms.find_platforms(ISSUER)[0].allowed_origins == ("https://sso.example.com",)
    assert "https://sso.example.com" in platforms.frame_origins()


@pytest.mark.parametrize(
    "origin", ["sso.example.com", "https://sso.example.com/login", "ftp://sso.example.com"]
)
def test_an_allowed_origin_is_a_bare_http_origin(app: Flask, origin: str) -> None:
    with pytest.raises(PlatformError, match="not an origin"):
        service(app).add(dataclasses.replace(new(), allowed_origins=(origin,)))


def test_allowed_origins_can_be_replaced_but_must_cover_the_urls(app: Flask) -> None:
    platforms = service(app)
    platforms.add(
        dataclasses.replace(
            new(auth_login_url="https://sso.example.com/login"),
            allowed_origins=("https://sso.example.com",),
        )
    )
    with pytest.raises(PlatformError, match="auth login URL"):
        platforms.set_allowed_origins(ISSUER, None, ())
    updated = platforms.set_allowed_origins(
        ISSUER, None, ["https://sso.example.com", "https://school.example.com"]
    )
    assert updated.record.allowed_origins == (
        "https://school.example.com",
        "https://sso.example.com",
    )


def test_a_client_id_another_process_registered_is_found_at_once(
    make_app: t.Callable[..., Flask],
) -> None:
    """Two apps on one database, as two workers: the first remembers the issuer's list, the
    second registers a new client id under it, and the first finds it on its next lookup."""
    first, second = make_app(), make_app()
    service(first).add(new("client-1"))
    tool_conf = services(first).lti.tool_conf
    assert tool_conf.find_platform(ISSUER, "client-1") is not None  # the issuer is remembered

    service(second).add(new("client-2"))

    found = tool_conf.find_platform(ISSUER, "client-2")
    assert found is not None and found.client_id == "client-2"
    assert tool_conf.find_platform(ISSUER, "client-3") is None


def test_a_remembered_client_id_is_answered_without_the_store(
    make_app: t.Callable[..., Flask],
) -> None:
    first, second = make_app(), make_app()
    service(first).add(new("client-1"))
    assert [p.client_id for p in service(first).find_platforms(ISSUER)] == ["client-1"]

    service(second).remove(ISSUER, "client-1")

    # Within cache_seconds a removed registration may still launch (the documented bound).
    remembered = service(first).find_platforms(ISSUER, client_id="client-1")
    assert [p.client_id for p in remembered] == ["client-1"]
