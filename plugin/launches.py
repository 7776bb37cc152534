"""What a validated launch leaves behind: the user, course and placement it came from."""

from __future__ import annotations

import dataclasses
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from lti import claims
from lti.interfaces import PlatformRecord
from lti.roles import LaunchRole
from lti.roles import launch_role
from plugin.store.models import Deployment
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from plugin.store.models import utcnow


@dataclasses.dataclass(frozen=True)
class LaunchSummary:
    """Who launched from where, for the landing page."""

    launch_id: str
    role: LaunchRole
    message_type: str
    user_name: str
    user_email: str
    user_subject: str
    context_title: str
    context_id: str
    resource_link_title: str
    resource_link_id: str
    platform_issuer: str
    custom: dict[str, str]
    return_url: str | None


class LaunchRecorder:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(
        self, platform: PlatformRecord, launch_id: str, body: t.Mapping[str, t.Any]
    ) -> LaunchSummary:
        """Upsert the user, context and resource link of a validated launch."""
        context = body.get(claims.CONTEXT) or {}
        link = body.get(claims.RESOURCE_LINK) or {}
        with self._sessions.begin() as session:
            self._upsert_user(session, platform, body)
            if context.get("id"):
                context_row = self._upsert_context(session, platform, context)
                if link.get("id"):
                    self._upsert_link(session, platform, context_row, link, body)
        presentation = body.get(claims.LAUNCH_PRESENTATION) or {}
        return LaunchSummary(
            launch_id=launch_id,
            role=launch_role(body.get(claims.ROLES) or []),
            message_type=str(body.get(claims.MESSAGE_TYPE, "")),
            user_name=str(body.get("name") or body.get("given_name") or ""),
            user_email=str(body.get("email") or ""),
            user_subject=str(body.get("sub") or ""),
            context_title=str(context.get("title") or context.get("label") or ""),
            context_id=str(context.get("id") or ""),
            resource_link_title=str(link.get("title") or ""),
            resource_link_id=str(link.get("id") or ""),
            platform_issuer=platform.issuer,
            custom={str(k): str(v) for k, v in (body.get(claims.CUSTOM) or {}).items()},
            return_url=presentation.get("return_url"),
        )

    @staticmethod
    def _upsert_user(
        session: Session, platform: PlatformRecord, body: t.Mapping[str, t.Any]
    ) -> None:
        subject = str(body.get("sub") or "")
        if not subject:
            return
        row = session.scalar(
            select(LtiUser).where(LtiUser.platform_id == platform.id, LtiUser.subject == subject)
        )
        if row is None:
            row = LtiUser(platform_id=platform.id, subject=subject)
            session.add(row)
        row.name = str(body.get("name") or row.name or "")
        row.email = str(body.get("email") or row.email or "")
        row.last_launch_at = utcnow()

    @staticmethod
    def _upsert_context(
        session: Session, platform: PlatformRecord, context: t.Mapping[str, t.Any]
    ) -> LtiContext:
        row = session.scalar(
            select(LtiContext).where(
                LtiContext.platform_id == platform.id, LtiContext.context_id == str(context["id"])
            )
        )
        if row is None:
            row = LtiContext(platform_id=platform.id, context_id=str(context["id"]))
            session.add(row)
        row.title = str(context.get("title") or row.title or "")
        row.label = str(context.get("label") or row.label or "")
        session.flush()
        return row

    @staticmethod
    def _upsert_link(
        session: Session,
        platform: PlatformRecord,
        context: LtiContext,
        link: t.Mapping[str, t.Any],
        body: t.Mapping[str, t.Any],
    ) -> None:
        deployment = session.scalar(
            select(Deployment).where(
                Deployment.platform_id == platform.id,
                Deployment.deployment_id == body.get(claims.DEPLOYMENT_ID),
            )
        )
        assert deployment is not None, "validated launches come from known deployments"
        row = session.scalar(
            select(ResourceLink).where(
                ResourceLink.context_id == context.id,
                ResourceLink.resource_link_id == str(link["id"]),
            )
        )
        if row is None:
            row = ResourceLink(
                context_id=context.id, resource_link_id=str(link["id"]), deployment_id=deployment.id
            )
            session.add(row)
        ags = body.get(claims.AGS_ENDPOINT) or {}
        row.title = str(link.get("title") or row.title or "")
        row.lineitems_url = ags.get("lineitems") or row.lineitems_url
        row.lineitem_url = ags.get("lineitem") or row.lineitem_url
        row.ags_scopes = " ".join(ags.get("scope") or []) or row.ags_scopes
