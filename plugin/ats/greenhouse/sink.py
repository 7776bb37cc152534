"""The Greenhouse Harvest v3 sink: assessment results as candidate custom fields.

A delivery finds the candidate (the stored id, else a lookup by e-mail that must match
exactly one candidate), writes the mapped fields that Greenhouse defines and keeps
active, and puts the rest into one note. When the PATCH is refused with 422, the field
definitions are read again: fields deleted in the meantime move to the note and the
rest is written once more; a refused value of a field that still exists is a
non-retryable error carrying Greenhouse's message. The PATCH comes before the note, so
the failures an outbox retries (429, 5xx) happen before anything is added.

Only the payload's pending writes are sent (values Greenhouse has not accepted yet); the
candidate found and the fields the PATCH wrote are reported to the payload's progress,
so a retry after the note failed neither looks the candidate up nor patches again.
"""

from __future__ import annotations

import time
import typing as t

from plugin.ats.base import AtsError
from plugin.ats.base import AtsReceipt
from plugin.ats.greenhouse.client import GreenhouseClient
from plugin.ats.greenhouse.fallback import WritePlan
from plugin.ats.greenhouse.fallback import plan_writes
from plugin.ats.greenhouse.fields import FieldCache
from plugin.ats.greenhouse.ratelimit import RateLimitWindow
from plugin.ats.greenhouse.token import TokenSource
from plugin.http.sessions import make_session

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests

    from mappings.ats import FieldWrite
    from plugin.ats.base import AtsFieldDefinition
    from plugin.ats.base import AtsPayload
    from plugin.ats.base import CandidateRef
    from plugin.ats.greenhouse.config import GreenhouseConfig


class GreenhouseSink:
    """Writes results to one Greenhouse account (an :class:`~plugin.ats.base.AtsSink`).

    :param config: the connection's settings.
    :param session: pooled session to use (closed by :meth:`close` only when made here).
    :param clock: Unix time source (rate-limit reset headers).
    :param sleep: pauses a request until a rate-limit window resets.
    """

    kind: t.ClassVar[str] = "greenhouse"

    def __init__(
        self,
        config: GreenhouseConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._owns_session = session is None
        self._session = session if session is not None else make_session(resend_reads=False)
        self._tokens = TokenSource(config, self._session)
        self._window = RateLimitWindow(config.max_wait_seconds, clock=clock, sleep=sleep)
        self._client = GreenhouseClient(config, self._session, self._tokens, self._window)
        self._fields = FieldCache(self._client.custom_fields)

    def __repr__(self) -> str:
        return f"GreenhouseSink(base_url={self._config.base_url!r})"

    def deliver(self, payload: AtsPayload) -> AtsReceipt:
        """Write ``payload`` to its candidate (see the module docstring).

        :raises AtsError: retryable for 429, 5xx and transport failures; otherwise not.
        """
        candidate_id = self._candidate_id(payload.candidate)
        if payload.candidate.candidate_id is None:
            payload.progress.candidate_found(str(candidate_id))
        pending = payload.pending_writes()
        plan = WritePlan((), ())
        if pending:
            plan = self._write_fields(candidate_id, pending)
        for write in plan.fields:
            payload.progress.field_accepted(str(candidate_id), write)
        note = plan.note_body()
        if note is not None:
            self._client.add_note(candidate_id, note)
        detail = plan.detail()
        unchanged = len(payload.writes) - len(pending)
        if unchanged:
            detail += f", {unchanged} unchanged"
        return AtsReceipt(candidate_id=str(candidate_id), detail=detail)

    def list_fields(self) -> list[AtsFieldDefinition]:
        """The candidate custom fields, soft-deleted ones with ``active=False``."""
        return [field.definition() for field in self._fields.refresh().fields]

    def check_connection(self) -> str:
        """Get a token and read the candidate custom fields."""
        self._tokens.get()
        index = self._fields.refresh()
        active = sum(1 for field in index.fields if field.active)
        text = f"token OK; {active} candidate field{'' if active == 1 else 's'}"
        if self._window.limit is not None:
            text += f"; rate limit {self._window.limit} requests per window"
        return text

    def close(self) -> None:
        """Release the pooled connections of a session made by this sink."""
        if self._owns_session:
            self._session.close()

    def _candidate_id(self, candidate: CandidateRef) -> int:
        if candidate.candidate_id is not None:
            if not (candidate.candidate_id.isascii() and candidate.candidate_id.isdigit()):
                raise AtsError(
                    f"{candidate.candidate_id!r} is not a Greenhouse candidate id (a number)"
                )
            return int(candidate.candidate_id)
        ids = self._client.find_candidates(candidate.email)
        where = f" and an application on job {self._config.job_id}" if self._config.job_id else ""
        if not ids:
            raise AtsError(f"no Greenhouse candidate has the candidate's e-mail{where}")
        if len(ids) > 1:
            listed = ", ".join(map(str, ids))
            raise AtsError(
                f"several Greenhouse candidates have the candidate's e-mail{where} (ids {listed});"
                " merge them or set the candidate id of this learner"
            )
        return ids[0]

    def _write_fields(self, candidate_id: int, writes: tuple[FieldWrite, ...]) -> WritePlan:
        """Write the planned fields; after a 422, once more without fields deleted since."""
        plan = plan_writes(writes, self._fields.get())
        if not plan.fields:
            return plan
        try:
            self._client.update_custom_fields(candidate_id, [w.wire() for w in plan.fields])
        except AtsError as error:
            if error.status != 422:
                raise
            replanned = plan_writes(writes, self._fields.refresh())
            if len(replanned.fields) >= len(plan.fields):
                raise  # every refused field still exists: Greenhouse refused a value
            if replanned.fields:
                elements = [w.wire() for w in replanned.fields]
                self._client.update_custom_fields(candidate_id, elements)
            return replanned
        return plan
