from __future__ import annotations

import pytest

from lti.roles import LaunchRole
from lti.roles import launch_role

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([M + "Learner"], LaunchRole.LEARNER),
        ([M + "Instructor"], LaunchRole.INSTRUCTOR),
        (["Instructor"], LaunchRole.INSTRUCTOR),
        ([M + "Administrator"], LaunchRole.INSTRUCTOR),
        ([M + "ContentDeveloper"], LaunchRole.INSTRUCTOR),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
            LaunchRole.INSTRUCTOR,
        ),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"],
            LaunchRole.INSTRUCTOR,
        ),
        ([M + "Learner", M + "Instructor"], LaunchRole.INSTRUCTOR),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"], LaunchRole.LEARNER),
        ([M + "Mentor"], LaunchRole.LEARNER),
        ([], LaunchRole.LEARNER),
    ],
)
def test_launch_role(roles: list[str], expected: LaunchRole) -> None:
    assert launch_role(roles) is expected
