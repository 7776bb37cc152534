from __future__ import annotations

import typing as t

import pytest
import requests

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from tests.unit.sandbox.tooldouble import ToolDouble

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


@pytest.fixture
def members_url(lms: SandboxLms, course: SandboxCourse) -> str:
    for number in range(3):
        user = lms.add_user(f"Student {number}")
        lms.enrol(course.context_id, user["id"], ["Learner"])
    return f"{lms.url}/api/contexts/{course.context_id}/memberships"


def _get(url: str, token: str, accept: str = MEMBERSHIPS, **params: t.Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    return requests.get(url, headers=headers, params=params, timeout=10)


def test_members_are_paged_with_link_headers(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    members_url: str,
) -> None:
    token = tool.access_token(lms.url, NRPS_SCOPE)
    response = _get(members_url, token, limit=2)
    assert response.headers["Content-Type"] == MEMBERSHIPS
    first = response.json()
    assert first["id"] == members_url
    assert first["context"]["id"] == course.context_id
    assert len(first["members"]) == 2
    second = _get(response.links["next"]["url"], token)
    assert "limit=2" in response.links["next"]["url"]
    third = _get(second.links["next"]["url"], token)
    assert "Link" not in third.headers
    members = first["members"] + second.json()["members"] + third.json()["members"]
    assert len({m["user_id"] for m in members}) == 5
    learner = next(m for m in members if m["user_id"] == course.learner_id)
    assert learner["roles"] == [LEARNER]
    assert learner["status"] == "Active"
    assert learner["name"] == "Lea Learner"


@pytest.mark.parametrize(
    "role", ["Instructor", "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
)
def test_role_filter(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    members_url: str,
    role: str,
) -> None:
    token = tool.access_token(lms.url, NRPS_SCOPE)
    members = _get(members_url, token, role=role).json()["members"]
    assert [m["user_id"] for m in members] == [course.instructor_id]


def test_scope_and_media_type_are_enforced(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], members_url: str
) -> None:
    ags_only = tool.access_token(lms.url, "https://purl.imsglobal.org/spec/lti-ags/scope/score")
    assert _get(members_url, ags_only).status_code == 403
    token = tool.access_token(lms.url, NRPS_SCOPE)
    assert _get(members_url, token, accept="application/json").status_code == 406
    assert _get(members_url, token, limit=0).status_code == 400
