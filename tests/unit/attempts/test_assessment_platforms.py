"""Which platforms may launch an assessment: none listed means every registered one; an
issuer means each of its client ids; a client id or deployment narrows it."""

from __future__ import annotations

import typing as t

import pytest

from lti.roles import LaunchRole
from plugin.attempts.assessments import AssessmentError
from plugin.attempts.assessments import Tenant
from plugin.attempts.start import AttemptError
from plugin.registrations.launches import LaunchSummary
from tests.unit.attempts.tenants import SCHOOL_A
from tests.unit.attempts.tenants import SCHOOL_B
from tests.unit.attempts.tenants import Schools
from tests.unit.attempts.tenants import assessments
from tests.unit.attempts.tenants import two_schools

if t.TYPE_CHECKING:
    from flask import Flask

    from lti.interfaces import PlatformRecord


@pytest.fixture
def schools(app: Flask) -> Schools:
    return two_schools(app)


def offered(app: Flask, assessment_id: int, platform: PlatformRecord, deployment: str) -> bool:
    return assessments(app).offered_to(
        assessment_id, platform.issuer, platform.client_id, deployment
    )


def where_it_launches(app: Flask, schools: Schools, assessment_id: int) -> set[str]:
    """``client id/deployment`` of every known placement the assessment launches from."""
    placements = [(schools.a1, "d1"), (schools.a1, "d2"), (schools.a2, "d1"), (schools.b1, "d1")]
    return {
        f"{platform.client_id}/{deployment}"
        for platform, deployment in placements
        if offered(app, assessment_id, platform, deployment)
    }


def test_an_assessment_with_no_platform_is_offered_to_every_registered_one(
    app: Flask, schools: Schools
) -> None:
    info = assessments(app).add(connection=schools.connection, test_id="t1")

    assert info.platforms == ()
    assert where_it_launches(app, schools, info.id) == {"a-1/d1", "a-1/d2", "a-2/d1", "b-1/d1"}


def test_an_issuer_admits_each_of_its_client_ids_and_no_other_issuer(
    app: Flask, schools: Schools
) -> None:
    info = assessments(app).add(connection=schools.connection, test_id="t1", platforms=[SCHOOL_A])

    assert info.platforms == (Tenant(SCHOOL_A),)
    assert where_it_launches(app, schools, info.id) == {"a-1/d1", "a-1/d2", "a-2/d1"}


def test_a_client_id_or_a_deployment_narrows_the_platform(app: Flask, schools: Schools) -> None:
    service = assessments(app)
    by_client = service.add(connection=schools.connection, test_id="t1")
    by_deployment = service.add(connection=schools.connection, test_id="t2")

    service.assign(by_client.id, SCHOOL_A, client_id="a-2")
    shown = service.assign(by_deployment.id, SCHOOL_A, client_id="a-1", deployment_id="d2")

    assert shown.platforms == (Tenant(SCHOOL_A, "a-1", "d2"),)
    assert where_it_launches(app, schools, by_client.id) == {"a-2/d1"}
    assert where_it_launches(app, schools, by_deployment.id) == {"a-1/d2"}


def test_a_deployment_without_a_client_id_admits_it_under_every_client_id(
    app: Flask, schools: Schools
) -> None:
    service = assessments(app)
    info = service.add(connection=schools.connection, test_id="t1")

    service.assign(info.id, SCHOOL_A, deployment_id="d1")

    assert where_it_launches(app, schools, info.id) == {"a-1/d1", "a-2/d1"}


def test_assign_is_what_deep_linking_records_and_placing_twice_adds_one_row(
    app: Flask, schools: Schools
) -> None:
    service = assessments(app)
    info = service.add(connection=schools.connection, test_id="t1", platforms=[SCHOOL_B])

    service.assign(info.id, SCHOOL_A, "a-1", "d1")
    again = service.assign(info.id, SCHOOL_A, "a-1", "d1")

    assert again.platforms == (Tenant(SCHOOL_B), Tenant(SCHOOL_A, "a-1", "d1"))
    assert service.list()[0].platforms == again.platforms
    assert where_it_launches(app, schools, info.id) == {"a-1/d1", "b-1/d1"}


@pytest.mark.parametrize(
    ("issuer", "client_id", "deployment_id", "message"),
    [
        ("https://lms.unknown.example", None, None, "platform list"),
        (SCHOOL_A, "a-9", None, "no client id 'a-9'"),
        (SCHOOL_B, "b-1", "d9", "not a recorded deployment"),
        (SCHOOL_B, None, "d9", "not a recorded deployment"),
    ],
)
def test_only_registered_platforms_and_deployments_can_be_assigned(
    app: Flask,
    schools: Schools,
    issuer: str,
    client_id: str | None,
    deployment_id: str | None,
    message: str,
) -> None:
    service = assessments(app)
    info = service.add(connection=schools.connection, test_id="t1")

    with pytest.raises(AssessmentError, match=message):
        service.assign(info.id, issuer, client_id, deployment_id)

    assert service.get(info.id).platforms == ()


def test_creating_with_an_unknown_issuer_names_it_and_stores_nothing(
    app: Flask, schools: Schools
) -> None:
    service = assessments(app)

    with pytest.raises(AssessmentError) as refused:
        service.add(
            connection=schools.connection,
            test_id="t1",
            platforms=[SCHOOL_A, "https://typo.example"],
        )

    assert "'https://typo.example'" in str(refused.value)
    assert "assessment-bridge platform list" in str(refused.value)
    assert service.list() == []


def test_removing_the_last_platform_must_be_meant_as_opening_to_every_one(
    app: Flask, schools: Schools
) -> None:
    service = assessments(app)
    info = service.add(connection=schools.connection, test_id="t1", platforms=[SCHOOL_A, SCHOOL_B])

    assert service.unassign(info.id, SCHOOL_A).platforms == (Tenant(SCHOOL_B),)
    with pytest.raises(AssessmentError, match="--open-to-every-platform"):
        service.unassign(info.id, SCHOOL_B)
    with pytest.raises(AssessmentError, match="not offered to"):
        service.unassign(info.id, SCHOOL_B, client_id="b-1")
    assert where_it_launches(app, schools, info.id) == {"b-1/d1"}

    opened = service.unassign(info.id, SCHOOL_B, open_to_every_platform=True)

    assert opened.platforms == ()
    assert len(where_it_launches(app, schools, info.id)) == 4


def test_the_rule_of_an_unknown_assessment_is_an_error(app: Flask, schools: Schools) -> None:
    with pytest.raises(AssessmentError, match="no assessment with id 404"):
        offered(app, 404, schools.a1, "d1")


def summary_from(platform: PlatformRecord, assessment: str, deployment: str) -> LaunchSummary:
    return LaunchSummary(
        launch_id="launch-1",
        role=LaunchRole.LEARNER,
        message_type="LtiResourceLinkRequest",
        user_name="",
        user_email="",
        user_subject="learner-1",
        given_name="",
        family_name="",
        context_title="",
        context_id="course-1",
        resource_link_title="",
        resource_link_id="link-1",
        platform=platform,
        custom={"assessment": assessment},
        return_url=None,
        deployment_id=deployment,
    )


def test_the_launch_check_refuses_another_platform_with_a_hint_for_the_admin(
    app: Flask, schools: Schools
) -> None:
    service = assessments(app)
    info = service.add(connection=schools.connection, test_id="t1", platforms=[SCHOOL_A])

    with pytest.raises(AttemptError) as refused:
        service.check_launch(summary_from(schools.b1, str(info.id), "d1"))

    assert refused.value.status == 403
    assert str(refused.value) == "This assessment is not offered to this course's platform."
    assert f"`assessment-bridge assessment show {info.id}`" in refused.value.admin_hint
    assert SCHOOL_B in refused.value.admin_hint
    service.check_launch(summary_from(schools.a2, str(info.id), "d1"))


@pytest.mark.parametrize("named", ["", "abc", "²", "99999999999999999999", "404"])
def test_the_launch_check_leaves_launches_naming_no_known_assessment_alone(
    app: Flask, schools: Schools, named: str
) -> None:
    service = assessments(app)
    service.add(connection=schools.connection, test_id="t1", platforms=[SCHOOL_A])

    service.check_launch(summary_from(schools.b1, named, "d1"))
