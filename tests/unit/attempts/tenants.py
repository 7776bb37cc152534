"""Two schools' platforms, a vendor connection, and launch bodies from either school, for
the tests of who may launch an assessment."""

from __future__ import annotations

import dataclasses
import typing as t

from lti import claims
from plugin.registrations.platforms import NewPlatform
from plugin.services import services

if t.TYPE_CHECKING:
    from flask import Flask

    from lti.interfaces import PlatformRecord
    from plugin.attempts.assessments import AssessmentService

SCHOOL_A = "https://lms.school-a.example"
SCHOOL_B = "https://lms.school-b.example"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@dataclasses.dataclass(frozen=True)
class Schools:
    """School A registered twice (client ids ``a-1`` with deployments ``d1`` and ``d2``,
    ``a-2`` with ``d1``), school B once (``b-1``, ``d1``), and a Mettl connection ``m``."""

    a1: PlatformRecord
    a2: PlatformRecord
    b1: PlatformRecord
    connection: str = "m"


def register(
    app: Flask, issuer: str, client_id: str, deployments: tuple[str, ...] = ("d1",), **more: t.Any
) -> PlatformRecord:
    info = services(app).platforms.add(
        NewPlatform(
            issuer=issuer,
            client_id=client_id,
            auth_login_url=f"{issuer}/auth",
            auth_token_url=f"{issuer}/token",
            key_set_url=f"{issuer}/jwks",
            deployment_ids=deployments,
            **more,
        )
    )
    return info.record


def two_schools(app: Flask) -> Schools:
    services(app).vendor_connections.add(
        "mettl", "m", {"public_key": "pub", "private_key": "secret-key"}
    )
    return Schools(
        a1=register(app, SCHOOL_A, "a-1", ("d1", "d2")),
        a2=register(app, SCHOOL_A, "a-2"),
        b1=register(app, SCHOOL_B, "b-1"),
    )


def assessments(app: Flask) -> AssessmentService:
    service: AssessmentService = services(app).assessments
    return service


def launch_body(
    assessment_id: int | str | None,
    *,
    deployment_id: str = "d1",
    role: str = LEARNER,
    return_url: str | None = None,
    user: str = "learner-1",
) -> dict[str, t.Any]:
    """The claims of a validated resource link launch into ``assessment_id``."""
    body: dict[str, t.Any] = {
        "sub": user,
        "name": "Ada Lovelace",
        "email": "ada@example.edu",
        claims.MESSAGE_TYPE: "LtiResourceLinkRequest",
        claims.DEPLOYMENT_ID: deployment_id,
        claims.ROLES: [role],
        claims.CONTEXT: {"id": "course-1", "title": "Chemistry"},
        claims.RESOURCE_LINK: {"id": "link-1", "title": "Final"},
        claims.CUSTOM: {} if assessment_id is None else {"assessment": str(assessment_id)},
    }
    if return_url is not None:
        body[claims.LAUNCH_PRESENTATION] = {"return_url": return_url}
    return body
