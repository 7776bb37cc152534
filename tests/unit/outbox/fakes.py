"""Small fakes of the outbox's remote collaborators, and the rows its deliveries hang off.

Each fake honours the contract of the real collaborator it stands in for (the AGS client
of :mod:`lti.ags.client`, :class:`plugin.ats.base.AtsSink`, the ``sink`` lookup of
:class:`plugin.ats.connections.AtsConnectionService`, :class:`plugin.jobs.queue.JobQueue`)
and records what it was asked, so tests assert on what reached the remote side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from lti.ags.client import ScoreReceipt
from lti.ags.errors import AgsError
from lti.ags.line_items import LineItem
from lti.ags.line_items import LineItemSpec
from plugin.ats.base import AtsError
from plugin.ats.base import AtsFieldDefinition
from plugin.ats.base import AtsPayload
from plugin.ats.base import AtsReceipt
from plugin.ats.connections import AtsConnectionError
from plugin.outbox.deliveries import NewDelivery
from plugin.outbox.deliveries import Outbox
from plugin.services import services
from plugin.store.models import AtsConnection
from plugin.store.models import Attempt
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    from flask import Flask

    from lti.interfaces import PlatformRecord
    from plugin.ats.base import AtsSink

AgsMethod = t.Literal["find_line_item", "create_line_item", "post_score"]


# -- the job queue -------------------------------------------------------------------------


#: The timestamp the fake client says it sent every score with.
SENT_AT = "2024-05-01T10:00:00.000+00:00"


@dataclasses.dataclass
class RecordingJobQueue:
    """A :class:`plugin.jobs.queue.JobQueue` that runs nothing and records every wake-up."""

    syncs: list[int] = dataclasses.field(default_factory=list)
    #: ``(delivery id, eta)`` per :meth:`deliver` call; ``eta`` None means "now".
    deliveries: list[tuple[int, dt.datetime | None]] = dataclasses.field(default_factory=list)
    batches: list[list[int]] = dataclasses.field(default_factory=list)

    def sync(self, attempt_id: int) -> None:
        self.syncs.append(attempt_id)

    def deliver(self, delivery_id: int, *, eta: dt.datetime | None = None) -> None:
        self.deliveries.append((delivery_id, eta))

    def deliver_many(self, delivery_ids: Sequence[int]) -> None:
        self.batches.append(list(delivery_ids))


# -- AGS -----------------------------------------------------------------------------------


class FakeAgsClientFactory:
    """Stands in for :class:`lti.ags.factory.AgsClientFactory` and for the gradebooks behind
    it: every client it hands out reads and writes the same line items and scores.

    :ivar line_items: line items by container (``lineitems``) URL.
    :ivar lookups: each ``find_line_item`` call, as ``(container, spec)``.
    :ivar created: each line item created, as ``(container, spec)``.
    :ivar scores: each score accepted, as ``(line item URL, score)``.
    :ivar on_score: called as a score arrives, before it is accepted (the world moving on
        while a delivery is in flight).
    """

    def __init__(self) -> None:
        self.platforms: list[PlatformRecord] = []
        self.line_items: dict[str, list[LineItem]] = {}
        self.lookups: list[tuple[str, LineItemSpec]] = []
        self.created: list[tuple[str, LineItemSpec]] = []
        self.scores: list[tuple[str, dict[str, t.Any]]] = []
        self.on_score: t.Callable[[], None] | None = None
        self._failures: dict[str, list[AgsError]] = {}

    def for_platform(self, platform: PlatformRecord) -> FakeAgsClient:
        self.platforms.append(platform)
        return FakeAgsClient(platform, self)

    def add_line_item(self, lineitems_url: str, spec: LineItemSpec, url: str) -> None:
        """A line item the platform already holds (made by someone else)."""
        self.line_items.setdefault(lineitems_url, []).append(_line_item(url, spec))

    def fail(self, method: AgsMethod, error: AgsError) -> None:
        """Make the next call of ``method`` (on any client) raise ``error``."""
        self._failures.setdefault(method, []).append(error)

    def raise_scripted(self, method: AgsMethod) -> None:
        queued = self._failures.get(method)
        if queued:
            raise queued.pop(0)


class FakeAgsClient:
    """The methods of :class:`lti.ags.client.AgsClient` the outbox calls, on the shared
    gradebook of its :class:`FakeAgsClientFactory`."""

    def __init__(self, platform: PlatformRecord, gradebook: FakeAgsClientFactory) -> None:
        self.platform = platform
        self._gradebook = gradebook

    def line_item_url(
        self,
        spec: LineItemSpec,
        *,
        lineitem_url: str | None = None,
        lineitems_url: str | None = None,
    ) -> str:
        """The launch's line item as is; else the container's matching one, or a new one."""
        if lineitem_url:
            return lineitem_url
        if not lineitems_url:
            raise AgsError(
                "the platform gave this resource link no line item service (no AGS claim)",
                status=None,
                retryable=False,
            )
        found = self.find_line_item(lineitems_url, spec)
        return (found or self.create_line_item(lineitems_url, spec)).url

    def find_line_item(self, lineitems_url: str, spec: LineItemSpec) -> LineItem | None:
        self._gradebook.lookups.append((lineitems_url, spec))
        self._gradebook.raise_scripted("find_line_item")
        items = self._gradebook.line_items.get(lineitems_url, [])
        return next((item for item in items if spec.matches(item)), None)

    def create_line_item(self, lineitems_url: str, spec: LineItemSpec) -> LineItem:
        self._gradebook.raise_scripted("create_line_item")
        items = self._gradebook.line_items.setdefault(lineitems_url, [])
        item = _line_item(f"{lineitems_url}/{len(items) + 1}", spec)
        items.append(item)
        self._gradebook.created.append((lineitems_url, spec))
        return item

    def post_score(self, line_item_url: str, score: t.Mapping[str, t.Any]) -> ScoreReceipt:
        """Accept ``score``; like the real client, refuse one without ``userId``
        (``ValueError``) and stamp it with the time it is sent (a fixed second here)."""
        user_id = score.get("userId")
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("a score needs a userId")
        timestamp = SENT_AT
        if self._gradebook.on_score is not None:
            self._gradebook.on_score()
        self._gradebook.raise_scripted("post_score")
        self._gradebook.scores.append((line_item_url, dict(score)))
        return ScoreReceipt(line_item_url, user_id, timestamp, bumped=False)


def _line_item(url: str, spec: LineItemSpec) -> LineItem:
    return LineItem(url, spec.label, spec.score_maximum, spec.resource_link_id, spec.tag)


# -- ATS -----------------------------------------------------------------------------------


class FakeAtsSink:
    """An :class:`plugin.ats.base.AtsSink` over an ATS holding the candidates it is given.

    A payload naming a candidate id is written to it; otherwise the candidate is looked up
    by e-mail (recorded in :attr:`lookups`), and an unknown e-mail is refused like a real
    ATS refuses it (not retryable).

    :ivar candidates: candidate ids by e-mail.
    :ivar delivered: every payload accepted.
    :ivar answer_id: when set, the candidate id every receipt names (an ATS that merged or
        re-created the candidate).
    """

    kind: t.ClassVar[str] = "fake"

    def __init__(self, candidates: t.Mapping[str, str] | None = None) -> None:
        self.candidates = dict(candidates or {})
        self.delivered: list[AtsPayload] = []
        self.lookups: list[str] = []
        self.answer_id: str | None = None
        self.closed = False
        self._failures: list[AtsError] = []

    def fail(self, error: AtsError) -> None:
        """Make the next :meth:`deliver` raise ``error``."""
        self._failures.append(error)

    def deliver(self, payload: AtsPayload) -> AtsReceipt:
        if self._failures:
            raise self._failures.pop(0)
        candidate_id = payload.candidate.candidate_id
        if candidate_id is None:
            self.lookups.append(payload.candidate.email)
            candidate_id = self.candidates.get(payload.candidate.email)
            if candidate_id is None:
                raise AtsError("no candidate has that e-mail", status=404)
        self.delivered.append(payload)
        count = len(payload.writes)
        return AtsReceipt(self.answer_id or candidate_id, f"{count} fields written")

    def list_fields(self) -> list[AtsFieldDefinition]:
        return []

    def check_connection(self) -> str:
        return "fake ATS answered"

    def close(self) -> None:
        self.closed = True


class FakeAtsConnections:
    """The ``sink`` lookup of :class:`plugin.ats.connections.AtsConnectionService`: one sink
    per connection id, :class:`AtsConnectionError` for a connection that is not there."""

    def __init__(self, sinks: t.Mapping[int, AtsSink] | None = None) -> None:
        self.sinks: dict[int, AtsSink] = dict(sinks or {})

    def sink(self, connection_id: int) -> AtsSink:
        sink = self.sinks.get(connection_id)
        if sink is None:
            raise AtsConnectionError(f"no ATS connection with id {connection_id}")
        return sink


# -- rows ----------------------------------------------------------------------------------


def add_ats_connection(app: Flask, name: str = "ats") -> int:
    """An ATS connection row (its config is never read: the sink is a fake); returns its id."""
    with services(app).sessions.begin() as session:
        row = AtsConnection(name=name, kind="webhook", config_encrypted=b"-")
        session.add(row)
        session.flush()
        return row.id


def lms_payload(app: Flask, attempt_id: int, *, lineitem_url: str = "") -> dict[str, t.Any]:
    """The payload :class:`plugin.sync.targets.TargetPlanner` writes for the attempt's grade."""
    with services(app).sessions() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        link = session.get(ResourceLink, attempt.resource_link_id)
        user = session.get(LtiUser, attempt.lti_user_id)
        assert link is not None and user is not None
        context = session.get(LtiContext, link.context_id)
        assert context is not None
        return {
            "platform_id": context.platform_id,
            "resource_link": link.id,
            "assessment_id": attempt.assessment_id,
            "lineitem_url": lineitem_url,
            "lineitems_url": link.lineitems_url,
            "line_item": {
                "label": "Final",
                "score_maximum": 100.0,
                "resource_link_id": link.resource_link_id,
                "tag": f"assessment-bridge:{attempt.assessment_id}",
                "resource_id": str(attempt.assessment_id),
            },
            "score": {
                "userId": user.subject,
                "activityProgress": "Completed",
                "gradingProgress": "FullyGraded",
                "timestamp": "2024-05-01T10:00:00.000+00:00",
                "scoreGiven": 80.0,
                "scoreMaximum": 100.0,
            },
        }


def ats_payload(
    app: Flask, attempt_id: int, writes: Sequence[dict[str, t.Any]] = ()
) -> dict[str, t.Any]:
    """The payload the planner writes for an ATS delivery of the attempt's result."""
    with services(app).sessions() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        user_id = attempt.lti_user_id
    return {
        "lti_user_id": user_id,
        "result_id": f"result-{attempt_id}",
        "result": {"status": "completed", "score": 80},
        "writes": list(writes),
    }


def add_delivery(
    app: Flask, outbox: Outbox, attempt_id: int, version: int, new: NewDelivery
) -> int:
    """Write one delivery of result ``version`` as the sync does; returns its id."""
    with services(app).sessions.begin() as session:
        (delivery_id,) = outbox.add(session, attempt_id, version, [new])
    return delivery_id
