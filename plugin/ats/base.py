"""The one interface every applicant tracking system sink implements, and the values
that cross it.

The outbox (:mod:`plugin.outbox.deliveries`) talks to an ATS only through :class:`AtsSink`:
it hands over one :class:`AtsPayload` (the field writes already coerced by
:mod:`mappings.ats`) and gets an :class:`AtsReceipt` back or an :class:`AtsError`
saying whether trying again later can help.
"""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.errors import AppError

if t.TYPE_CHECKING:
    from mappings.ats import FieldWrite


@dataclasses.dataclass(frozen=True)
class CandidateRef:
    """Who the result belongs to in the ATS.

    :ivar email: the learner's e-mail, used to look the candidate up (PII: never logged).
    :ivar candidate_id: the ATS's own candidate id when it is already known; then no
        lookup is made.
    """

    email: str
    candidate_id: str | None = None


class DeliveryProgress(t.Protocol):
    """Told what a delivery achieved as it goes, so that a delivery stopped part way (a
    rate-limit interval too far away, an outage) resumes on its next try instead of
    starting over. Each call is recorded before it returns."""

    def candidate_found(self, candidate_id: str) -> None:
        """The lookup found ``candidate_id`` (later tries skip the lookup)."""

    def field_accepted(self, candidate_id: str, write: FieldWrite) -> None:
        """The ATS accepted ``write`` (its value is not sent again while unchanged)."""


class _NoProgress:
    """Records nothing (tests and callers without a store)."""

    def candidate_found(self, candidate_id: str) -> None:
        del candidate_id

    def field_accepted(self, candidate_id: str, write: FieldWrite) -> None:
        del candidate_id, write


NO_PROGRESS: DeliveryProgress = _NoProgress()


@dataclasses.dataclass(frozen=True)
class AtsPayload:
    """One result to write for one candidate.

    :ivar result_id: stable per attempt and result version (the idempotency key; sent as
        ``Idempotency-Key`` where the ATS accepts one).
    :ivar candidate: who to write to.
    :ivar writes: the planned, coerced field writes (may be empty for the webhook).
    :ivar result: the canonical result as JSON (``mappings.result`` schema dump); the
        webhook posts it, the others may use it for a note.
    :ivar accepted: field key (as text) -> :attr:`~mappings.ats.FieldWrite.value_hash` the
        ATS last accepted for ``candidate``; sinks that write field by field skip those
        writes (:meth:`pending_writes`).
    :ivar progress: where the sink reports the candidate it found and each write accepted.
    """

    result_id: str
    candidate: CandidateRef
    writes: tuple[FieldWrite, ...]
    result: t.Mapping[str, t.Any]
    accepted: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    progress: DeliveryProgress = dataclasses.field(default=NO_PROGRESS, compare=False)

    def pending_writes(self) -> tuple[FieldWrite, ...]:
        """The writes whose value the ATS has not accepted yet (changed or failed)."""
        return tuple(w for w in self.writes if self.accepted.get(str(w.key)) != w.value_hash)


@dataclasses.dataclass(frozen=True)
class AtsReceipt:
    """What a delivery did.

    :ivar candidate_id: the ATS candidate written to (stored, so later writes skip the lookup).
    :ivar detail: one line for people, e.g. ``"3 fields written"`` or
        ``"2 fields written, 1 as a note (field assessment_level is missing)"``.
    """

    candidate_id: str
    detail: str


@dataclasses.dataclass(frozen=True)
class AtsFieldDefinition:
    """A custom field as the ATS defines it (for ``ats fields`` and map validation)."""

    key: str | int
    label: str
    type: str
    options: tuple[tuple[str | int, str], ...] = ()
    active: bool = True
    #: The ATS's numeric id when ``key`` is another key (Greenhouse: ``name_key``).
    id: int | None = None


class AtsError(AppError):
    """A failed ATS call.

    :param message: for people; the ATS's own reason when it gave one, never a secret.
    :param status: HTTP status, ``None`` when the ATS was not reached.
    :param retryable: 429, 5xx, timeouts and connection failures; everything else
        (401, 403, 404, 422, an ambiguous candidate) needs a person.
    :param retry_after: seconds the ATS asked to wait, when it said.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class AtsSink(t.Protocol):
    """One ATS connection, ready to use."""

    kind: t.ClassVar[str]

    def deliver(self, payload: AtsPayload) -> AtsReceipt:
        """Write ``payload`` to its candidate; safe to call again with the same payload.

        A sink that finds the candidate reports it to ``payload.progress`` at once, and a
        sink writing custom fields sends only :meth:`AtsPayload.pending_writes`,
        reporting each accepted write before the next is sent.

        :raises AtsError: with ``retryable`` telling the outbox what to do.
        """

    def list_fields(self) -> list[AtsFieldDefinition]:
        """The candidate custom fields the ATS defines (empty for the webhook).

        :raises AtsError: when the ATS cannot be read.
        """

    def check_connection(self) -> str:
        """One authenticated call; returns a line saying what was read.

        :raises AtsError: when the credentials or endpoint are wrong.
        """

    def close(self) -> None:
        """Release pooled connections."""
