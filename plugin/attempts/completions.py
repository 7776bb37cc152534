"""Completion signals: authenticate, record, find the attempt.

A signal is only a trigger: what the vendor says in it is never taken as the
result.  Recording it is the whole job here; fetching the authoritative
result is the sync layer's.

Three things keep a noisy vendor, or someone holding a connection's URL, from multiplying
rows and vendor calls:

- a signal that names no attempt we know is not stored: its connection counts it
  (:mod:`plugin.attempts.unmatched`);
- a signal that names a candidate by e-mail but not the attempt (Mettl's graded
  notification, :func:`_by_candidate`) is matched among the connection's attempts of that
  e-mail; when several match and the vendor's hint cannot tell them apart, each is only
  marked owed a sync, which the sweep serves;
- signals for one attempt coalesce: one that finds a sync already queued or running for
  the attempt only marks it owed again (:func:`_request_sync`), and that sync covers it,
  or queues one more when it ends (:meth:`plugin.sync.service.SyncService.sync_queued`).
"""

from __future__ import annotations

import dataclasses
import logging
import typing as t

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from plugin.attempts.unmatched import UnmatchedLog
from plugin.attempts.unmatched import count_unmatched
from plugin.runtime.tokens import token_digest
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import Signal
from plugin.store.models import utcnow
from plugin.vendors.base import CompletionSignal
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import SignalKind
from plugin.vendors.base import VendorAdapter
from plugin.vendors.connections import VendorConnectionService
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorError
from plugin.vendors.payloads import storable

if t.TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

log = logging.getLogger(__name__)


@t.runtime_checkable
class SignalResponder(t.Protocol):
    """An adapter whose vendor expects a particular answer to its signal (ExamSpark's POX)."""

    def signal_answer(
        self, request: IncomingRequest, rejected: SignalRejectedError | None
    ) -> t.Any: ...


@t.runtime_checkable
class TestHintResolver(t.Protocol):
    """An adapter that can say which of its tests a signal's ``vendor_test_hint`` names
    (Mettl: the schedules of an assessment id)."""

    def tests_of_hint(self, hint: str) -> frozenset[str]: ...


@dataclasses.dataclass(frozen=True)
class RecordedSignal:
    """A signal taken in.

    ``attempt_id`` is set when it named a known attempt, which is then owed a sync; only
    such a signal is stored (``signal_id``).  ``sync_due`` says whether the caller should
    queue that sync: not while one is already queued or running for the attempt.
    """

    signal_id: int | None
    attempt_token: str | None
    kind: SignalKind
    adapter: VendorAdapter
    return_url: str | None = None
    attempt_id: int | None = None
    sync_due: bool = False


class CompletionIntake:
    def __init__(
        self, sessions: sessionmaker[Session], connections: VendorConnectionService
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._unmatched_log = UnmatchedLog()

    def from_callback(
        self, kind: str, connection_id: int, token: str, request: IncomingRequest
    ) -> RecordedSignal:
        """A vendor's callback or webhook on ``/callbacks/<kind>/<connection id>?token=``.

        :raises SignalRejectedError: wrong secret (404, so the URL space reveals nothing) or a
            payload the vendor's adapter refuses.
        """
        adapter = self._connections.callback_adapter(connection_id, kind, token)
        if adapter is None:
            raise SignalRejectedError("unknown callback URL", status=404)
        signal = adapter.parse_signal(request)
        return self._record(connection_id, adapter, signal)

    def from_browser(
        self, kind: str, connection_id: int, token: str, request: IncomingRequest
    ) -> RecordedSignal:
        """A vendor's redirect of the learner's browser on
        ``/callbacks/<kind>/<connection id>/browser?token=`` (StartExam's end of session).

        The browser token is seen by every learner, so the signal is only a trigger for the
        attempt it names: the caller must not treat it as proof of who the browser is.

        :raises SignalRejectedError: wrong token, or a vendor that does not signal through
            the browser (404), or a payload the vendor's adapter refuses.
        """
        adapter = self._connections.browser_adapter(connection_id, kind, token)
        if adapter is None:
            raise SignalRejectedError("unknown callback URL", status=404)
        signal = adapter.parse_signal(request)
        return self._record(connection_id, adapter, signal)

    def from_attempt(self, token: str, request: IncomingRequest) -> RecordedSignal:
        """The learner's browser on ``/return/<attempt token>``, or the player relaying its event.

        :raises SignalRejectedError: unknown attempt token (404) or an unusable player event.
        """
        with self._sessions() as session:
            row = session.scalar(select(Attempt).where(Attempt.token_hash == token_digest(token)))
            if row is None:
                raise SignalRejectedError("unknown attempt", status=404)
            assessment = session.get(Assessment, row.assessment_id)
            assert assessment is not None
            connection_id, vendor_ref = assessment.connection_id, row.vendor_ref
        adapter = self._connections.adapter(connection_id)
        if request.method == "POST" and request.body:
            signal = adapter.parse_signal(request)
            if signal.attempt_token not in (None, token) or signal.vendor_ref not in (
                None,
                vendor_ref,
            ):
                raise SignalRejectedError("the event names another attempt", status=400)
        else:
            signal = CompletionSignal(
                SignalKind.BROWSER_RETURN, vendor_ref=vendor_ref, attempt_token=token
            )
        return self._record(
            connection_id, adapter, dataclasses.replace(signal, attempt_token=token)
        )

    def from_exit(self, connection_id: int, attempt_ids: t.Sequence[int]) -> RecordedSignal | None:
        """The learner's browser on the connection's exit page, which the vendor sends it
        to after the test (Mettl's ``exitRedirectionUrl``): a browser return for the first
        of ``attempt_ids`` (the browser's attempt cookie, newest first) that is one of the
        connection's attempts; None when none is.
        """
        if not attempt_ids:
            return None
        with self._sessions() as session:
            rows = session.execute(
                select(Attempt.id, Attempt.vendor_ref)
                .join(Assessment, Attempt.assessment_id == Assessment.id)
                .where(Assessment.connection_id == connection_id, Attempt.id.in_(attempt_ids))
            )
            refs = {row.id: row.vendor_ref for row in rows}
        attempt_id = next((known for known in attempt_ids if known in refs), None)
        if attempt_id is None:
            return None
        adapter = self._connections.adapter(connection_id)
        signal = CompletionSignal(SignalKind.BROWSER_RETURN, vendor_ref=refs[attempt_id])
        return self._record(connection_id, adapter, signal)

    def _record(
        self, connection_id: int, adapter: VendorAdapter, signal: CompletionSignal
    ) -> RecordedSignal:
        names = (
            signal.vendor_ref,
            signal.attempt_token,
            signal.status_hint,
            signal.candidate_email,
            signal.vendor_test_hint,
        )
        if not all(storable(name) for name in names if name):
            raise SignalRejectedError(
                "the signal holds a NUL or a lone surrogate, which no reference has"
            )
        signal, ambiguous = self._by_candidate(connection_id, adapter, signal)
        with self._sessions.begin() as session:
            attempt = _find_attempt(session, connection_id, signal)
            if attempt is not None:
                return _record_for(session, connection_id, attempt, adapter, signal)
            if ambiguous:
                _owe(session, ambiguous)
                log.info(
                    "connection %s: a %s signal matches attempts %s; each is owed a sync",
                    connection_id,
                    signal.kind.value,
                    list(ambiguous),
                )
                return RecordedSignal(None, None, signal.kind, adapter)
            unmatched = count_unmatched(session, connection_id)
        self._unmatched_log.note(connection_id, unmatched, signal)
        return RecordedSignal(None, None, signal.kind, adapter)

    def _by_candidate(
        self, connection_id: int, adapter: VendorAdapter, signal: CompletionSignal
    ) -> tuple[CompletionSignal, tuple[int, ...]]:
        """A signal naming only a candidate e-mail, with the ``vendor_ref`` of the one
        attempt of the connection it matches; else unchanged, with the ids of the attempts
        it cannot tell apart (none: it matches no attempt).

        The vendor is asked about the hint only when several attempts match, outside any
        transaction; a vendor that cannot answer leaves the signal ambiguous.
        """
        email = signal.candidate_email
        if signal.vendor_ref or signal.attempt_token or not email:
            return signal, ()
        with self._sessions() as session:
            matches = _attempts_of_candidate(session, connection_id, email)
        hint = signal.vendor_test_hint
        if len(matches) > 1 and hint and isinstance(adapter, TestHintResolver):
            try:
                tests = adapter.tests_of_hint(hint)
            except VendorError as exc:
                log.warning("connection %s: cannot resolve test hint: %s", connection_id, exc)
            else:
                matches = [match for match in matches if match[2] in tests] or matches
        if len(matches) == 1:
            return dataclasses.replace(signal, vendor_ref=matches[0][1]), ()
        return signal, tuple(match[0] for match in matches)


def _attempts_of_candidate(
    session: Session, connection_id: int, email: str
) -> list[tuple[int, str, str]]:
    """``(attempt id, vendor_ref, test id)`` of the connection's attempts whose reference
    names the candidate ``email`` (``<test>/<e-mail>``, as Mettl's adapter writes it)."""
    rows = session.execute(
        select(Attempt.id, Attempt.vendor_ref, Assessment.test_id)
        .join(Assessment, Attempt.assessment_id == Assessment.id)
        .where(
            Assessment.connection_id == connection_id,
            Attempt.vendor_ref.endswith(f"/{email.strip().lower()}", autoescape=True),
        )
        .order_by(Attempt.id.desc())
    )
    return [(row.id, str(row.vendor_ref), row.test_id) for row in rows]


def _owe(session: Session, attempt_ids: t.Sequence[int]) -> None:
    """Mark the attempts owed a sync, for the sweep to serve (no job is queued)."""
    now = utcnow()
    session.execute(
        update(Attempt)
        .where(Attempt.id.in_(attempt_ids))
        .values(sync_requested_at=now, last_signal_at=now),
        execution_options={"synchronize_session": False},
    )


def _record_for(
    session: Session,
    connection_id: int,
    attempt: Attempt,
    adapter: VendorAdapter,
    signal: CompletionSignal,
) -> RecordedSignal:
    row = Signal(
        connection_id=connection_id,
        attempt_id=attempt.id,
        kind=signal.kind.value,
        vendor_ref=(signal.vendor_ref or "")[:255] or None,
        status_hint=(signal.status_hint or "")[:64] or None,
        authenticated=signal.authenticated,
    )
    session.add(row)
    session.flush()
    due = _request_sync(session, attempt.id)
    log.info(
        "signal %s (%s) for attempt %s%s",
        row.id,
        signal.kind.value,
        attempt.id,
        "" if due else ", which a pending sync covers",
    )
    return RecordedSignal(
        row.id,
        _named_token(attempt, signal),
        signal.kind,
        adapter,
        attempt.return_url,
        attempt.id,
        sync_due=due,
    )


def _request_sync(session: Session, attempt_id: int) -> bool:
    """Mark the attempt owed a sync; True when none is pending for it, so the caller
    should queue one.

    A request newer than the start of the attempt's last sync (``synced_at``) means a sync
    is pending: it was queued when that request was made.  If it has not started yet it
    will see what this signal announces; if it is running, it ends before seeing it, finds
    this newer request and queues itself once more.  (A queued job that was lost is found
    by the sweep, which looks at the database only.)  Finding no sync pending and marking
    the attempt are one single-row ``UPDATE``, so of two signals at once only one finds
    none; a second ``UPDATE`` marks it when one is.
    """
    now = utcnow()
    marks = {"sync_requested_at": now, "last_signal_at": now}
    served = or_(
        Attempt.sync_requested_at.is_(None), Attempt.sync_requested_at <= Attempt.synced_at
    )
    first = t.cast(
        "CursorResult[t.Any]",
        session.execute(
            update(Attempt).where(Attempt.id == attempt_id, served).values(**marks),
            execution_options={"synchronize_session": False},
        ),
    )
    if first.rowcount == 1:
        return True
    session.execute(
        update(Attempt).where(Attempt.id == attempt_id).values(**marks),
        execution_options={"synchronize_session": False},
    )
    return False


def _named_token(attempt: Attempt, signal: CompletionSignal) -> str | None:
    """The attempt token, when the signal itself carried the found attempt's token."""
    token = signal.attempt_token
    if not token or attempt.token_hash != token_digest(token):
        return None
    return token


def _find_attempt(session: Session, connection_id: int, signal: CompletionSignal) -> Attempt | None:
    if signal.attempt_token:
        found = session.scalar(
            select(Attempt).where(Attempt.token_hash == token_digest(signal.attempt_token))
        )
        if found is not None:
            return found
    if not signal.vendor_ref:
        return None
    found = session.scalar(
        select(Attempt)
        .join(Assessment, Attempt.assessment_id == Assessment.id)
        .where(Assessment.connection_id == connection_id, Attempt.vendor_ref == signal.vendor_ref)
    )
    if found is not None:
        return found
    # A proctoring connection's signal names its own session of the proctored attempt.
    return session.scalar(
        select(Attempt)
        .join(Assessment, Attempt.assessment_id == Assessment.id)
        .where(
            Assessment.proctoring_connection_id == connection_id,
            Attempt.proctoring_ref == signal.vendor_ref,
        )
    )
