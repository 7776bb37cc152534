"""Values exchanged with the ExamSpark REST API."""

from __future__ import annotations

import dataclasses
import typing as t

Json = dict[str, t.Any]


@dataclasses.dataclass(frozen=True)
class SessionRequest:
    """The LTI-style body of "create exam session".

    The session id is derived by the vendor from the exam config, ``user_id``,
    ``context_id`` and ``resource_link_id``, so the same values give the same session.
    """

    exam_config_id: str
    user_id: str
    resource_link_id: str
    context_id: str = ""
    given_name: str = ""
    family_name: str = ""
    person_sourcedid: str = ""
    outcome_service_url: str = ""
    result_sourcedid: str = ""

    def body(self) -> dict[str, str]:
        fields = {
            "user_id": self.user_id,
            "resource_link_id": self.resource_link_id,
            "context_id": self.context_id,
            "lis_person_name_given": self.given_name,
            "lis_person_name_family": self.family_name,
            "lis_person_sourcedid": self.person_sourcedid,
            "lis_outcome_service_url": self.outcome_service_url,
            "lis_result_sourcedid": self.result_sourcedid,
        }
        return {name: value for name, value in fields.items() if value}


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of a ``nextToken``-paged list; ``next_token`` is None on the last page.

    :ivar warnings: set when the list came in another form than the one our docs name.
    """

    items: list[Json]
    next_token: str | None
    total: int | None
    warnings: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class SdkToken:
    auth: str
    expires_at: float
