"""Completion signals: authenticate, record, find the attempt.

A signal is only a trigger: what the vendor says in it is never taken as the
result.  Recording it is the whole job here; fetching the authoritative
result is the sync layer's.
"""

from __future__ import annotations

import dataclasses
import logging
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

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

log = logging.getLogger(__name__)


@t.runtime_checkable
class SignalResponder(t.Protocol):
    """An adapter whose vendor expects a particular answer to its signal (ExamSpark's POX)."""

    def signal_answer(
        self, request: IncomingRequest, rejected: SignalRejectedError | None
    ) -> t.Any: ...


@dataclasses.dataclass(frozen=True)
class RecordedSignal:
    """A stored signal; ``attempt_id`` is set when it named a known attempt, which is
    then owed a sync."""

    signal_id: int
    attempt_token: str | None
    kind: SignalKind
    adapter: VendorAdapter
    return_url: str | None = None
    attempt_id: int | None = None


class CompletionIntake:
    def __init__(
        self, sessions: sessionmaker[Session], connections: VendorConnectionService
    ) -> None:
        self._sessions = sessions
        self._connections = connections

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

    def _record(
        self, connection_id: int, adapter: VendorAdapter, signal: CompletionSignal
    ) -> RecordedSignal:
        with self._sessions.begin() as session:
            attempt = _find_attempt(session, connection_id, signal)
            row = Signal(
                connection_id=connection_id,
                attempt_id=attempt.id if attempt else None,
                kind=signal.kind.value,
                vendor_ref=signal.vendor_ref,
                status_hint=(signal.status_hint or "")[:64] or None,
                authenticated=signal.authenticated,
            )
            session.add(row)
            if attempt is not None:
                attempt.last_signal_at = attempt.sync_requested_at = utcnow()
            session.flush()
            log.info("signal %s (%s) for attempt %s", row.id, signal.kind.value, row.attempt_id)
            return RecordedSignal(
                row.id,
                _named_token(attempt, signal),
                signal.kind,
                adapter,
                attempt.return_url if attempt else None,
                attempt.id if attempt else None,
            )


def _named_token(attempt: Attempt | None, signal: CompletionSignal) -> str | None:
    """The attempt token, when the signal itself carried the found attempt's token."""
    token = signal.attempt_token
    if attempt is None or not token or attempt.token_hash != token_digest(token):
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
