"""Registration invites: one-time URLs an admin mints, stored as a hash, used up only by a
registration that succeeds, by one registration only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
import typing as t

import pytest
from flask import Flask
from sqlalchemy import select

from lti.errors import RegistrationError
from lti.tool_description import ToolUrls
from plugin.registrations.invites import InviteError
from plugin.registrations.invites import InviteRefusedError
from plugin.registrations.invites import RegistrationInvites
from plugin.registrations.invites import parse_lifetime
from plugin.registrations.platforms import Claim
from plugin.registrations.platforms import NewPlatform
from plugin.registrations.platforms import PlatformError
from plugin.registrations.platforms import PlatformInfo
from plugin.registrations.platforms import PlatformService
from plugin.services import services
from plugin.store.models import RegistrationInvite

BASE_URL = "https://bridge.example.edu"
ISSUER = "https://lms.example.edu"
CONFIGURATION = f"{ISSUER}/.well-known/openid-configuration"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.moment = T0

    def __call__(self) -> dt.datetime:
        return self.moment


@dataclasses.dataclass
class FakeRegistrar:
    """Stands for the exchange with the platform; stores what a platform would answer."""

    platforms: PlatformService
    failure: Exception | None = None
    calls: list[tuple[str, tuple[str, ...]]] = dataclasses.field(default_factory=list)
    before_storing: t.Callable[[], None] = lambda: None

    def __call__(
        self,
        openid_configuration: str,
        registration_token: str | None,
        *,
        allowed_origins: tuple[str, ...],
        claim: Claim,
    ) -> PlatformInfo:
        self.calls.append((openid_configuration, allowed_origins))
        client_id = f"client-{len(self.calls)}"
        if self.failure is not None:
            raise self.failure
        self.before_storing()
        new = NewPlatform(
            issuer=ISSUER,
            client_id=client_id,
            auth_login_url=f"{ISSUER}/auth",
            auth_token_url=f"{ISSUER}/token",
            key_set_url=f"{ISSUER}/jwks",
            deployment_ids=("d-1",),
            registered_via="dynamic",
            allowed_origins=allowed_origins,
        )
        return self.platforms.add(new, claim=claim)


@dataclasses.dataclass
class Setup:
    app: Flask
    invites: RegistrationInvites
    registrar: FakeRegistrar
    clock: Clock

    @property
    def platforms(self) -> PlatformService:
        return self.registrar.platforms


@pytest.fixture
def setup(app: Flask) -> Setup:
    registry = services(app)
    registrar = FakeRegistrar(registry.platforms)
    clock = Clock()
    invites = RegistrationInvites(
        registry.sessions, urls=ToolUrls(BASE_URL), register=registrar, now=clock
    )
    return Setup(app, invites, registrar, clock)


def token_of(url: str) -> str:
    prefix = f"{BASE_URL}/lti/register/"
    assert url.startswith(prefix)
    return url.removeprefix(prefix)


def test_a_minted_url_is_random_and_stored_as_its_hash_only(setup: Setup) -> None:
    first = setup.invites.mint(label="Moodle prod")
    second = setup.invites.mint()
    token = token_of(first.url)
    assert len(token) >= 43 and token != token_of(second.url)
    with services(setup.app).sessions() as session:
        rows = list(session.scalars(select(RegistrationInvite).order_by(RegistrationInvite.id)))
    stored = [str(getattr(rows[0], column.key)) for column in RegistrationInvite.__table__.columns]
    assert not any(token in value for value in stored)
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert rows[0].label == "Moodle prod"
    listed = setup.invites.list()
    assert token not in repr(listed)
    assert [i.state for i in listed] == ["unused", "unused"]


def test_the_lifetime_is_bounded_and_read_from_short_forms() -> None:
    assert parse_lifetime("30m") == dt.timedelta(minutes=30)
    assert parse_lifetime("24h") == dt.timedelta(hours=24)
    assert parse_lifetime("7d") == dt.timedelta(days=7)
    for bad in ("0m", "31d", "5s", "1 week", "", "-3h", "24"):
        with pytest.raises(InviteError):
            parse_lifetime(bad)


def test_expiry(setup: Setup) -> None:
    minted = setup.invites.mint(lifetime=dt.timedelta(hours=1))
    assert minted.expires_at == T0 + dt.timedelta(hours=1)
    setup.clock.moment = T0 + dt.timedelta(hours=1)
    with pytest.raises(InviteRefusedError) as refused:
        setup.invites.consume(token_of(minted.url), CONFIGURATION, None)
    assert refused.value.status == 410 and refused.value.code == "registration_url_expired"
    assert setup.registrar.calls == []
    assert [i.state for i in setup.invites.list()] == ["expired"]


def test_an_unknown_token_is_refused_without_any_exchange(setup: Setup) -> None:
    with pytest.raises(InviteRefusedError) as refused:
        setup.invites.consume("not-a-token", CONFIGURATION, None)
    assert refused.value.status == 403
    assert setup.registrar.calls == []


def test_one_registration_per_url(setup: Setup) -> None:
    minted = setup.invites.mint(allowed_origins=["https://SSO.example.com/"])
    info = setup.invites.consume(token_of(minted.url), CONFIGURATION, "platform-token")
    assert info.record.client_id == "client-1"
    assert info.record.allowed_origins == ("https://sso.example.com",)
    assert setup.registrar.calls == [(CONFIGURATION, ("https://sso.example.com",))]
    with pytest.raises(InviteRefusedError) as refused:
        setup.invites.consume(token_of(minted.url), CONFIGURATION, "platform-token")
    assert refused.value.status == 410 and refused.value.code == "registration_url_used"
    assert len(setup.registrar.calls) == 1
    (used,) = setup.invites.list()
    assert used.state == "used" and used.used_at == T0
    assert (used.platform_issuer, used.platform_client_id) == (ISSUER, "client-1")


@pytest.mark.parametrize(
    "failure",
    [RegistrationError("the platform answered HTTP 500"), InviteError("not stored")],
)
def test_a_failed_registration_leaves_the_url_usable(setup: Setup, failure: Exception) -> None:
    minted = setup.invites.mint()
    setup.registrar.failure = failure
    with pytest.raises(type(failure)):
        setup.invites.consume(token_of(minted.url), CONFIGURATION, None)
    assert [i.state for i in setup.invites.list()] == ["unused"]
    assert setup.platforms.list() == []
    setup.registrar.failure = None
    setup.invites.consume(token_of(minted.url), CONFIGURATION, None)
    assert [i.state for i in setup.invites.list()] == ["used"]


def test_a_platform_that_cannot_be_stored_leaves_the_url_usable(setup: Setup) -> None:
    minted = setup.invites.mint()
    setup.registrar.before_storing = lambda: setup.platforms.add(
        NewPlatform(
            issuer=ISSUER,
            client_id="client-1",
            auth_login_url=f"{ISSUER}/auth",
            auth_token_url=f"{ISSUER}/token",
            key_set_url=f"{ISSUER}/jwks",
        )
    )
    with pytest.raises(PlatformError, match="already registered"):
        setup.invites.consume(token_of(minted.url), CONFIGURATION, None)
    assert [i.state for i in setup.invites.list()] == ["unused"]
    assert setup.platforms.get(ISSUER).registered_via == "manual"


def test_concurrent_registrations_with_one_url_store_one_platform(setup: Setup) -> None:
    minted = setup.invites.mint()
    both_fetched = threading.Barrier(2, timeout=10)
    setup.registrar.before_storing = both_fetched.wait
    outcomes: list[object] = []

    def register() -> None:
        try:
            outcomes.append(setup.invites.consume(token_of(minted.url), CONFIGURATION, None))
        except InviteRefusedError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(setup.registrar.calls) == 2
    refused = [o for o in outcomes if isinstance(o, InviteRefusedError)]
    stored = [o for o in outcomes if isinstance(o, PlatformInfo)]
    assert len(refused) == 1 and len(stored) == 1
    assert refused[0].status == 410
    assert [p.record.client_id for p in setup.platforms.list()] == [stored[0].record.client_id]
    (used,) = setup.invites.list()
    assert used.platform_client_id == stored[0].record.client_id


def test_revoke(setup: Setup) -> None:
    unused = setup.invites.mint()
    used = setup.invites.mint()
    setup.invites.consume(token_of(used.url), CONFIGURATION, None)
    assert setup.invites.revoke(unused.id).state == "unused"
    with pytest.raises(InviteRefusedError) as refused:
        setup.invites.consume(token_of(unused.url), CONFIGURATION, None)
    assert refused.value.status == 403
    with pytest.raises(InviteError, match="used already"):
        setup.invites.revoke(used.id)
    with pytest.raises(InviteError, match="no registration invite"):
        setup.invites.revoke(unused.id)


def test_mint_checks_its_arguments(setup: Setup) -> None:
    with pytest.raises(InviteError, match="1 minute"):
        setup.invites.mint(lifetime=dt.timedelta(seconds=59))
    with pytest.raises(InviteError, match="not an origin"):
        setup.invites.mint(allowed_origins=["https://sso.example.com/login"])
    with pytest.raises(InviteError, match="label"):
        setup.invites.mint(label="x" * 256)
    assert setup.invites.list() == []
