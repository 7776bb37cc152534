"""Platform registrations and their deployments.

Implements :class:`lti.interfaces.ToolStore` for the launch path and the admin
operations behind ``assessment-bridge platform ...`` and dynamic registration.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import typing as t
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from lti.interfaces import DeploymentStatus
from lti.interfaces import PlatformRecord
from lti.origins import off_site
from lti.origins import parse_origin
from lti.origins import url_origin
from plugin.errors import AppError
from plugin.store.models import Deployment
from plugin.store.models import Platform
from plugin.store.models import utcnow


class PlatformError(AppError):
    """An admin operation on platforms cannot be done; the message says why."""


@dataclasses.dataclass(frozen=True)
class DeploymentInfo:
    deployment_id: str
    active: bool
    created_at: dt.datetime
    last_refused_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class PlatformInfo:
    """A registration as admins see it."""

    record: PlatformRecord
    name: str
    registered_via: str
    created_at: dt.datetime
    deployments: tuple[DeploymentInfo, ...]


@dataclasses.dataclass(frozen=True)
class NewPlatform:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None = None
    name: str = ""
    deployment_ids: tuple[str, ...] = ()
    registered_via: str = "manual"
    #: Origins besides the issuer's its login, token and key set URLs may be on.
    allowed_origins: tuple[str, ...] = ()


#: Called inside the transaction that stores a new platform, with its id; raising there
#: stores nothing (dynamic registration consumes its invite so).
Claim = t.Callable[[Session, int], None]


class PlatformService:
    """Registrations, with a short per-process memory of the launch-path lookups.

    Every launch looks up its platform and deployment; remembering positive answers for
    ``cache_seconds`` keeps the database out of the hot path.  Changes made through
    this object are seen at once; changes made by another process (the CLI, another
    worker) within ``cache_seconds``: a removed platform or deployment stops launching
    after at most that long, a newly added or activated one works at once (a client id
    or deployment the memory lacks is always looked up in the store).
    """

    def __init__(self, sessions: sessionmaker[Session], *, cache_seconds: float = 5.0) -> None:
        self._sessions = sessions
        self._cache_seconds = cache_seconds
        self._platform_memo: dict[str, tuple[float, list[PlatformRecord]]] = {}
        self._active_memo: dict[tuple[int, str], float] = {}
        self._record_memo: dict[int, tuple[float, PlatformRecord]] = {}
        self._origins_memo: tuple[float, tuple[str, ...]] | None = None

    def _forget(self) -> None:
        self._platform_memo.clear()
        self._active_memo.clear()
        self._record_memo.clear()
        self._origins_memo = None

    # -- ToolStore ---------------------------------------------------------------------------

    def find_platforms(self, issuer: str, *, client_id: str | None = None) -> list[PlatformRecord]:
        """Every registration of ``issuer``, remembered for ``cache_seconds``.

        A ``client_id`` the remembered list lacks reads the store again: it may have been
        registered a moment ago by another process, and its first launch must not be
        refused until the memory runs out.  (So does every unknown client id, as an
        unknown issuer always did: only what was found is remembered.)
        """
        now = time.monotonic()
        memo = self._platform_memo.get(issuer)
        if memo is not None and memo[0] > now and _names(memo[1], client_id):
            return memo[1]
        with self._sessions() as session:
            rows = session.scalars(
                select(Platform).where(Platform.issuer == issuer).order_by(Platform.id)
            )
            found = [_record(row) for row in rows]
        if found:
            self._platform_memo[issuer] = (now + self._cache_seconds, found)
        return found

    def deployment_status(self, platform: PlatformRecord, deployment_id: str) -> DeploymentStatus:
        now = time.monotonic()
        if self._active_memo.get((platform.id, deployment_id), 0.0) > now:
            return DeploymentStatus.ACTIVE
        status = self._deployment_status(platform, deployment_id)
        if status is DeploymentStatus.ACTIVE:
            self._active_memo[(platform.id, deployment_id)] = now + self._cache_seconds
        return status

    def _deployment_status(self, platform: PlatformRecord, deployment_id: str) -> DeploymentStatus:
        with self._sessions() as session:
            active = session.scalar(
                select(Deployment.active).where(
                    Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id
                )
            )
        if active is None:
            return DeploymentStatus.UNKNOWN
        return DeploymentStatus.ACTIVE if active else DeploymentStatus.INACTIVE

    def record_refused_deployment(self, platform: PlatformRecord, deployment_id: str) -> None:
        with self._sessions.begin() as session:
            row = session.scalar(
                select(Deployment).where(
                    Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id
                )
            )
            if row is None:
                row = Deployment(platform_id=platform.id, deployment_id=deployment_id, active=False)
                session.add(row)
            row.last_refused_at = utcnow()

    # -- admin -------------------------------------------------------------------------------

    def add(self, new: NewPlatform, *, claim: Claim | None = None) -> PlatformInfo:
        """Register a new platform.  An existing issuer + client id is never changed, however
        the new one came (a dynamic registration must not take over a registration).

        :param claim: called with the new row's id before the commit; what it raises
            undoes the registration.
        :raises PlatformError: bad URL, a URL off the issuer's site, duplicate registration.
        """
        origins = parse_origins(new.allowed_origins)
        _check_urls(new, origins)
        self._forget()
        with self._sessions.begin() as session:
            if _find(session, new.issuer, new.client_id) is not None:
                raise PlatformError(
                    f"issuer {new.issuer} with client id {new.client_id} is already registered;"
                    " use `platform deployment add` to add deployments"
                )
            row = Platform(
                issuer=new.issuer,
                client_id=new.client_id,
                name=new.name,
                auth_login_url=new.auth_login_url,
                auth_token_url=new.auth_token_url,
                key_set_url=new.key_set_url,
                auth_audience=new.auth_audience,
                registered_via=new.registered_via,
                allowed_origins=" ".join(origins),
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError as exc:  # the same registration, stored a moment ago
                raise PlatformError(
                    f"issuer {new.issuer} with client id {new.client_id} is already registered"
                ) from exc
            for deployment_id in new.deployment_ids:
                _activate(session, row, deployment_id)
            if claim is not None:
                claim(session, row.id)
            session.flush()
            return _info(row)

    def set_allowed_origins(
        self, issuer: str, client_id: str | None, origins: t.Iterable[str]
    ) -> PlatformInfo:
        """Replace the origins besides the issuer's that the platform's URLs may be on.

        :raises PlatformError: a bad origin, or one of its URLs would be off its site.
        """
        allowed = parse_origins(origins)
        self._forget()
        with self._sessions.begin() as session:
            row = _require(session, issuer, client_id)
            _check_on_site(row.issuer, _endpoints(row), allowed)
            row.allowed_origins = " ".join(allowed)
            session.flush()
            session.refresh(row)
            return _info(row)

    def record(self, platform_id: int) -> PlatformRecord | None:
        """The registration with store id ``platform_id`` (None once removed); remembered
        like the launch-path lookups, as every grade delivery asks."""
        now = time.monotonic()
        memo = self._record_memo.get(platform_id)
        if memo is not None and memo[0] > now:
            return memo[1]
        with self._sessions() as session:
            row = session.get(Platform, platform_id)
            found = None if row is None else _record(row)
        if found is not None:
            self._record_memo[platform_id] = (now + self._cache_seconds, found)
        return found

    def frame_origins(self) -> tuple[str, ...]:
        """The origins of every platform's issuer, login and key set URLs, and those an
        admin allowed: who may frame our pages and receive their forms.  Every HTML response
        asks, so the answer is remembered like the launch-path lookups (a platform
        registered through this object, as dynamic registration does, is seen at once)."""
        now = time.monotonic()
        if self._origins_memo is not None and self._origins_memo[0] > now:
            return self._origins_memo[1]
        with self._sessions() as session:
            rows = session.execute(
                select(
                    Platform.issuer,
                    Platform.auth_login_url,
                    Platform.key_set_url,
                    Platform.allowed_origins,
                )
            )
            found: set[str | None] = set()
            for issuer, login_url, key_set_url, allowed in rows:
                found.update(url_origin(url) for url in (issuer, login_url, key_set_url))
                found.update(allowed.split())
        origins = tuple(sorted(origin for origin in found if origin))
        self._origins_memo = (now + self._cache_seconds, origins)
        return origins

    def list(self) -> list[PlatformInfo]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.id)
            )
            return [_info(row) for row in rows]

    def get(self, issuer: str, client_id: str | None = None) -> PlatformInfo:
        with self._sessions() as session:
            return _info(_require(session, issuer, client_id))

    def remove(self, issuer: str, client_id: str | None = None) -> PlatformInfo:
        self._forget()
        with self._sessions.begin() as session:
            row = _require(session, issuer, client_id)
            info = _info(row)
            session.delete(row)
            return info

    def add_deployment(
        self, issuer: str, client_id: str | None, deployment_id: str
    ) -> PlatformInfo:
        """Add ``deployment_id`` or activate it if it was recorded inactive."""
        self._forget()
        with self._sessions.begin() as session:
            row = _require(session, issuer, client_id)
            _activate(session, row, deployment_id)
            session.flush()
            session.refresh(row)
            return _info(row)

    def remove_deployment(
        self, issuer: str, client_id: str | None, deployment_id: str
    ) -> PlatformInfo:
        self._forget()
        with self._sessions.begin() as session:
            row = _require(session, issuer, client_id)
            match = next((d for d in row.deployments if d.deployment_id == deployment_id), None)
            if match is None:
                raise PlatformError(f"deployment {deployment_id!r} is not recorded for {issuer}")
            row.deployments.remove(match)
            session.flush()
            return _info(row)


def _names(records: list[PlatformRecord], client_id: str | None) -> bool:
    """Whether ``records`` answer a lookup for ``client_id`` (``None``: any will do)."""
    return client_id is None or any(record.client_id == client_id for record in records)


def parse_origins(texts: t.Iterable[str]) -> tuple[str, ...]:
    """The origins ``texts`` name (``https://sso.example.com``), normalised and sorted.

    :raises PlatformError: one is not a bare http(s) origin.
    """
    origins = set()
    for text in texts:
        origin = parse_origin(text)
        if origin is None:
            raise PlatformError(
                f"{text!r} is not an origin; give scheme://host[:port], e.g. https://sso.example.com"
            )
        origins.add(origin)
    return tuple(sorted(origins))


def _find(session: Session, issuer: str, client_id: str) -> Platform | None:
    return session.scalar(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    )


def _require(session: Session, issuer: str, client_id: str | None) -> Platform:
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    rows = list(session.scalars(query))
    if not rows:
        suffix = f" with client id {client_id}" if client_id else ""
        raise PlatformError(f"no platform registered for issuer {issuer}{suffix}")
    if len(rows) > 1:
        raise PlatformError(f"issuer {issuer} has several client ids; pass --client-id")
    return rows[0]


def _activate(session: Session, row: Platform, deployment_id: str) -> None:
    if not deployment_id.strip():
        raise PlatformError("a deployment id cannot be empty")
    existing = next((d for d in row.deployments if d.deployment_id == deployment_id), None)
    if existing is None:
        row.deployments.append(Deployment(deployment_id=deployment_id, active=True))
    else:
        existing.active = True
    try:
        session.flush()
    except IntegrityError as exc:
        raise PlatformError(f"deployment {deployment_id!r} could not be saved") from exc


def _check_urls(new: NewPlatform, allowed_origins: tuple[str, ...]) -> None:
    endpoints = _endpoints(new)
    for label, url in {"issuer": new.issuer, **endpoints}.items():
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise PlatformError(f"the {label} must be an absolute http(s) URL, got {url!r}")
    if not new.client_id.strip():
        raise PlatformError("the client id cannot be empty")
    _check_on_site(new.issuer, endpoints, allowed_origins)


def _endpoints(row: NewPlatform | Platform) -> dict[str, str]:
    return {
        "auth login URL": row.auth_login_url,
        "auth token URL": row.auth_token_url,
        "key set URL": row.key_set_url,
    }


def _check_on_site(
    issuer: str, endpoints: dict[str, str], allowed_origins: tuple[str, ...]
) -> None:
    """The rule of :mod:`lti.origins`: a platform's URLs stay on its issuer's origin unless
    an admin allowed theirs (Canvas signs in on another site than its issuer's, say)."""
    foreign = off_site(endpoints, issuer, allowed_origins)
    if not foreign:
        return
    named = ", ".join(f"the {label} {endpoints[label]}" for label in foreign)
    origins = sorted({url_origin(endpoints[label]) or "" for label in foreign} - {""})
    advice = " ".join(f"--allow-origin {origin}" for origin in origins)
    raise PlatformError(
        f"not on the issuer's origin ({url_origin(issuer)}): {named}; if this LMS really"
        f" uses another site, allow it with {advice}"
    )


def _record(row: Platform) -> PlatformRecord:
    return PlatformRecord(
        id=row.id,
        issuer=row.issuer,
        client_id=row.client_id,
        auth_login_url=row.auth_login_url,
        auth_token_url=row.auth_token_url,
        key_set_url=row.key_set_url,
        auth_audience=row.auth_audience,
        allowed_origins=tuple(row.allowed_origins.split()),
    )


def _info(row: Platform) -> PlatformInfo:
    return PlatformInfo(
        record=_record(row),
        name=row.name,
        registered_via=row.registered_via,
        created_at=row.created_at,
        deployments=tuple(
            DeploymentInfo(d.deployment_id, d.active, d.created_at, d.last_refused_at)
            for d in row.deployments
        ),
    )
