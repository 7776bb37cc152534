"""Sync: fetch an attempt's authoritative result, map it, store it, and queue its deliveries.

A signal, a learner coming back, reconciliation or a person can ask for a sync;
they all end here.  The vendor's document is stored encrypted beside the
canonical result and its digest.  When the digest has not changed nothing
else happens; when it has, the result version grows by one and the outbox gets
one delivery per target (the LMS gradebook, each ATS linked to the assessment)
in the same transaction.  Workers are woken only after the commit.

An attempt that a signal said was finished but whose vendor has no final result
yet (a webhook that arrived first, a vendor timing out) stays "owed a sync"
(``sync_requested_at``); the sweep asks again until the result is final or a day
has passed, and reconciliation covers anything after that.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import typing as t

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from mappings.registry import load_result
from mappings.registry import merge_proctoring
from mappings.result import AssessmentResult
from mappings.result import AssessmentResultSchema
from mappings.result import ResultStatus
from plugin.outbox.deliveries import Outbox
from plugin.runtime.crypto import SecretBox
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import VendorConnection
from plugin.store.models import utcnow
from plugin.sync.targets import TargetPlanner
from plugin.vendors.base import RawResult
from plugin.vendors.errors import VendorError

if t.TYPE_CHECKING:
    from plugin.jobs.queue import JobQueue
    from plugin.vendors.connections import VendorConnectionService

log = logging.getLogger(__name__)

FINAL_STATUSES = frozenset(
    {ResultStatus.COMPLETED, ResultStatus.EXPIRED, ResultStatus.TERMINATED, ResultStatus.CANCELLED}
)
#: How long a signalled attempt is asked about again before only reconciliation is left.
OWED_FOR = dt.timedelta(hours=24)
_SCHEMA = AssessmentResultSchema()
NOT_STARTED = "the attempt has no reference at the vendor yet (it was never started there)"


@dataclasses.dataclass(frozen=True)
class SyncOutcome:
    """What one sync did.

    :ivar state: ``changed`` (a new version, deliveries queued), ``unchanged``,
        ``not_started`` (no vendor reference yet) or ``failed`` (see ``error``).
    """

    attempt_id: int
    state: t.Literal["changed", "unchanged", "not_started", "failed"]
    version: int | None = None
    status: str | None = None
    deliveries: tuple[int, ...] = ()
    error: str | None = None
    retryable: bool = False


@dataclasses.dataclass(frozen=True)
class _Subject:
    attempt_id: int
    connection_id: int
    kind: str
    vendor_ref: str | None
    test_id: str
    proctoring_connection_id: int | None
    proctoring_ref: str | None


class SyncService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        connections: VendorConnectionService,
        secrets: SecretBox,
        outbox: Outbox,
        planner: TargetPlanner,
        queue: JobQueue,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._secrets = secrets
        self._outbox = outbox
        self._planner = planner
        self._queue = queue

    def sync(self, attempt_id: int, *, raw: RawResult | None = None) -> SyncOutcome:
        """Fetch (unless ``raw`` is given, e.g. from a reconciliation listing), map and store.

        Never raises for a vendor or mapping failure: the outcome says what went wrong
        and the attempt keeps its stored result.
        """
        return self.sync_many([(attempt_id, raw)])[0]

    def sync_queued(self, attempt_id: int) -> SyncOutcome:
        """:meth:`sync` for the job queue: queue the attempt once more when a signal asked
        for a sync while this one ran.

        Signals for an attempt coalesce (:mod:`plugin.attempts.completions`): one that
        finds a sync pending only marks the attempt owed (``sync_requested_at``).  A sync
        that had not started yet sees what it announced; one that was running may not
        have, and finds here a request newer than its own start, kept by :meth:`_settle`.
        """
        outcome = self.sync(attempt_id)
        if self._asked_again(attempt_id):
            log.info("attempt %s: a signal came during its sync, queued again", attempt_id)
            self._queue.sync(attempt_id)
        return outcome

    def _asked_again(self, attempt_id: int) -> bool:
        """Whether the attempt's sync was asked for after its last sync started."""
        with self._sessions() as session:
            row = session.execute(
                select(Attempt.sync_requested_at, Attempt.synced_at).where(Attempt.id == attempt_id)
            ).one_or_none()
        if row is None or row.sync_requested_at is None or row.synced_at is None:
            return False
        asked_again: bool = row.sync_requested_at > row.synced_at
        return asked_again

    def sync_many(self, items: t.Sequence[tuple[int, RawResult | None]]) -> list[SyncOutcome]:
        """:meth:`sync` for several attempts, stored in one transaction (a reconciliation
        page); outcomes in the order of ``items``."""
        started = utcnow()
        subjects = self._subjects([attempt_id for attempt_id, _ in items])
        outcomes: dict[int, SyncOutcome] = {}
        fetched: list[tuple[_Subject, RawResult, AssessmentResult]] = []
        failures: list[tuple[_Subject, str, bool]] = []
        unstarted: list[_Subject] = []
        for attempt_id, raw in items:
            subject = subjects.get(attempt_id)
            if subject is None:
                outcomes[attempt_id] = SyncOutcome(
                    attempt_id, "failed", error=f"no attempt with id {attempt_id}"
                )
            elif subject.vendor_ref is None:
                unstarted.append(subject)
                outcomes[attempt_id] = SyncOutcome(attempt_id, "not_started")
            else:
                try:
                    fetched.append(self._fetch(subject, raw))
                except VendorError as exc:
                    failures.append((subject, str(exc), exc.retryable))
                except ValidationError as exc:
                    message = f"{subject.kind}: the result could not be mapped: {exc.messages}"
                    failures.append((subject, message, False))
        if unstarted:
            self._record_unstarted(unstarted, started)
        if failures:
            outcomes.update(self._failed(failures, started))
        if fetched:
            outcomes.update(self._store_fetched(fetched, started))
        return [outcomes[attempt_id] for attempt_id, _ in items]

    def _fetch(
        self, subject: _Subject, raw: RawResult | None
    ) -> tuple[_Subject, RawResult, AssessmentResult]:
        assert subject.vendor_ref is not None
        raw = raw or self._connections.adapter(subject.connection_id).fetch_result(
            subject.vendor_ref, test_id=subject.test_id
        )
        return subject, raw, self._with_proctoring(subject, load_result(subject.kind, raw.payload))

    def _store_fetched(
        self,
        fetched: list[tuple[_Subject, RawResult, AssessmentResult]],
        started: dt.datetime,
    ) -> dict[int, SyncOutcome]:
        try:
            outcomes, woken = self._store(fetched, started)
        except IntegrityError:
            # Another worker stored one of these versions first; compare against theirs,
            # one attempt at a time.
            log.info("concurrent sync of %s attempts, storing one by one", len(fetched))
            outcomes, woken = {}, []
            for one in fetched:
                stored, ids = self._store([one], started)
                outcomes.update(stored)
                woken.extend(ids)
        self._queue.deliver_many(woken)
        return outcomes

    def _subjects(self, attempt_ids: list[int]) -> dict[int, _Subject]:
        with self._sessions() as session:
            rows = session.execute(
                select(Attempt, Assessment, VendorConnection.kind)
                .join(Assessment, Attempt.assessment_id == Assessment.id)
                .join(VendorConnection, Assessment.connection_id == VendorConnection.id)
                .where(Attempt.id.in_(attempt_ids))
            )
            return {
                attempt.id: _Subject(
                    attempt_id=attempt.id,
                    connection_id=assessment.connection_id,
                    kind=kind,
                    vendor_ref=attempt.vendor_ref,
                    test_id=assessment.test_id,
                    proctoring_connection_id=assessment.proctoring_connection_id,
                    proctoring_ref=attempt.proctoring_ref,
                )
                for attempt, assessment, kind in rows
            }

    def _with_proctoring(self, subject: _Subject, result: AssessmentResult) -> AssessmentResult:
        if subject.proctoring_connection_id is None or subject.proctoring_ref is None:
            return result
        adapter = self._connections.adapter(subject.proctoring_connection_id)
        raw = adapter.fetch_result(subject.proctoring_ref, test_id="")
        proctoring = load_result(adapter.kind, raw.payload).proctoring
        return result if proctoring is None else merge_proctoring(result, proctoring)

    def _store(
        self,
        fetched: list[tuple[_Subject, RawResult, AssessmentResult]],
        started: dt.datetime,
    ) -> tuple[dict[int, SyncOutcome], list[int]]:
        outcomes: dict[int, SyncOutcome] = {}
        woken: list[int] = []
        ids = [subject.attempt_id for subject, _, _ in fetched]
        with self._sessions.begin() as session:
            stored_rows = {
                row.attempt_id: row
                for row in session.scalars(
                    select(AttemptResult).where(AttemptResult.attempt_id.in_(ids)).with_for_update()
                )
            }
            attempts = {
                row.id: row for row in session.scalars(select(Attempt).where(Attempt.id.in_(ids)))
            }
            planning = self._planner.preload(session, list(attempts.values()))
            for subject, raw, result in fetched:
                attempt_id = subject.attempt_id
                attempt, stored = attempts[attempt_id], stored_rows.get(attempt_id)
                self._settle(attempt, started, final=result.status in FINAL_STATUSES, error=None)
                if stored is not None and stored.digest == result.digest:
                    stored.fetched_at = started
                    outcomes[attempt_id] = SyncOutcome(
                        attempt_id, "unchanged", stored.version, result.status.value
                    )
                    continue
                version = 1 if stored is None else stored.version + 1
                self._write_result(session, attempt_id, stored, version, raw, result)
                attempt.status = result.status.value
                attempt.updated_at = started
                planned = self._planner.plan(session, attempt, result, planning)
                new = self._outbox.add(session, attempt_id, version, planned)
                woken.extend(new)
                outcomes[attempt_id] = SyncOutcome(
                    attempt_id, "changed", version, result.status.value, tuple(new)
                )
                log.info(
                    "attempt %s: result v%s (%s), %s deliveries queued",
                    attempt_id,
                    version,
                    result.status.value,
                    len(new),
                )
        return outcomes, woken

    def _write_result(
        self,
        session: Session,
        attempt_id: int,
        stored: AttemptResult | None,
        version: int,
        raw: RawResult,
        result: AssessmentResult,
    ) -> None:
        values = {
            "version": version,
            "digest": result.digest,
            "status": result.status.value,
            "raw_encrypted": self._secrets.encrypt(json.dumps(raw.payload).encode("utf-8")),
            "canonical_json": json.dumps(_SCHEMA.dump(result), sort_keys=True),
            "fetched_at": raw.fetched_at,
            "changed_at": utcnow(),
        }
        if stored is None:
            session.add(AttemptResult(attempt_id=attempt_id, **values))
        else:
            for name, value in values.items():
                setattr(stored, name, value)

    def _failed(
        self, failures: list[tuple[_Subject, str, bool]], started: dt.datetime
    ) -> dict[int, SyncOutcome]:
        outcomes = {}
        with self._sessions.begin() as session:
            for subject, message, retryable in failures:
                log.warning("attempt %s: sync failed: %s", subject.attempt_id, message)
                attempt = session.get(Attempt, subject.attempt_id)
                if attempt is not None:
                    self._settle(attempt, started, final=False, error=message)
                outcomes[subject.attempt_id] = SyncOutcome(
                    subject.attempt_id, "failed", error=message, retryable=retryable
                )
        return outcomes

    def _record_unstarted(self, subjects: list[_Subject], started: dt.datetime) -> None:
        """Record the try of attempts the vendor has no reference for, so a request for them
        is asked about again no sooner than the sweep's interval and given up after a day,
        like any other that cannot be answered."""
        with self._sessions.begin() as session:
            for subject in subjects:
                attempt = session.get(Attempt, subject.attempt_id)
                if attempt is not None:
                    self._settle(attempt, started, final=False, error=NOT_STARTED)

    @staticmethod
    def _settle(attempt: Attempt, started: dt.datetime, *, final: bool, error: str | None) -> None:
        """Record the try; the sync stays owed unless the result is final (or owed too long).

        A request that arrived after this sync started is kept: it may announce a
        result this sync did not see.
        """
        attempt.synced_at = started
        attempt.sync_error = error
        requested = attempt.sync_requested_at
        if requested is None or requested > started:
            return
        if final or started - requested > OWED_FOR:
            attempt.sync_requested_at = None

    def owed(self, *, retry_after: dt.timedelta, limit: int = 1000) -> list[int]:
        """Attempts owed a sync whose last try is older than ``retry_after``."""
        now = utcnow()
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(Attempt.id)
                    .where(
                        Attempt.sync_requested_at.is_not(None),
                        (Attempt.synced_at.is_(None)) | (Attempt.synced_at < now - retry_after),
                    )
                    .order_by(Attempt.sync_requested_at)
                    .limit(limit)
                )
            )
