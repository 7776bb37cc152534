"""The world ``bench/sync.py`` delivers into: platforms, courses and owed grades.

On the sandbox LMS: one registration of the tool per platform (three client ids of one
issuer), each with a course of learners and resource links without line items, so the
tool finds or creates its line items as it would after a launch that gave only the
``lineitems`` URL.  In the tool's store: the platforms (``PlatformService.add``), the
users, contexts and links a launch would have recorded, one assessment, the completed
attempts, and for each the LMS delivery ``TargetPlanner`` plans for a Mettl result, written
with ``Outbox.add`` exactly as a sync writes it.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import typing as t

from flask import Flask
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bench.common import sealed_attempt_token
from bench.mappings import mettl
from lti.ags.media import DEFAULT_SCOPES
from mappings.registry import load_result
from mappings.result import AssessmentResult
from plugin.outbox.deliveries import Outbox
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import Deployment
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from plugin.store.models import utcnow
from plugin.sync.targets import TargetPlanner
from tests.support.registration import register_by_hand

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxLms

#: Placements per course: each gets its own line item for the assessment.
LINKS_PER_COURSE = 20
#: Distinct results (scores 0..100) the attempts cycle through.
RESULT_VARIANTS = 101
_PLAN_BATCH = 500


@dataclasses.dataclass(frozen=True)
class Course:
    """One platform's registration and course on the sandbox LMS."""

    platform_id: int
    client_id: str
    deployment_id: str
    context_id: str
    lineitems_url: str
    link_ids: tuple[str, ...]
    learner_ids: tuple[str, ...]


def split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` near-equal whole shares."""
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def build_courses(
    lms: SandboxLms, app: Flask, tool_url: str, *, platforms: int, learners: int
) -> list[Course]:
    """Register the tool ``platforms`` times and give each registration a course."""
    return [_course(lms, app, tool_url, index, learners) for index in range(platforms)]


def _course(lms: SandboxLms, app: Flask, tool_url: str, index: int, learners: int) -> Course:
    info, deployment_id = register_by_hand(
        lms, services(app).platforms, tool_url, name=f"Assessment Bridge {index}"
    )
    context = lms.add_context(f"Course {index}")
    learner_ids = []
    for number in range(learners):
        user = lms.add_user(f"Learner {index}-{number}")
        lms.enrol(context["id"], user["id"], ["Learner"])
        learner_ids.append(user["id"])
    link_ids = [
        lms.add_resource_link(context["id"], f"Assessment placement {n}")["id"]
        for n in range(LINKS_PER_COURSE)
    ]
    return Course(
        platform_id=info.record.id,
        client_id=info.record.client_id,
        deployment_id=deployment_id,
        context_id=context["id"],
        lineitems_url=f"{lms.issuer}/api/contexts/{context['id']}/lineitems",
        link_ids=tuple(link_ids),
        learner_ids=tuple(learner_ids),
    )


def learners_per_course(attempts: int, platforms: int, *, at_least: int = 1) -> int:
    """Learners a course needs so that every attempt is a distinct (placement, learner)."""
    return max(at_least, math.ceil(max(split(attempts, platforms)) / LINKS_PER_COURSE))


def result_variants() -> list[AssessmentResult]:
    """Completed Mettl results scoring 0..100 points of 100, mapped by ``mappings``."""
    variants = []
    for marks in range(RESULT_VARIANTS):
        payload = mettl()
        payload["candidate"]["testStatus"]["result"]["totalMarks"] = float(marks)
        variants.append(load_result("mettl", payload))
    return variants


def seed_deliveries(app: Flask, courses: list[Course], attempts: int) -> list[int]:
    """Store ``attempts`` completed attempts across ``courses`` with their LMS deliveries.

    :return: the delivery ids, in the order a sync would have queued them.
    """
    sessions = services(app).sessions
    assessment = services(app).assessments.add(
        connection=_connection(app),
        test_id="bench-schedule",
        title="Sync benchmark",
        # The placements carry only the line item container: the column is found or
        # created by resource link and tag, as an assessment added with --create-line-item.
        create_line_item=True,
    )
    rows: list[dict[str, t.Any]] = []
    with sessions.begin() as session:
        for course, share in zip(courses, split(attempts, len(courses)), strict=True):
            links, users = record_placements(session, course)
            pairs = itertools.islice(itertools.product(users, links), share)
            rows.extend(
                {
                    **sealed_attempt_token(app),
                    "assessment_id": assessment.id,
                    "lti_user_id": user_id,
                    "resource_link_id": link_id,
                    "vendor_ref": f"bench-schedule/{user_id}-{link_id}@sandbox.test",
                    "status": "completed",
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for user_id, link_id in pairs
            )
        session.execute(insert(Attempt), rows)
    return _plan(app, sessions)


def _connection(app: Flask) -> str:
    """A Mettl connection the attempts belong to (never called: results are given)."""
    name = "bench-mettl"
    services(app).vendor_connections.add(
        "mettl",
        name,
        {"public_key": "bench", "private_key": "bench", "base_url": "http://127.0.0.1:9"},
    )
    return name


def record_placements(session: Session, course: Course) -> tuple[list[int], list[int]]:
    """What a launch records: the context, its links (with the AGS claim) and the learners."""
    deployment = session.scalar(
        select(Deployment.id).where(
            Deployment.platform_id == course.platform_id,
            Deployment.deployment_id == course.deployment_id,
        )
    )
    context = LtiContext(
        platform_id=course.platform_id, context_id=course.context_id, title=course.context_id
    )
    session.add(context)
    session.flush()
    links = [
        ResourceLink(
            context_id=context.id,
            deployment_id=deployment,
            resource_link_id=link_id,
            title=f"Assessment placement {link_id}",
            lineitems_url=course.lineitems_url,
            ags_scopes=" ".join(DEFAULT_SCOPES),
        )
        for link_id in course.link_ids
    ]
    users = [
        LtiUser(platform_id=course.platform_id, subject=subject, name=f"Learner {subject}")
        for subject in course.learner_ids
    ]
    session.add_all([*links, *users])
    session.flush()
    return [link.id for link in links], [user.id for user in users]


def _plan(app: Flask, sessions: sessionmaker[Session]) -> list[int]:
    outbox: Outbox = services(app).outbox
    planner = TargetPlanner()
    variants = result_variants()
    with sessions() as session:
        attempt_ids = list(session.scalars(select(Attempt.id).order_by(Attempt.id)))
    woken: list[int] = []
    for start in range(0, len(attempt_ids), _PLAN_BATCH):
        batch = attempt_ids[start : start + _PLAN_BATCH]
        with sessions.begin() as session:
            attempts = session.scalars(
                select(Attempt).where(Attempt.id.in_(batch)).order_by(Attempt.id)
            ).all()
            for attempt in attempts:
                result = variants[attempt.id % len(variants)]
                planned = planner.plan(session, attempt, result)
                woken.extend(outbox.add(session, attempt.id, 1, planned))
    return woken
