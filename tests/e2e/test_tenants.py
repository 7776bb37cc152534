"""Two schools' LMSs on one tool: an assessment offered to one school does not open from the
other's course, and "Back to the course" leads only to the launching school's site."""

from __future__ import annotations

import html
import re
import typing as t

import pytest
import requests
from sqlalchemy import func
from sqlalchemy import select

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.lms import serve_lms
from plugin.sandbox.vendors.imocha import create_imocha_app
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from tests.e2e.conftest import Registration
from tests.e2e.conftest import launch_as
from tests.e2e.profiles import on_every_lms_profile  # noqa: F401 - runs on every profile
from tests.e2e.vendor_sims import attempts
from tests.e2e.vendor_sims import control
from tests.e2e.vendor_sims import launch_to
from tests.support.registration import register_by_hand
from tests.support.tokens import attempt_token

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e

LAUNCH_PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


@pytest.fixture
def other_lms(lms_profile: str) -> t.Iterator[SandboxLms]:
    """A second school's LMS, on its own origin."""
    served = serve_lms(profile=lms_profile)
    try:
        yield SandboxLms(served.url)
    finally:
        served.shutdown()


@pytest.fixture
def other_registration(other_lms: SandboxLms, tool: RunningTool) -> Registration:
    info, deployment_id = register_by_hand(other_lms, tool.platforms, tool.url)
    return Registration(info.record.client_id, deployment_id, info.record.issuer)


@pytest.fixture
def imocha(tool: RunningTool, serve: Callable[[Flask], ServedApp]) -> tuple[str, str]:
    """An iMocha simulator with one test, connected to the tool: (simulator URL, test id)."""
    sim = serve(create_imocha_app(api_key="im-secret"))
    services(tool.app).vendor_connections.add(
        "imocha", "imocha", {"api_key": "im-secret", "base_url": sim.url}
    )
    test = control(sim.url, "POST", "/sandbox/tests", {"name": "Python"})
    return sim.url, str(test["testId"])


def stored_rows(tool: RunningTool) -> dict[str, int]:
    with services(tool.app).sessions() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Attempt, LtiUser, LtiContext, ResourceLink)
        }


def invitations(sim_url: str) -> list[dict[str, t.Any]]:
    found: list[dict[str, t.Any]] = control(sim_url, "GET", "/sandbox/invitations")["invitations"]
    return found


def offered_to(tool: RunningTool, test_id: str, *issuers: str) -> int:
    service = services(tool.app).assessments
    return int(service.add(connection="imocha", test_id=test_id, platforms=issuers).id)


def test_an_assessment_of_one_school_is_refused_from_the_other_and_stores_nothing(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    other_lms: SandboxLms,
    other_registration: Registration,
    imocha: tuple[str, str],
) -> None:
    sim_url, test_id = imocha
    school_a = offered_to(tool, test_id, registration.issuer)
    other_course = other_lms.create_course(title="Chemistry 101")

    page = launch_to(SandboxBrowser(), other_lms, other_registration, other_course, school_a)

    assert page.status_code == 403, page.text
    assert "This assessment is not offered to this course&#39;s platform." in page.text
    assert f"assessment-bridge assessment show {school_a}" in page.text
    assert stored_rows(tool) == {
        "attempts": 0,
        "lti_users": 0,
        "lti_contexts": 0,
        "resource_links": 0,
    }
    assert invitations(sim_url) == []

    at_vendor = launch_to(SandboxBrowser(), lms, registration, course, school_a)

    (attempt,) = attempts(tool.app)
    assert at_vendor.status_code == 200 and at_vendor.url == attempt.redirect_url
    assert at_vendor.url.startswith(sim_url)
    assert len(invitations(sim_url)) == 1


def test_an_assessment_open_to_every_platform_launches_from_both_schools(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    other_lms: SandboxLms,
    other_registration: Registration,
    imocha: tuple[str, str],
) -> None:
    sim_url, test_id = imocha
    everyone = offered_to(tool, test_id)
    other_course = other_lms.create_course(title="Physics")

    launch_to(SandboxBrowser(), lms, registration, course, everyone)
    launch_to(SandboxBrowser(), other_lms, other_registration, other_course, everyone)

    both = attempts(tool.app)
    assert len(both) == 2 and all(attempt.vendor_ref for attempt in both)
    assert invitations(sim_url) != []


def back_links(page: requests.Response) -> list[str]:
    found = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>Back to the course</a>', page.text)
    return [html.unescape(href) for href in found]


def result_page_after_launch(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    test_id: str,
    return_url: str | None,
) -> requests.Response:
    """Launch the learner into an assessment (with ``return_url`` in the launch, or the
    LMS's own), then open the attempt's result page."""
    overrides = (
        {LAUNCH_PRESENTATION: {"document_target": "iframe", "return_url": return_url}}
        if return_url is not None
        else {}
    )
    assessment = services(tool.app).assessments.add(connection="imocha", test_id=test_id)
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
        custom={"assessment": str(assessment.id)},
        claim_overrides=overrides,
    )
    browser = SandboxBrowser()
    browser.run_launch(prepared["login_initiation"])
    (attempt,) = attempts(tool.app)
    return browser.get(f"{tool.url}/return/{attempt_token(tool.app, attempt)}/result")


def test_the_lms_return_url_is_the_back_link(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    imocha: tuple[str, str],
) -> None:
    page = result_page_after_launch(lms, tool, registration, course, imocha[1], None)

    assert page.status_code == 200, page.text
    assert back_links(page) == [f"{lms.url}/launch_return"]


@pytest.mark.parametrize(
    "return_url", ["javascript:alert(document.cookie)", "https://evil.example/course"]
)
def test_a_return_url_that_is_not_http_or_off_the_platform_site_is_no_link(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    imocha: tuple[str, str],
    return_url: str,
) -> None:
    page = result_page_after_launch(lms, tool, registration, course, imocha[1], return_url)

    assert page.status_code == 200, page.text
    assert back_links(page) == []
    assert return_url not in page.text


def test_a_return_url_on_an_origin_the_admin_allowed_is_the_back_link(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    other_lms: SandboxLms,
    imocha: tuple[str, str],
) -> None:
    """As Canvas, whose issuer is not the site its course pages are on."""
    tool.platforms.set_allowed_origins(registration.issuer, registration.client_id, [other_lms.url])
    course_page = f"{other_lms.url}/courses/7"

    page = result_page_after_launch(lms, tool, registration, course, imocha[1], course_page)

    assert page.status_code == 200, page.text
    assert back_links(page) == [course_page]


@pytest.mark.parametrize(
    "return_url", ["javascript:alert(document.cookie)", "https://evil.example/course"]
)
def test_the_learner_landing_page_links_back_only_to_the_platform_site(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    return_url: str,
) -> None:
    overrides = {LAUNCH_PRESENTATION: {"document_target": "iframe", "return_url": return_url}}
    landing = launch_as(lms, registration, course, course.learner_id, claim_overrides=overrides)
    own = launch_as(lms, registration, course, course.learner_id)

    assert landing.status_code == 200 and 'data-role="learner"' in landing.text
    assert back_links(landing) == [] and return_url not in landing.text
    assert back_links(own) == [f"{lms.url}/launch_return"]
