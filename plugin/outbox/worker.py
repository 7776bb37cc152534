"""Sending one claimed delivery to its target and recording what happened."""

from __future__ import annotations

import logging
import typing as t

from lti.ags.errors import AgsError
from plugin.ats.base import AtsError
from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import Claim
from plugin.outbox.deliveries import DeliveryStatus
from plugin.outbox.deliveries import Failure
from plugin.outbox.deliveries import Outbox
from plugin.outbox.deliveries import Recorded

if t.TYPE_CHECKING:
    from plugin.jobs.queue import JobQueue
    from plugin.outbox.senders.ats import AtsSender
    from plugin.outbox.senders.lms import LmsSender

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(self, outbox: Outbox, lms: LmsSender, ats: AtsSender, queue: JobQueue) -> None:
        self._outbox = outbox
        self._lms = lms
        self._ats = ats
        self._queue = queue

    def deliver(self, delivery_id: int) -> Recorded | None:
        """Claim, send and record ``delivery_id``; ``None`` when it was not ours to send
        (not due, already sent, or held by another worker)."""
        claim = self._outbox.claim(delivery_id)
        if claim is None:
            return None
        try:
            return self._send_and_record(claim)
        finally:
            for waiting in self._outbox.waiting_behind(claim):
                self._queue.deliver(waiting)

    def _send_and_record(self, claim: Claim) -> Recorded:
        try:
            receipt = self._send(claim)
        except (AgsError, AtsError) as exc:
            failure = Failure(
                exc.message,
                retryable=exc.retryable,
                status=exc.status,
                retry_after=exc.retry_after,
            )
        except Exception as exc:
            log.exception("delivery %s to %s raised", claim.delivery_id, claim.target)
            failure = Failure(f"unexpected error: {type(exc).__name__}: {exc}", retryable=True)
        else:
            return self._outbox.delivered(claim, receipt)
        recorded = self._outbox.failed(claim, failure)
        if recorded.status is DeliveryStatus.FAILED:
            self._queue.deliver(claim.delivery_id, eta=recorded.next_try_at)
        return recorded

    def _send(self, claim: Claim) -> str:
        if claim.target == LMS_TARGET:
            return self._lms.send(claim)
        return self._ats.send(claim)
