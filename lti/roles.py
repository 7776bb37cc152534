"""Who is launching: learner or staff, decided from the LTI roles claim.

Staff are context Instructors, Administrators, Content Developers and Teaching
Assistants, and institution or system Administrators.  Everyone else,
including a launch with no recognised role, is treated as a learner: the least
privilege.
"""

from __future__ import annotations

import enum
import typing as t

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
STAFF_CONTEXT_ROLES = frozenset({"Instructor", "Administrator", "ContentDeveloper"})
STAFF_URIS = frozenset(
    {MEMBERSHIP + name for name in STAFF_CONTEXT_ROLES}
    | {
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
    }
)


class LaunchRole(enum.Enum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"


def launch_role(roles: t.Iterable[str]) -> LaunchRole:
    """Classify the roles claim (full URIs or the short context role names)."""
    for role in roles:
        if role in STAFF_URIS or role in STAFF_CONTEXT_ROLES:
            return LaunchRole.INSTRUCTOR
    return LaunchRole.LEARNER
