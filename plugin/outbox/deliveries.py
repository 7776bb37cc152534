"""The outbox: durable, retried deliveries of result versions to the LMS and the ATSs.

A delivery row is written in the same transaction as the result it carries
(:mod:`plugin.sync.service`), so a result is never stored without its deliveries.  The
queue only wakes a worker; the row is the truth:

- ``pending`` -> ``sending`` (claimed with a lease) -> ``delivered``;
- a retryable failure -> ``failed`` with ``next_try_at`` (exponential backoff with
  jitter, never sooner than the target's ``Retry-After``), until the last try ->
  ``dead`` with the reason, for a person;
- a refusal that retrying cannot fix -> ``dead`` at once;
- a newer version for the same attempt and target marks older unsent ones
  ``superseded``, and a claim is refused while another version for the same
  target is being sent, so an older result never lands after a newer one.

``tries`` counts the tries of the current budget (``BRIDGE_DELIVERY_MAX_TRIES``): a
person's retry of a dead delivery resets it, while each recorded try
(``delivery_tries.number``) keeps counting on from the last one, so the history reads
1, 2, 3... across retries.

A worker killed mid-delivery leaves a ``sending`` row whose lease runs out; the
sweep (:meth:`Outbox.overdue`) hands it out again.  Every target is idempotent in
effect (an AGS score replaces the previous one; ATS writes set values; the
webhook carries an ``Idempotency-Key``), so sending twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import logging
import random
import secrets
import typing as t

from sqlalchemy import Table
from sqlalchemy import Update
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased
from sqlalchemy.orm import sessionmaker

from plugin.store.models import Delivery
from plugin.store.models import DeliveryTry
from plugin.store.models import UtcDateTime
from plugin.store.models import utcnow

log = logging.getLogger(__name__)

LMS_TARGET = "lms"
#: How long a claim holds before the sweep may hand the delivery to another worker (default).
LEASE = dt.timedelta(minutes=5)
LONGEST_WAIT = dt.timedelta(hours=1)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"
    SUPERSEDED = "superseded"


UNSENT = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def _claim_statement() -> Update:
    """``UPDATE ... RETURNING`` that claims one delivery: due (or its claim expired) and no
    other version for the same target is being sent.  Built once: building it costs more
    than running it."""
    table = t.cast("Table", Delivery.__table__)
    sibling = table.alias("sibling")
    now = bindparam("now", type_=UtcDateTime())
    due = or_(
        and_(table.c.status.in_(UNSENT), table.c.next_try_at <= now),
        and_(table.c.status == DeliveryStatus.SENDING, table.c.lease_until < now),
    )
    sending_elsewhere = exists().where(
        sibling.c.attempt_id == table.c.attempt_id,
        sibling.c.target == table.c.target,
        sibling.c.id != table.c.id,
        sibling.c.status == DeliveryStatus.SENDING,
        sibling.c.lease_until >= now,
    )
    return (
        update(table)
        .where(table.c.id == bindparam("delivery_id"), due, ~sending_elsewhere)
        .values(
            status=DeliveryStatus.SENDING,
            claim=bindparam("claim_token"),
            lease_until=bindparam("lease_end", type_=UtcDateTime()),
            tries=table.c.tries + 1,
            updated_at=now,
        )
        .returning(
            table.c.attempt_id,
            table.c.target,
            table.c.ats_connection_id,
            table.c.version,
            table.c.payload_json,
            table.c.tries,
        )
    )


_CLAIM = _claim_statement()


def ats_target(connection_id: int) -> str:
    return f"ats:{connection_id}"


def payload_hash(payload: t.Mapping[str, t.Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again.

    :param first: wait before the second try; doubled for each further try.
    :param max_tries: tries before the delivery is dead.
    :param lease: how long a claim holds; longer than any one send can take.
    """

    first: dt.timedelta = dt.timedelta(seconds=30)
    max_tries: int = 15
    lease: dt.timedelta = LEASE

    def wait(self, tries: int, retry_after: float | None, rng: random.Random) -> dt.timedelta:
        """Backoff after ``tries`` tries: ``first * 2**(tries-1)`` capped at an hour, with
        "equal jitter" (half fixed, half random), and at least ``retry_after`` seconds."""
        base = min(self.first * (2 ** max(tries - 1, 0)), LONGEST_WAIT)
        jittered = base / 2 + base / 2 * rng.random()
        asked = dt.timedelta(seconds=retry_after or 0)
        wait: dt.timedelta = min(max(jittered, asked), LONGEST_WAIT)
        return wait


@dataclasses.dataclass(frozen=True)
class NewDelivery:
    """A delivery to write beside a result version."""

    target: str
    payload: dict[str, t.Any]
    ats_connection_id: int | None = None
    #: Write it dead at once with this reason (e.g. a value the ATS field cannot hold).
    dead_reason: str | None = None


@dataclasses.dataclass(frozen=True)
class Claim:
    """A delivery a worker holds the right to send."""

    delivery_id: int
    attempt_id: int
    target: str
    ats_connection_id: int | None
    version: int
    payload: dict[str, t.Any]
    tries: int
    token: str
    started_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class Failure:
    """Why a send failed, and whether trying again may help."""

    message: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What recording an outcome decided: the new status and, if retried, when."""

    status: DeliveryStatus
    next_try_at: dt.datetime | None = None


class Outbox:
    """The ``deliveries`` table and its state machine."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: RetryPolicy | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self.policy = policy or RetryPolicy()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret

    def add(
        self, session: Session, attempt_id: int, version: int, deliveries: t.Iterable[NewDelivery]
    ) -> list[int]:
        """Write deliveries of result ``version`` inside the caller's transaction.

        Older unsent versions for the same targets are superseded.  A delivery whose
        payload equals the one last delivered to its target is not written: the target
        already holds it.  Returns the ids to wake a worker for.
        """
        woken: list[int] = []
        now = utcnow()
        for new in deliveries:
            digest = payload_hash(new.payload)
            # The first version of a result has no earlier deliveries to compare with.
            if version > 1 and self._replace_older(
                session, attempt_id, version, new.target, digest, now
            ):
                continue
            row = Delivery(
                attempt_id=attempt_id,
                target=new.target,
                ats_connection_id=new.ats_connection_id,
                version=version,
                payload_json=json.dumps(new.payload, sort_keys=True, default=str),
                payload_hash=digest,
                status=DeliveryStatus.DEAD if new.dead_reason else DeliveryStatus.PENDING,
                last_error=new.dead_reason,
                next_try_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            if new.dead_reason:
                log.warning("delivery %s to %s is dead: %s", row.id, new.target, new.dead_reason)
            else:
                woken.append(row.id)
        return woken

    def _replace_older(
        self,
        session: Session,
        attempt_id: int,
        version: int,
        target: str,
        digest: str,
        now: dt.datetime,
    ) -> bool:
        """Supersede older unsent versions for ``target``; True when the target already
        holds this payload (nothing to send)."""
        session.execute(
            update(Delivery)
            .where(
                Delivery.attempt_id == attempt_id,
                Delivery.target == target,
                Delivery.version < version,
                Delivery.status.in_(UNSENT),
            )
            .values(status=DeliveryStatus.SUPERSEDED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return self._already_delivered(session, attempt_id, target, digest)

    def _already_delivered(
        self, session: Session, attempt_id: int, target: str, digest: str
    ) -> bool:
        last = session.scalar(
            select(Delivery.payload_hash)
            .where(
                Delivery.attempt_id == attempt_id,
                Delivery.target == target,
                Delivery.status == DeliveryStatus.DELIVERED,
            )
            .order_by(Delivery.version.desc())
            .limit(1)
        )
        return last == digest

    def claim(self, delivery_id: int, *, now: dt.datetime | None = None) -> Claim | None:
        """Take the right to send ``delivery_id``; ``None`` when it is not due, already
        held by a live claim, finished, or another version for its target is being sent."""
        now = now or utcnow()
        token = secrets.token_hex(8)
        with self._sessions.begin() as session:
            row = session.execute(
                _CLAIM,
                {
                    "delivery_id": delivery_id,
                    "now": now,
                    "lease_end": now + self.policy.lease,
                    "claim_token": token,
                },
            ).first()
        if row is None:
            return None
        return Claim(
            delivery_id=delivery_id,
            attempt_id=row.attempt_id,
            target=row.target,
            ats_connection_id=row.ats_connection_id,
            version=row.version,
            payload=json.loads(row.payload_json),
            tries=row.tries,
            token=token,
            started_at=now,
        )

    def delivered(self, claim: Claim, receipt: str) -> Recorded:
        """Record a successful send."""
        now = utcnow()
        self._finish(
            claim,
            {"status": DeliveryStatus.DELIVERED, "receipt": receipt, "delivered_at": now},
            outcome="delivered",
            status_code=None,
            message=receipt,
        )
        return Recorded(DeliveryStatus.DELIVERED)

    def failed(self, claim: Claim, failure: Failure) -> Recorded:
        """Record a failed send: retried later, or dead when retrying cannot help or the
        last try is used up.  Superseded instead when a newer version exists."""
        now = utcnow()
        if self._newer_exists(claim):
            recorded = Recorded(DeliveryStatus.SUPERSEDED)
        elif not failure.retryable:
            recorded = Recorded(DeliveryStatus.DEAD)
        elif claim.tries >= self.policy.max_tries:
            recorded = Recorded(DeliveryStatus.DEAD)
            failure = dataclasses.replace(
                failure, message=f"gave up after {claim.tries} tries; last: {failure.message}"
            )
        else:
            wait = self.policy.wait(claim.tries, failure.retry_after, self._rng)
            recorded = Recorded(DeliveryStatus.FAILED, now + wait)
        values: dict[str, t.Any] = {"status": recorded.status, "last_error": failure.message}
        if recorded.next_try_at is not None:
            values["next_try_at"] = recorded.next_try_at
        self._finish(
            claim,
            values,
            outcome="retry" if recorded.status is DeliveryStatus.FAILED else recorded.status,
            status_code=failure.status,
            message=failure.message,
        )
        level = logging.WARNING if recorded.status is DeliveryStatus.DEAD else logging.INFO
        log.log(
            level,
            "delivery %s to %s: %s (%s)",
            claim.delivery_id,
            claim.target,
            recorded.status,
            failure.message,
        )
        return recorded

    def waiting_behind(self, claim: Claim) -> list[int]:
        """Newer pending versions for the claim's target: a claim refuses them while this
        one is being sent, so they are woken when it ends."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(Delivery.id).where(
                        Delivery.attempt_id == claim.attempt_id,
                        Delivery.target == claim.target,
                        Delivery.version > claim.version,
                        Delivery.status == DeliveryStatus.PENDING,
                    )
                )
            )

    def _newer_exists(self, claim: Claim) -> bool:
        with self._sessions() as session:
            newer = session.scalar(
                select(Delivery.id)
                .where(
                    Delivery.attempt_id == claim.attempt_id,
                    Delivery.target == claim.target,
                    Delivery.version > claim.version,
                )
                .limit(1)
            )
            return newer is not None

    def _finish(
        self,
        claim: Claim,
        values: dict[str, t.Any],
        *,
        outcome: str,
        status_code: int | None,
        message: str,
    ) -> None:
        now = utcnow()
        with self._sessions.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(Delivery.id == claim.delivery_id, Delivery.claim == claim.token)
                .values(**values, claim=None, lease_until=None, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                log.warning(
                    "delivery %s: claim expired before the outcome was recorded; the "
                    "sweep sends it again",
                    claim.delivery_id,
                )
                return
            session.execute(
                insert(DeliveryTry),
                {
                    "delivery_id": claim.delivery_id,
                    "number": _try_number(session, claim),
                    "outcome": outcome,
                    "status_code": status_code,
                    "message": message[:2000],
                    "started_at": claim.started_at,
                    "finished_at": now,
                },
            )

    def overdue(self, *, now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
        """Deliveries that should be sent now: due unsent ones and expired claims."""
        now = now or utcnow()
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(Delivery.id)
                    .where(
                        or_(
                            and_(Delivery.status.in_(UNSENT), Delivery.next_try_at <= now),
                            and_(
                                Delivery.status == DeliveryStatus.SENDING,
                                Delivery.lease_until < now,
                            ),
                        )
                    )
                    .order_by(Delivery.next_try_at, Delivery.id)
                    .limit(limit)
                )
            )

    def retry_dead(self, delivery_ids: t.Iterable[int]) -> int:
        """Put dead deliveries back in the queue (after a person fixed the cause) with a
        full budget of tries; a dead delivery a newer version has replaced stays dead."""
        now = utcnow()
        newer = aliased(Delivery)
        with self._sessions.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(
                    Delivery.id.in_(list(delivery_ids)),
                    Delivery.status == DeliveryStatus.DEAD,
                    ~exists().where(
                        newer.attempt_id == Delivery.attempt_id,
                        newer.target == Delivery.target,
                        newer.version > Delivery.version,
                    ),
                )
                .values(status=DeliveryStatus.PENDING, tries=0, next_try_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            count: int = result.rowcount  # type: ignore[attr-defined]
            return count


def _try_number(session: Session, claim: Claim) -> int:
    """The number of the try being recorded: after the last recorded one, and never below
    the budget count (a try whose worker died is counted there but never recorded)."""
    last = session.scalar(
        select(func.max(DeliveryTry.number)).where(DeliveryTry.delivery_id == claim.delivery_id)
    )
    return max(claim.tries, (last or 0) + 1)
