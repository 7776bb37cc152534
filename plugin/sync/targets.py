"""Which deliveries a new result version needs, and what each one carries.

One delivery to the LMS gradebook (the AGS score of :mod:`mappings.ags`) and,
once the result is final, one per ATS connection linked to the assessment (the
field writes of :mod:`mappings.ats`).  The gradebook delivery goes to the line item
the launch named; only an assessment added with ``--create-line-item`` may find or
create a column of its own, so an activity that accepts no grades gets no delivery
(and no column nobody asked for).  A delivery that cannot be sent as
planned (no grade service at the placement, a value the ATS field cannot hold,
no field map) is written dead at once with the reason, so a person sees it.

Payloads hold no personal data beyond the LMS's opaque user id: the learner's
e-mail is read at send time for the ATS lookup.
"""

from __future__ import annotations

import dataclasses
import decimal
import hashlib
import json
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappings.ags import ScorePolicy
from mappings.ags import build_score
from mappings.ats import FieldValueError
from mappings.ats import FieldWrite
from mappings.ats import build_field_writes
from mappings.ats_map import FieldMapError
from mappings.ats_map import plan_field_writes
from mappings.result import AssessmentResult
from mappings.result import AssessmentResultSchema
from mappings.result import ResultStatus
from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import NewDelivery
from plugin.outbox.deliveries import ats_target
from plugin.store.models import Assessment
from plugin.store.models import AssessmentAts
from plugin.store.models import AtsConnection
from plugin.store.models import Attempt
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink

ATS_STATUSES = frozenset(
    {ResultStatus.COMPLETED, ResultStatus.EXPIRED, ResultStatus.TERMINATED, ResultStatus.CANCELLED}
)
_SCHEMA = AssessmentResultSchema()


def score_policy(assessment: Assessment) -> ScorePolicy:
    """The assessment's :class:`ScorePolicy` (defaults when it has none).

    :raises ValueError: for a stored policy that is no longer valid.
    """
    if not assessment.score_policy_json:
        return ScorePolicy()
    values = json.loads(assessment.score_policy_json)
    if values.get("max_points") is not None:
        values["max_points"] = decimal.Decimal(str(values["max_points"]))
    return ScorePolicy(**values)


def line_item_tag(assessment_id: int) -> str:
    return f"assessment-bridge:{assessment_id}"


def result_id(attempt_id: int, digest: str) -> str:
    """Stable per attempt and result content: the ATS idempotency key."""
    return hashlib.sha256(f"{attempt_id}:{digest}".encode()).hexdigest()[:32]


def field_write_json(write: FieldWrite) -> dict[str, t.Any]:
    return dataclasses.asdict(write)


def field_write_from_json(data: t.Mapping[str, t.Any]) -> FieldWrite:
    return FieldWrite(**data)


@dataclasses.dataclass(frozen=True)
class Planning:
    """Rows loaded ahead for planning several attempts.

    :ivar rows: held so that the session's identity map (which keeps only referenced
        rows) answers the planner's lookups without queries.
    :ivar ats: the ATS connections linked to each assessment.
    """

    rows: list[t.Any]
    ats: dict[int, list[AtsConnection]]


class TargetPlanner:
    def preload(self, session: Session, attempts: list[Attempt]) -> Planning:
        """Load what planning ``attempts`` reads (assessments, placements, learners, courses,
        linked ATS connections) in five queries, for :meth:`plan`."""
        assessment_ids = {a.assessment_id for a in attempts}
        link_ids = {a.resource_link_id for a in attempts}
        user_ids = {a.lti_user_id for a in attempts}
        rows: list[t.Any] = list(
            session.scalars(select(Assessment).where(Assessment.id.in_(assessment_ids)))
        )
        links = list(session.scalars(select(ResourceLink).where(ResourceLink.id.in_(link_ids))))
        rows.extend(links)
        rows.extend(session.scalars(select(LtiUser).where(LtiUser.id.in_(user_ids))))
        context_ids = {link.context_id for link in links}
        rows.extend(session.scalars(select(LtiContext).where(LtiContext.id.in_(context_ids))))
        linked = session.execute(
            select(AssessmentAts.assessment_id, AtsConnection)
            .join(AtsConnection, AssessmentAts.ats_connection_id == AtsConnection.id)
            .where(AssessmentAts.assessment_id.in_(assessment_ids))
            .order_by(AtsConnection.id)
        )
        ats: dict[int, list[AtsConnection]] = {}
        for assessment_id, connection in linked:
            ats.setdefault(assessment_id, []).append(connection)
        return Planning(rows, ats)

    def plan(
        self,
        session: Session,
        attempt: Attempt,
        result: AssessmentResult,
        planning: Planning | None = None,
    ) -> list[NewDelivery]:
        """The deliveries result ``result`` of ``attempt`` needs.

        :param planning: from :meth:`preload` when planning many attempts at once.
        """
        planning = planning or self.preload(session, [attempt])
        assessment = session.get(Assessment, attempt.assessment_id)
        assert assessment is not None
        lms = self._lms(session, attempt, assessment, result)
        planned = [lms] if lms is not None else []
        if result.status in ATS_STATUSES:
            planned.extend(self._ats(attempt, result, planning))
        return planned

    def _lms(
        self, session: Session, attempt: Attempt, assessment: Assessment, result: AssessmentResult
    ) -> NewDelivery | None:
        """The gradebook delivery, or None when the activity accepts no grades: its launch
        names no line item and the assessment does not ask for a column of its own."""
        link = session.get(ResourceLink, attempt.resource_link_id)
        user = session.get(LtiUser, attempt.lti_user_id)
        assert link is not None and user is not None
        if not link.lineitem_url and not assessment.create_line_item:
            return None
        context = session.get(LtiContext, link.context_id)
        assert context is not None
        try:
            policy = score_policy(assessment)
        except (ValueError, TypeError) as exc:
            return NewDelivery(LMS_TARGET, {}, dead_reason=f"assessment score policy: {exc}")
        payload = {
            "platform_id": context.platform_id,
            "resource_link": link.id,
            "assessment_id": assessment.id,
            "lineitem_url": link.lineitem_url,
            "lineitems_url": link.lineitems_url,
            "line_item": _line_item_spec(assessment, link, policy, result),
            "score": build_score(result, policy, user_id=user.subject),
        }
        if not link.lineitem_url and not link.lineitems_url:
            return NewDelivery(
                LMS_TARGET,
                payload,
                dead_reason=(
                    "the assessment asks for a gradebook column of its own, but the LMS gave "
                    "this placement no grade service (no AGS claim in the launch); enable "
                    "grading for the activity and resync"
                ),
            )
        return NewDelivery(LMS_TARGET, payload)

    def _ats(
        self, attempt: Attempt, result: AssessmentResult, planning: Planning
    ) -> list[NewDelivery]:
        connections = planning.ats.get(attempt.assessment_id, [])
        planned: list[NewDelivery] = []
        canonical: dict[str, t.Any] | None = None
        for connection in connections:
            canonical = canonical or _SCHEMA.dump(result)
            target = ats_target(connection.id)
            payload: dict[str, t.Any] = {
                "lti_user_id": attempt.lti_user_id,
                "result_id": result_id(attempt.id, result.digest),
                "result": canonical,
                "writes": [],
            }
            reason = None
            try:
                payload["writes"] = [
                    field_write_json(write) for write in _writes(connection, result)
                ]
            except (FieldMapError, FieldValueError) as exc:
                reason = str(exc)
            planned.append(
                NewDelivery(target, payload, ats_connection_id=connection.id, dead_reason=reason)
            )
        return planned


def _line_item_spec(
    assessment: Assessment, link: ResourceLink, policy: ScorePolicy, result: AssessmentResult
) -> dict[str, t.Any]:
    """The column to find or create when the launch named none (AGS line item fields)."""
    maximum = policy.max_points or (
        result.max_score if policy.score_mode == "points" and result.max_score else 100
    )
    return {
        "label": assessment.title or f"Assessment {assessment.id}",
        "score_maximum": float(maximum),
        "resource_link_id": link.resource_link_id,
        "tag": line_item_tag(assessment.id),
        "resource_id": str(assessment.id),
    }


def _writes(connection: AtsConnection, result: AssessmentResult) -> list[FieldWrite]:
    if not connection.field_map_json:
        if connection.kind == "webhook":
            return []
        raise FieldMapError(
            [
                f"ATS connection {connection.name!r} has no field map; set one with "
                f"`assessment-bridge ats fields {connection.name} --map logical=key:type`"
            ]
        )
    plan = plan_field_writes(json.loads(connection.field_map_json))
    return build_field_writes(result, plan)
