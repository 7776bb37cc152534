"""One-time dynamic registration URLs, minted by an admin (``platform registration-url``).

A dynamic registration stores a platform whose deployment can launch at once, so it runs
only through ``/lti/register/<token>``, a URL an admin minted and pasted into the LMS.
Only the SHA-256 of the token is stored.  An invite serves one registration: it is
consumed in the transaction that stores the platform, so a registration that fails
leaves it usable and two registrations racing with it cannot both succeed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import typing as t

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from plugin.errors import AppError
from plugin.registrations.platforms import PlatformError
from plugin.registrations.platforms import parse_origins
from plugin.runtime.tokens import new_token
from plugin.runtime.tokens import token_digest
from plugin.store.models import Platform
from plugin.store.models import RegistrationInvite
from plugin.store.models import utcnow

if t.TYPE_CHECKING:
    from lti.tool_description import ToolUrls
    from plugin.registrations.platforms import Claim
    from plugin.registrations.platforms import PlatformInfo

MIN_LIFETIME = dt.timedelta(minutes=1)
MAX_LIFETIME = dt.timedelta(days=30)
DEFAULT_LIFETIME = dt.timedelta(hours=24)
LABEL_LENGTH = 255
_LIFETIME = re.compile(r"([0-9]{1,6})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

#: What the refusal pages tell whoever opened a URL that cannot be used.
HOW_TO_GET_ONE = (
    "Dynamic registration works only with a one-time URL from this tool's administrator,"
    " who prints one with `assessment-bridge platform registration-url`."
)


class InviteError(AppError):
    """An admin operation on registration invites cannot be done; the message says why."""


class InviteRefusedError(InviteError):
    """A registration URL that cannot be used (unknown, used, expired, incomplete).

    :param status: 403 for a token that names no invite, 410 for one used or expired, 400
        for a request that lacks the platform's configuration.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclasses.dataclass(frozen=True)
class MintedInvite:
    """A new invite with its URL, which is shown this once and stored nowhere."""

    id: int
    url: str
    label: str
    allowed_origins: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class InviteInfo:
    """An invite as admins see it, without its token."""

    id: int
    label: str
    allowed_origins: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    #: ``unused``, ``used`` or ``expired``.
    state: str
    #: The platform registered with it (None until used, or once that platform is removed).
    platform_issuer: str | None
    platform_client_id: str | None


class Registrar(t.Protocol):
    """Runs the registration exchange and stores the platform
    (:meth:`plugin.registrations.lti_tool.LtiTool.register`)."""

    def __call__(
        self,
        openid_configuration: str,
        registration_token: str | None,
        *,
        allowed_origins: tuple[str, ...],
        claim: Claim,
    ) -> PlatformInfo: ...


def parse_lifetime(text: str) -> dt.timedelta:
    """``30m``, ``24h`` or ``7d`` as a duration between :data:`MIN_LIFETIME` and
    :data:`MAX_LIFETIME`.

    :raises InviteError: another form, or out of bounds.
    """
    match = _LIFETIME.fullmatch(text.strip().lower())
    if match is None:
        raise InviteError(f"{text!r} is not a duration; write e.g. 30m, 24h or 7d")
    amount, unit = match.groups()
    lifetime = dt.timedelta(**{_UNITS[unit]: int(amount)})
    _check_lifetime(lifetime)
    return lifetime


def _check_lifetime(lifetime: dt.timedelta) -> None:
    if not MIN_LIFETIME <= lifetime <= MAX_LIFETIME:
        raise InviteError("a registration URL lives between 1 minute (1m) and 30 days (30d)")


class RegistrationInvites:
    """Mint, list and revoke invites (the admin's side) and consume one (the LMS's side)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        urls: ToolUrls,
        register: Registrar,
        now: t.Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._urls = urls
        self._register = register
        self._now = now

    def mint(
        self,
        *,
        lifetime: dt.timedelta = DEFAULT_LIFETIME,
        label: str = "",
        allowed_origins: t.Iterable[str] = (),
    ) -> MintedInvite:
        """A new one-time registration URL.

        :param allowed_origins: origins besides the issuer's the registering platform's
            configuration and endpoints may be on; the platform keeps them.
        :raises InviteError: lifetime out of bounds, label too long, a bad origin.
        """
        _check_lifetime(lifetime)
        if len(label) > LABEL_LENGTH:
            raise InviteError(f"the label is longer than {LABEL_LENGTH} characters")
        try:
            origins = parse_origins(allowed_origins)
        except PlatformError as exc:
            raise InviteError(str(exc)) from exc
        token = new_token(32)
        now = self._now()
        with self._sessions.begin() as session:
            row = RegistrationInvite(
                token_hash=token_digest(token),
                label=label,
                allowed_origins=" ".join(origins),
                created_at=now,
                expires_at=now + lifetime,
            )
            session.add(row)
            session.flush()
            return MintedInvite(
                id=row.id,
                url=self._urls.registration(token),
                label=label,
                allowed_origins=origins,
                created_at=now,
                expires_at=row.expires_at,
            )

    def list(self) -> list[InviteInfo]:
        """Every invite, oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(RegistrationInvite, Platform.issuer, Platform.client_id)
                .outerjoin(Platform, Platform.id == RegistrationInvite.platform_id)
                .order_by(RegistrationInvite.id)
            )
            now = self._now()
            return [self._info(row, issuer, client_id, now) for row, issuer, client_id in rows]

    def revoke(self, invite_id: int) -> InviteInfo:
        """Delete an invite that was not used, so its URL registers nothing.

        :raises InviteError: no such invite, or it was used already.
        """
        with self._sessions.begin() as session:
            row = session.get(RegistrationInvite, invite_id)
            if row is None:
                raise InviteError(f"no registration invite {invite_id}")
            if row.used_at is not None:
                raise InviteError(
                    f"registration invite {invite_id} was used already and cannot be used again;"
                    " to stop the platform it registered, use `platform remove`"
                )
            info = self._info(row, None, None, self._now())
            session.delete(row)
            return info

    def consume(
        self, token: str, openid_configuration: str, registration_token: str | None
    ) -> PlatformInfo:
        """Register the platform that opened the URL of ``token``, and use up its invite.

        Nothing is fetched unless the token names a usable invite.

        :raises InviteRefusedError: the token names no usable invite (also when another
            registration used it meanwhile), or the request is incomplete.
        :raises lti.errors.RegistrationError: the exchange with the platform failed.
        :raises PlatformError: what the platform answered cannot be stored.
        """
        invite_id, origins = self._usable(token)
        if not openid_configuration:
            raise InviteRefusedError(
                400,
                "registration_incomplete",
                "The registration request lacks openid_configuration; start the registration"
                " from the LMS's dynamic registration page with this URL.",
            )
        return self._register(
            openid_configuration,
            registration_token,
            allowed_origins=origins,
            claim=functools.partial(self._claim, invite_id),
        )

    def _usable(self, token: str) -> tuple[int, tuple[str, ...]]:
        with self._sessions() as session:
            digest = token_digest(token)
            row = session.scalar(
                select(RegistrationInvite).where(RegistrationInvite.token_hash == digest)
            )
            if row is None:
                raise InviteRefusedError(
                    403, "unknown_registration_url", "This registration URL is not valid."
                )
            if row.used_at is not None:
                raise InviteRefusedError(
                    410, "registration_url_used", "This registration URL was used already."
                )
            if row.expires_at <= self._now():
                raise InviteRefusedError(
                    410, "registration_url_expired", "This registration URL has expired."
                )
            return row.id, tuple(row.allowed_origins.split())

    def _claim(self, invite_id: int, session: Session, platform_id: int) -> None:
        """Use the invite up in the transaction storing ``platform_id``, if still usable."""
        now = self._now()
        result = session.execute(
            update(RegistrationInvite)
            .where(
                RegistrationInvite.id == invite_id,
                RegistrationInvite.used_at.is_(None),
                RegistrationInvite.expires_at > now,
            )
            .values(used_at=now, platform_id=platform_id)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InviteRefusedError(
                410,
                "registration_url_used",
                "This registration URL was used by another registration meanwhile, or expired.",
            )

    @staticmethod
    def _info(
        row: RegistrationInvite, issuer: str | None, client_id: str | None, now: dt.datetime
    ) -> InviteInfo:
        if row.used_at is not None:
            state = "used"
        elif row.expires_at <= now:
            state = "expired"
        else:
            state = "unused"
        return InviteInfo(
            id=row.id,
            label=row.label,
            allowed_origins=tuple(row.allowed_origins.split()),
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
            state=state,
            platform_issuer=issuer,
            platform_client_id=client_id,
        )
