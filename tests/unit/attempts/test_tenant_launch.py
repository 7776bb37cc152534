"""A launch of an assessment from a platform it is not offered to is refused before
anything is stored; the course's return URL is kept only on the platform's own site."""

from __future__ import annotations

import dataclasses
import typing as t

import pytest
from sqlalchemy import func
from sqlalchemy import select

from plugin.attempts.start import AttemptError
from plugin.attempts.start import AttemptService
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from tests.unit.attempts.tenants import INSTRUCTOR
from tests.unit.attempts.tenants import SCHOOL_A
from tests.unit.attempts.tenants import SCHOOL_B
from tests.unit.attempts.tenants import Schools
from tests.unit.attempts.tenants import assessments
from tests.unit.attempts.tenants import launch_body
from tests.unit.attempts.tenants import register
from tests.unit.attempts.tenants import two_schools
from tests.unit.sync.fakes import FakeVendorAdapter
from tests.unit.sync.fakes import FakeVendorConnections

if t.TYPE_CHECKING:
    from flask import Flask

    from lti.interfaces import PlatformRecord
    from plugin.attempts.start import AttemptDestination
    from plugin.registrations.launches import LaunchSummary
    from plugin.vendors.connections import VendorConnectionService

CANVAS_PAGES = "https://school-a.instructure.example"


@dataclasses.dataclass
class Tool:
    """The launch path as the launch view runs it: record, then start the attempt at a
    scripted vendor."""

    app: Flask
    schools: Schools
    adapter: FakeVendorAdapter
    attempts: AttemptService

    def record(self, platform: PlatformRecord, body: dict[str, t.Any]) -> LaunchSummary:
        summary: LaunchSummary = services(self.app).lti.recorder.record(platform, "l-1", body)
        return summary

    def launch(self, platform: PlatformRecord, body: dict[str, t.Any]) -> AttemptDestination:
        summary = self.record(platform, body)
        return self.attempts.start(summary, int(summary.custom["assessment"]))

    def rows(self) -> dict[str, int]:
        with services(self.app).sessions() as session:
            return {
                model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Attempt, LtiUser, LtiContext, ResourceLink)
            }

    def stored_return_url(self) -> str | None:
        with services(self.app).sessions() as session:
            (url,) = session.scalars(select(Attempt.return_url))
            return url


@pytest.fixture
def tool(app: Flask) -> Tool:
    schools = two_schools(app)
    registry = services(app)
    fakes = FakeVendorConnections(registry.sessions, registry.secrets)
    adapter = FakeVendorAdapter()
    fakes.use(registry.vendor_connections.get(schools.connection).id, adapter)
    connections = t.cast("VendorConnectionService", fakes)
    attempts = AttemptService(
        registry.sessions, connections, registry.secrets, base_url="https://bridge.example"
    )
    return Tool(app, schools, adapter, attempts)


def test_a_launch_from_another_platform_is_refused_and_stores_nothing(tool: Tool) -> None:
    school_a = assessments(tool.app).add(
        connection=tool.schools.connection, test_id="t1", platforms=[SCHOOL_A]
    )
    before = tool.rows()

    with pytest.raises(AttemptError) as refused:
        tool.launch(tool.schools.b1, launch_body(school_a.id))

    assert refused.value.status == 403
    assert "not offered to this course's platform" in str(refused.value)
    assert (
        tool.rows()
        == before
        == {
            "attempts": 0,
            "lti_users": 0,
            "lti_contexts": 0,
            "resource_links": 0,
        }
    )
    assert tool.adapter.starts == []


def test_the_platform_it_is_offered_to_launches_it(tool: Tool) -> None:
    school_a = assessments(tool.app).add(
        connection=tool.schools.connection, test_id="t1", platforms=[SCHOOL_A]
    )

    destination = tool.launch(tool.schools.a2, launch_body(school_a.id))

    assert destination.redirect_url == "https://vendor.example/take/mettl-1"
    assert [start.test_id for start in tool.adapter.starts] == ["t1"]
    assert tool.rows() == {"attempts": 1, "lti_users": 1, "lti_contexts": 1, "resource_links": 1}


def test_an_instructor_of_another_platform_is_refused_too(tool: Tool) -> None:
    school_b = assessments(tool.app).add(
        connection=tool.schools.connection, test_id="t1", platforms=[SCHOOL_B]
    )

    with pytest.raises(AttemptError):
        tool.record(tool.schools.a1, launch_body(school_b.id, role=INSTRUCTOR))

    assert tool.rows()["lti_users"] == 0


def test_a_deployment_outside_the_placement_is_refused(tool: Tool) -> None:
    service = assessments(tool.app)
    placed = service.add(connection=tool.schools.connection, test_id="t1")
    service.assign(placed.id, SCHOOL_A, "a-1", "d2")

    with pytest.raises(AttemptError):
        tool.launch(tool.schools.a1, launch_body(placed.id, deployment_id="d1"))
    tool.launch(tool.schools.a1, launch_body(placed.id, deployment_id="d2"))

    assert len(tool.adapter.starts) == 1


def test_the_launch_summary_carries_the_deployment_id(tool: Tool) -> None:
    summary = tool.record(tool.schools.a1, launch_body(None, deployment_id="d2"))

    assert summary.deployment_id == "d2"


@pytest.mark.parametrize(
    "return_url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        f"java\tscript:alert(1)//{SCHOOL_A}",
        "https://evil.example/course",
        f"{SCHOOL_B}/course/view.php?id=7",
        "https://lms.school-a.example.evil.example/course",
        "https://someone@lms.school-a.example/course",
    ],
)
def test_a_return_url_off_the_platform_site_is_not_kept(tool: Tool, return_url: str) -> None:
    assessment = assessments(tool.app).add(connection=tool.schools.connection, test_id="t1")

    summary = tool.record(tool.schools.a1, launch_body(None, return_url=return_url))
    tool.launch(tool.schools.a1, launch_body(assessment.id, return_url=return_url))

    assert summary.return_url is None
    assert tool.stored_return_url() is None


def test_a_return_url_on_the_issuer_origin_is_kept(tool: Tool) -> None:
    assessment = assessments(tool.app).add(connection=tool.schools.connection, test_id="t1")
    url = f"{SCHOOL_A}/course/view.php?id=7"

    summary = tool.record(tool.schools.a1, launch_body(None, return_url=url))
    tool.launch(tool.schools.a1, launch_body(assessment.id, return_url=url))

    assert summary.return_url == url
    assert tool.stored_return_url() == url


def test_a_return_url_on_an_origin_the_admin_allowed_is_kept(tool: Tool) -> None:
    canvas = register(tool.app, "https://canvas.example", "c-1", allowed_origins=(CANVAS_PAGES,))
    assessment = assessments(tool.app).add(connection=tool.schools.connection, test_id="t1")
    url = f"{CANVAS_PAGES}/courses/7/assignments/3"

    summary = tool.record(canvas, launch_body(None, return_url=url))
    tool.launch(canvas, launch_body(assessment.id, return_url=url))

    assert summary.return_url == url
    assert tool.stored_return_url() == url
    elsewhere = tool.record(tool.schools.a1, launch_body(None, return_url=url, user="other"))
    assert elsewhere.return_url is None


def test_a_summary_built_elsewhere_cannot_store_an_off_site_return_url(tool: Tool) -> None:
    assessment = assessments(tool.app).add(connection=tool.schools.connection, test_id="t1")
    summary = tool.record(tool.schools.a1, launch_body(assessment.id))
    forged = dataclasses.replace(summary, return_url="https://evil.example/")

    tool.attempts.start(forged, assessment.id)

    assert tool.stored_return_url() is None
