"""Read-only views of the outbox for people: counts, lists and one delivery's tries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from plugin.store.models import Attempt
from plugin.store.models import Delivery
from plugin.store.models import DeliveryTry


@dataclasses.dataclass(frozen=True)
class DeliveryRow:
    id: int
    attempt_id: int
    target: str
    version: int
    status: str
    tries: int
    next_try_at: dt.datetime | None
    last_error: str | None
    receipt: str | None
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class TryRow:
    number: int
    outcome: str
    status_code: int | None
    message: str
    started_at: dt.datetime
    finished_at: dt.datetime


class DeliveryReport:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def counts(self) -> dict[str, t.Any]:
        """Deliveries by status and the number of attempts owed a sync."""
        with self._sessions() as session:
            rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
            by_status = {status: count for status, count in rows}
            owed = session.scalar(
                select(func.count()).where(Attempt.sync_requested_at.is_not(None))
            )
        return {"deliveries": by_status, "attempts_owed_sync": owed or 0}

    def rows(
        self, *, status: str | None = None, attempt_id: int | None = None, limit: int = 50
    ) -> list[DeliveryRow]:
        query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
        if status:
            query = query.where(Delivery.status == status)
        if attempt_id is not None:
            query = query.where(Delivery.attempt_id == attempt_id)
        with self._sessions() as session:
            return [_row(row) for row in session.scalars(query)]

    def tries(self, delivery_id: int) -> tuple[DeliveryRow, list[TryRow]] | None:
        with self._sessions() as session:
            row = session.get(Delivery, delivery_id)
            if row is None:
                return None
            tries = session.scalars(
                select(DeliveryTry)
                .where(DeliveryTry.delivery_id == delivery_id)
                .order_by(DeliveryTry.number, DeliveryTry.id)
            )
            return _row(row), [
                TryRow(x.number, x.outcome, x.status_code, x.message, x.started_at, x.finished_at)
                for x in tries
            ]


def _row(row: Delivery) -> DeliveryRow:
    return DeliveryRow(
        id=row.id,
        attempt_id=row.attempt_id,
        target=row.target,
        version=row.version,
        status=row.status,
        tries=row.tries,
        next_try_at=row.next_try_at if row.status == "failed" else None,
        last_error=row.last_error,
        receipt=row.receipt,
        updated_at=row.updated_at,
    )
