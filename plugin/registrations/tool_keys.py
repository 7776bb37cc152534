"""The tool's RSA keys: generate, rotate with overlap, publish, sign.

Rotation never breaks a platform that caches our JWKS: ``rotate`` publishes
the new key at once but lets it sign only after ``overlap`` (so platforms
refetch the JWKS first), and keeps the old key published for another
``overlap`` after that (so tokens it signed stay verifiable).

At every moment from now on some published key must be able to sign: ``retire``
refuses to break that chain, and a start that finds no key able to sign now
makes one (:meth:`ToolKeyService.ensure_key`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from lti import keys as rsa_keys
from lti.interfaces import SigningKey
from plugin.errors import AppError
from plugin.runtime.crypto import SecretBox
from plugin.store.models import ToolKey
from plugin.store.models import utcnow

log = logging.getLogger(__name__)


class KeyState(enum.Enum):
    NEXT = "next"
    SIGNING = "signing"
    PREVIOUS = "previous"
    RETIRED = "retired"


@dataclasses.dataclass(frozen=True)
class KeyInfo:
    kid: str
    state: KeyState
    created_at: dt.datetime
    signs_from: dt.datetime
    retires_at: dt.datetime | None


class NoSigningKeyError(AppError):
    """No key can sign now, or a retirement would leave a time when none could."""


class ToolKeyService:
    """Implements :class:`lti.interfaces.KeySource` over the ``tool_keys`` table.

    Decrypted, parsed private keys are cached per process by kid: loading a PEM
    costs milliseconds and would otherwise be paid on every signature.
    """

    def __init__(self, sessions: sessionmaker[Session], secrets: SecretBox) -> None:
        self._sessions = sessions
        self._secrets = secrets
        self._loaded: dict[str, SigningKey] = {}
        self._lock = threading.Lock()

    def ensure_key(self) -> bool:
        """Create a key that signs at once if none can sign now (there is none yet, or every
        key was retired or has expired); True when one was created."""
        now = utcnow()
        with self._sessions.begin() as session:
            if self._signing_row(session, now) is not None:
                return False
            session.add(self._new_key(signs_from=now))
            return True

    def rotate(self, *, overlap: dt.timedelta, keep_old: dt.timedelta | None = None) -> KeyInfo:
        """Add a key that signs after ``overlap``; the current key stays published for
        ``keep_old`` (default: ``overlap``) after the new one starts signing."""
        now = utcnow()
        with self._sessions.begin() as session:
            current = self._signing_row(session, now)
            new = self._new_key(signs_from=now + overlap)
            session.add(new)
            if current is not None:
                current.retires_at = new.signs_from + (overlap if keep_old is None else keep_old)
            session.flush()
            return _info(new, now, None)

    def retire(self, kid: str) -> KeyInfo:
        """Withdraw ``kid`` from the JWKS now.

        :raises LookupError: unknown kid.
        :raises NoSigningKeyError: without it, no key could sign now or at some later time.
        """
        now = utcnow()
        with self._sessions.begin() as session:
            row = session.scalar(select(ToolKey).where(ToolKey.kid == kid))
            if row is None:
                raise LookupError(f"no tool key with kid {kid!r}")
            others = [r for r in self._live_rows(session, now) if r.kid != kid]
            if not _signs_from_now_on(others, now):
                raise NoSigningKeyError(
                    f"key {kid} is the only key that can keep signing (the others retire"
                    " first); run `assessment-bridge keys rotate`, then retire"
                    f" {kid} once the new key signs"
                )
            row.retires_at = now
        with self._lock:
            self._loaded.pop(kid, None)
        return self.describe(kid)

    def list_keys(self) -> list[KeyInfo]:
        now = utcnow()
        with self._sessions() as session:
            rows = list(session.scalars(select(ToolKey).order_by(ToolKey.id)))
            signing = self._signing_row(session, now)
            return [_info(row, now, signing.kid if signing else None) for row in rows]

    def describe(self, kid: str) -> KeyInfo:
        return next(info for info in self.list_keys() if info.kid == kid)

    def signing_key(self) -> SigningKey:
        now = utcnow()
        with self._sessions() as session:
            row = self._signing_row(session, now)
            if row is None:
                raise NoSigningKeyError("no tool key can sign; run `assessment-bridge keys rotate`")
            kid, encrypted = row.kid, row.private_key_encrypted
        log.info("tool key kid=%s signs", kid)
        with self._lock:
            loaded = self._loaded.get(kid)
        if loaded is None:
            pem = self._secrets.decrypt(encrypted)
            loaded = SigningKey(
                kid=kid, private_key=rsa_keys.load_private_pem(pem), private_pem=pem.decode()
            )
            with self._lock:
                self._loaded[kid] = loaded
        return loaded

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        with self._sessions() as session:
            rows = self._live_rows(session, utcnow())
            return {"keys": [json.loads(row.public_jwk) for row in rows]}

    def _new_key(self, *, signs_from: dt.datetime) -> ToolKey:
        private = rsa_keys.generate_private_key()
        jwk = rsa_keys.public_jwk(private)
        return ToolKey(
            kid=jwk["kid"],
            public_jwk=json.dumps(jwk, sort_keys=True),
            private_key_encrypted=self._secrets.encrypt(rsa_keys.private_pem(private)),
            created_at=utcnow(),
            signs_from=signs_from,
        )

    @staticmethod
    def _live_rows(session: Session, now: dt.datetime) -> list[ToolKey]:
        rows = session.scalars(select(ToolKey).order_by(ToolKey.id))
        return [row for row in rows if row.retires_at is None or row.retires_at > now]

    def _signing_row(self, session: Session, now: dt.datetime) -> ToolKey | None:
        candidates = [row for row in self._live_rows(session, now) if row.signs_from <= now]
        return max(candidates, key=lambda row: (row.signs_from, row.id), default=None)


def _signs_from_now_on(rows: list[ToolKey], now: dt.datetime) -> bool:
    """Whether at every moment from ``now`` on one of ``rows`` is able to sign: follow the
    chain of signers, each taking over no later than the one before it retires."""
    moment: dt.datetime | None = now
    while moment is not None:
        able = [r for r in rows if r.signs_from <= moment and _retires_after(r, moment)]
        if not able:
            return False
        moment = max(able, key=lambda r: (r.retires_at is None, r.retires_at or moment)).retires_at
    return True


def _retires_after(row: ToolKey, moment: dt.datetime) -> bool:
    return row.retires_at is None or row.retires_at > moment


def _info(row: ToolKey, now: dt.datetime, signing_kid: str | None) -> KeyInfo:
    if row.retires_at is not None and row.retires_at <= now:
        state = KeyState.RETIRED
    elif row.kid == signing_kid:
        state = KeyState.SIGNING
    elif row.signs_from > now:
        state = KeyState.NEXT
    else:
        state = KeyState.PREVIOUS
    return KeyInfo(row.kid, state, row.created_at, row.signs_from, row.retires_at)
