"""Write results to Workable candidates as custom attribute values (SPI v3).

One ``PATCH /spi/v3/candidates/{id}/update_custom_attribute_value`` per field write
(``docs/ats/workable.md#attribute-update``). With 10 requests per 10 s on an account token,
a delivery may need more than one rate-limit interval: the candidate found and each
accepted write are reported to the payload's progress as they happen, so a delivery
stopped by a reset too far away (a retryable error) resumes on its next try with only
the writes still pending (``docs/ats/workable.md#resuming-a-delivery``).
"""

from __future__ import annotations

import typing as t
import urllib.parse

from plugin.ats.base import AtsError
from plugin.ats.base import AtsReceipt
from plugin.ats.workable.api import WorkableApi
from plugin.ats.workable.candidates import find_candidate_id
from plugin.ats.workable.fields import custom_attributes
from plugin.http.sessions import make_session

if t.TYPE_CHECKING:
    import requests

    from plugin.ats.base import AtsFieldDefinition
    from plugin.ats.base import AtsPayload
    from plugin.ats.workable.config import WorkableConfig


class WorkableSink:
    """One Workable account, reached with its API access token.

    :param config: the connection's settings.
    :param session: a pooled session (tests inject their own).
    """

    kind: t.ClassVar[str] = "workable"

    def __init__(self, config: WorkableConfig, *, session: requests.Session | None = None) -> None:
        self._session = session if session is not None else make_session(resend_reads=False)
        self._api = WorkableApi(config, self._session)

    def deliver(self, payload: AtsPayload) -> AtsReceipt:
        """Set every mapped attribute of the candidate (looked up by e-mail when needed).

        :raises AtsError: with ``retryable`` telling the outbox what to do.
        """
        foreign = sorted({w.target for w in payload.writes if w.target != self.kind})
        if foreign:
            raise AtsError(f"the field writes are for {', '.join(foreign)}, not Workable")
        candidate_id = payload.candidate.candidate_id
        if candidate_id is None:
            candidate_id = find_candidate_id(self._api, payload.candidate.email)
            payload.progress.candidate_found(candidate_id)
        url = (
            f"{self._api.base_url}/spi/v3/candidates/"
            f"{urllib.parse.quote(candidate_id, safe='')}/update_custom_attribute_value"
        )
        pending = payload.pending_writes()
        for write in pending:
            action = f"write attribute {write.key} ({write.field})"
            self._api.call("PATCH", url, action, expect_json=False, json=write.wire())
            payload.progress.field_accepted(candidate_id, write)
        count = len(pending)
        detail = f"{count} attribute{'' if count == 1 else 's'} written"
        unchanged = len(payload.writes) - count
        if unchanged:
            detail += f", {unchanged} unchanged"
        return AtsReceipt(candidate_id, detail)

    def list_fields(self) -> list[AtsFieldDefinition]:
        """The account's custom attributes (see :mod:`plugin.ats.workable.fields`)."""
        return custom_attributes(self._api)

    def check_connection(self) -> str:
        """Read the custom attributes with the token."""
        return f"token OK; {len(self.list_fields())} custom attributes"

    def close(self) -> None:
        self._session.close()
