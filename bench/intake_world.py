"""The world ``bench/intake.py`` sends callbacks into.

The Mettl simulator holds one schedule with ``count`` completed candidates
(``bulk000000@sandbox.test`` ...).  The sandbox LMS has the tool registered once with a
course of learners and resource links.  The tool's store (written in-process before
``serve`` starts, on the same SQLite file) has the platform, a Mettl connection pointing
at the simulator, one assessment on the schedule and one started attempt per
candidate, as launches would have left them: the candidate's notification then names an
attempt the tool knows, and its sync fetches a real result and delivers a real score.
"""

from __future__ import annotations

import dataclasses
import itertools
import typing as t

import requests
from flask import Flask
from sqlalchemy import insert

from bench.common import sealed_attempt_token
from bench.sync_world import build_courses
from bench.sync_world import learners_per_course
from bench.sync_world import record_placements
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import utcnow
from plugin.vendors.mettl.refs import ScheduleCandidate

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxLms

ACCESS_KEY = "benchintake"
_TIMEOUT_S = (3.05, 60.0)


@dataclasses.dataclass(frozen=True)
class IntakeWorld:
    """What the load generator needs: where to post and which candidates exist."""

    callback_url: str
    context_id: str
    emails: tuple[str, ...]


def candidate_email(serial: int) -> str:
    """The address the simulator gives its ``serial``-th bulk candidate."""
    return f"bulk{serial:06d}@sandbox.test"


def fill_schedule(mettl_url: str, count: int) -> None:
    """Create the schedule and ``count`` completed candidates on the Mettl simulator."""
    control = mettl_url + "/sandbox"
    answer = requests.post(
        control + "/schedules",
        json={"name": "Intake benchmark", "accessKey": ACCESS_KEY},
        timeout=_TIMEOUT_S,
    )
    answer.raise_for_status()
    answer = requests.post(
        f"{control}/schedules/{ACCESS_KEY}/bulk",
        json={"count": count, "completed_ratio": 1.0},
        timeout=_TIMEOUT_S,
    )
    answer.raise_for_status()
    last = requests.get(
        f"{control}/attempts/{ACCESS_KEY}/{candidate_email(count - 1)}", timeout=_TIMEOUT_S
    )
    last.raise_for_status()
    if last.json()["testStatus"]["status"] != "Completed":
        raise RuntimeError(f"the simulator's candidates are not completed: {last.text[:300]}")


def build(
    app: Flask,
    lms: SandboxLms,
    *,
    tool_url: str,
    mettl_url: str,
    mettl_keys: tuple[str, str],
    count: int,
) -> IntakeWorld:
    """Set up the simulator, the LMS and the tool's store for ``count`` attempts."""
    fill_schedule(mettl_url, count)
    (course,) = build_courses(
        lms, app, tool_url, platforms=1, learners=learners_per_course(count, 1)
    )
    public_key, private_key = mettl_keys
    connection = services(app).vendor_connections.add(
        "mettl",
        "bench-mettl",
        {"public_key": public_key, "private_key": private_key, "base_url": mettl_url},
    )
    assessment = services(app).assessments.add(
        connection="bench-mettl",
        test_id=ACCESS_KEY,
        title="Intake benchmark",
        # The placements carry only the line item container: the column is found or
        # created by resource link and tag, as an assessment added with --create-line-item.
        create_line_item=True,
    )
    emails = tuple(candidate_email(serial) for serial in range(count))
    with services(app).sessions.begin() as session:
        links, users = record_placements(session, course)
        pairs = itertools.product(users, links)
        session.execute(
            insert(Attempt),
            [
                {
                    **sealed_attempt_token(app),
                    "assessment_id": assessment.id,
                    "lti_user_id": user_id,
                    "resource_link_id": link_id,
                    "vendor_ref": str(ScheduleCandidate.of(ACCESS_KEY, email)),
                    "status": "started",
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for email, (user_id, link_id) in zip(emails, pairs, strict=False)
            ],
        )
    return IntakeWorld(
        callback_url=connection.callback_url, context_id=course.context_id, emails=emails
    )


def notification(email: str, *, instance: int) -> dict[str, t.Any]:
    """Mettl's ``finishTest`` notification for a candidate
    (``docs/vendors/mettl.md#completion-signals``)."""
    return {
        "EVENT_TYPE": "finishTest",
        "invitation_key": ACCESS_KEY,
        "assessment_id": 1,
        "candidate_instance_id": instance,
        "context_data": None,
        "timestamp_GMT": "Fri, 16 Aug 2024 13:14:21 GMT",
        "source_app": "sandbox",
        "notification_url": "",
        "name": email.split("@", 1)[0],
        "email": email,
        "finish_mode": "NormalSubmission",
    }
