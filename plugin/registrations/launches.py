"""What a validated launch leaves behind: the user, course and placement it came from.

Other parts may refuse a launch before any of it is stored: each check added with
:meth:`LaunchRecorder.check_with` sees the :class:`LaunchSummary` first (the attempts part
checks there that the assessment a launch names is offered to its platform).
"""

from __future__ import annotations

import dataclasses
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from lti import claims
from lti.interfaces import PlatformRecord
from lti.launch import is_http_url
from lti.origins import on_site
from lti.roles import LaunchRole
from lti.roles import launch_role
from plugin.store.models import Deployment
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from plugin.store.models import utcnow
from plugin.store.upsert import upsert


@dataclasses.dataclass(frozen=True)
class LaunchSummary:
    """Who launched from where, for the landing page."""

    launch_id: str
    role: LaunchRole
    message_type: str
    user_name: str
    user_email: str
    user_subject: str
    given_name: str
    family_name: str
    context_title: str
    context_id: str
    resource_link_title: str
    resource_link_id: str
    platform: PlatformRecord
    custom: dict[str, str]
    #: ``launch_presentation.return_url`` when :func:`course_return_url` keeps it.
    return_url: str | None
    deployment_id: str = ""


#: Looks at a validated launch before anything of it is stored; what it raises refuses it.
LaunchCheck = t.Callable[[LaunchSummary], None]


def course_return_url(url: object, platform: PlatformRecord) -> str | None:
    """``url`` when it may be shown as "Back to the course": an http(s) URL on the launching
    platform's own site (its issuer's origin or one its admin allowed), else None.

    The return URL comes from the platform's signed launch, but a link to another site on
    our page would lend that site our standing with the learner.
    """
    # is_http_url also refuses whitespace and control characters, which on_site tolerates.
    if not isinstance(url, str) or not is_http_url(url):
        return None
    return url if on_site(url, platform.issuer, platform.allowed_origins) else None


class LaunchRecorder:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._checks: list[LaunchCheck] = []

    def check_with(self, check: LaunchCheck) -> None:
        """Run ``check`` on every launch before it is recorded (set up by ``init_app``)."""
        self._checks.append(check)

    def record(
        self, platform: PlatformRecord, launch_id: str, body: t.Mapping[str, t.Any]
    ) -> LaunchSummary:
        """Upsert the user, context and resource link of a validated launch, once every
        check has accepted it (a refused launch stores nothing)."""
        summary = _summary(platform, launch_id, body)
        for check in self._checks:
            check(summary)
        context = body.get(claims.CONTEXT) or {}
        link = body.get(claims.RESOURCE_LINK) or {}
        with self._sessions.begin() as session:
            if body.get("sub"):
                _upsert_user(session, platform, body)
            if context.get("id"):
                context_row = _upsert_context(session, platform, context)
                if link.get("id"):
                    _upsert_link(session, platform, context_row, link, body)
        return summary


def _summary(
    platform: PlatformRecord, launch_id: str, body: t.Mapping[str, t.Any]
) -> LaunchSummary:
    context = body.get(claims.CONTEXT) or {}
    link = body.get(claims.RESOURCE_LINK) or {}
    presentation = body.get(claims.LAUNCH_PRESENTATION) or {}
    return LaunchSummary(
        launch_id=launch_id,
        role=launch_role(body.get(claims.ROLES) or []),
        message_type=str(body.get(claims.MESSAGE_TYPE, "")),
        user_name=str(body.get("name") or body.get("given_name") or ""),
        user_email=str(body.get("email") or ""),
        user_subject=str(body.get("sub") or ""),
        given_name=str(body.get("given_name") or ""),
        family_name=str(body.get("family_name") or ""),
        context_title=str(context.get("title") or context.get("label") or ""),
        context_id=str(context.get("id") or ""),
        resource_link_title=str(link.get("title") or ""),
        resource_link_id=str(link.get("id") or ""),
        platform=platform,
        custom={str(k): str(v) for k, v in (body.get(claims.CUSTOM) or {}).items()},
        return_url=course_return_url(presentation.get("return_url"), platform),
        deployment_id=str(body.get(claims.DEPLOYMENT_ID) or ""),
    )


def _upsert_user(session: Session, platform: PlatformRecord, body: t.Mapping[str, t.Any]) -> None:
    upsert(
        session,
        LtiUser,
        keys={"platform_id": platform.id, "subject": str(body["sub"])},
        values={
            "name": str(body.get("name") or ""),
            "email": str(body.get("email") or ""),
            "last_launch_at": utcnow(),
        },
        keep_when_empty=("name", "email"),
    )


def _upsert_context(
    session: Session, platform: PlatformRecord, context: t.Mapping[str, t.Any]
) -> int:
    return upsert(
        session,
        LtiContext,
        keys={"platform_id": platform.id, "context_id": str(context["id"])},
        values={"title": str(context.get("title") or ""), "label": str(context.get("label") or "")},
        keep_when_empty=("title", "label"),
    )


def _upsert_link(
    session: Session,
    platform: PlatformRecord,
    context_row_id: int,
    link: t.Mapping[str, t.Any],
    body: t.Mapping[str, t.Any],
) -> None:
    deployment = session.scalar(
        select(Deployment.id).where(
            Deployment.platform_id == platform.id,
            Deployment.deployment_id == body.get(claims.DEPLOYMENT_ID),
        )
    )
    ags = body.get(claims.AGS_ENDPOINT) or {}
    upsert(
        session,
        ResourceLink,
        keys={"context_id": context_row_id, "resource_link_id": str(link["id"])},
        values={
            "deployment_id": deployment,
            "title": str(link.get("title") or ""),
            "lineitems_url": ags.get("lineitems") or "",
            "lineitem_url": ags.get("lineitem") or "",
            "ags_scopes": " ".join(ags.get("scope") or []),
        },
        keep_when_empty=("title", "lineitems_url", "lineitem_url", "ags_scopes"),
    )
