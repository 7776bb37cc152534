"""Delivering a result to an ATS: resolve the candidate, hand the writes to the sink.

The learner's e-mail is read from the store at send time (the outbox holds no
personal data); the candidate id the ATS answers with is remembered so later
results skip the lookup.

A delivery resumes: the sink reports the candidate it found and every field write the
ATS accepted while it works (:class:`StoredProgress` stores each at once, in its own
transaction), and the next try hands the sink the accepted value digests, so a try that
stopped part way (a rate-limit interval too far off, an outage) neither repeats the
lookup nor the writes already made, and a later result writes only the values that
changed.
"""

from __future__ import annotations

import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from plugin.ats.base import AtsError
from plugin.ats.base import AtsPayload
from plugin.ats.base import CandidateRef
from plugin.ats.connections import AtsConnectionError
from plugin.outbox.deliveries import Claim
from plugin.store.models import AtsCandidate
from plugin.store.models import AtsFieldWrite
from plugin.store.models import LtiUser
from plugin.store.models import utcnow
from plugin.store.upsert import put
from plugin.sync.targets import field_write_from_json

if t.TYPE_CHECKING:
    from mappings.ats import FieldWrite
    from plugin.ats.connections import AtsConnectionService


class StoredProgress:
    """A :class:`~plugin.ats.base.DeliveryProgress` that stores what one learner's
    delivery to one connection achieved."""

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, user_id: int) -> None:
        self._sessions = sessions
        self._connection_id = connection_id
        self._user_id = user_id

    def candidate_found(self, candidate_id: str) -> None:
        with self._sessions.begin() as session:
            put(
                session,
                AtsCandidate,
                keys={"ats_connection_id": self._connection_id, "lti_user_id": self._user_id},
                values={"candidate_id": candidate_id},
            )

    def field_accepted(self, candidate_id: str, write: FieldWrite) -> None:
        with self._sessions.begin() as session:
            put(
                session,
                AtsFieldWrite,
                keys={
                    "ats_connection_id": self._connection_id,
                    "candidate_id": candidate_id,
                    "field_key": str(write.key),
                },
                values={"value_hash": write.value_hash, "written_at": utcnow()},
            )


class AtsSender:
    def __init__(self, sessions: sessionmaker[Session], connections: AtsConnectionService) -> None:
        self._sessions = sessions
        self._connections = connections

    def send(self, claim: Claim) -> str:
        """Write the claim's fields; returns the sink's receipt line.

        :raises AtsError: from the sink, or when the connection or learner is gone.
        """
        connection_id = claim.ats_connection_id
        if connection_id is None:
            raise AtsError("the delivery names no ATS connection")
        try:
            sink = self._connections.sink(connection_id)
        except AtsConnectionError as exc:
            raise AtsError(str(exc)) from exc
        payload = claim.payload
        user_id = int(payload["lti_user_id"])
        candidate = self._candidate(connection_id, user_id)
        progress = StoredProgress(self._sessions, connection_id, user_id)
        receipt = sink.deliver(
            AtsPayload(
                result_id=str(payload["result_id"]),
                candidate=candidate,
                writes=tuple(field_write_from_json(w) for w in payload["writes"]),
                result=payload["result"],
                accepted=self._accepted(connection_id, candidate.candidate_id),
                progress=progress,
            )
        )
        if receipt.candidate_id and receipt.candidate_id != candidate.candidate_id:
            progress.candidate_found(receipt.candidate_id)
        return receipt.detail

    def _candidate(self, connection_id: int, user_id: int) -> CandidateRef:
        with self._sessions() as session:
            user = session.get(LtiUser, user_id)
            known = session.get(AtsCandidate, (connection_id, user_id))
            email = user.email if user is not None else ""
            candidate_id = known.candidate_id if known is not None else None
        if not email and candidate_id is None:
            raise AtsError(
                "the LMS shares no e-mail for this learner, so the ATS candidate cannot be "
                "found; ask the LMS admin to share e-mail with the tool, then resync"
            )
        return CandidateRef(email=email, candidate_id=candidate_id)

    def _accepted(self, connection_id: int, candidate_id: str | None) -> dict[str, str]:
        """Field key -> digest of the value the ATS last accepted for the candidate."""
        if candidate_id is None:
            return {}
        with self._sessions() as session:
            rows = session.execute(
                select(AtsFieldWrite.field_key, AtsFieldWrite.value_hash).where(
                    AtsFieldWrite.ats_connection_id == connection_id,
                    AtsFieldWrite.candidate_id == candidate_id,
                )
            )
            return {key: digest for key, digest in rows}
