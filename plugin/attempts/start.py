"""Starting attempts: a learner's launch becomes an attempt and a trip to the vendor.

A relaunch of the same learner, placement and assessment resumes the same
attempt (same token, same vendor reference): vendors that enrol idempotently per
token give the same link back, and a stored link is reused without a call (unless it
expires within the hour: an embedded player's login token does after 8 hours).  Once
the attempt's stored result is final, a relaunch goes to our result page instead:
the vendor would only show its "session closed" page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from lti.interfaces import PlatformRecord
from plugin.errors import AppError
from plugin.registrations.launches import LaunchSummary
from plugin.registrations.launches import course_return_url
from plugin.runtime.crypto import SecretBox
from plugin.runtime.tokens import new_token
from plugin.runtime.tokens import token_digest
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from plugin.store.models import utcnow
from plugin.sync.service import FINAL_STATUSES
from plugin.vendors.base import Learner
from plugin.vendors.base import StartedAttempt
from plugin.vendors.base import StartRequest
from plugin.vendors.connections import VendorConnectionService
from plugin.vendors.errors import VendorError

#: A relaunch whose stored embed expires sooner than this gets a new one from the vendor.
RENEW_BEFORE = dt.timedelta(hours=1)

#: What a learner is told when the vendor fails or refuses to open their attempt.
VENDOR_REFUSED = (
    "The assessment could not be opened at the vendor right now. Try again in a few minutes."
)


class AttemptError(AppError):
    """An attempt cannot be started.

    :param message: what failed, for the learner: shown.
    :param admin_hint: what an administrator can do about it, in our words: shown.
    :param detail: what the vendor answered (its wording may name accounts, candidates or
        internal hosts): logged under the refusal's error id, never shown.
    """

    def __init__(
        self, message: str, *, admin_hint: str = "", detail: str = "", status: int = 400
    ) -> None:
        super().__init__(message)
        self.admin_hint = admin_hint
        self.detail = detail
        self.status = status


@dataclasses.dataclass(frozen=True)
class AttemptDestination:
    """Where the learner goes: a vendor URL, our page embedding the vendor's player, or
    (``result_url``, for a finished attempt) our result page."""

    attempt_id: int
    token: str
    redirect_url: str | None
    embed: dict[str, t.Any] | None
    proctoring_url: str | None = None
    result_url: str | None = None


class AttemptService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        connections: VendorConnectionService,
        secrets_box: SecretBox,
        *,
        base_url: str,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._secrets = secrets_box
        self._base_url = base_url.rstrip("/")

    def return_url(self, token: str) -> str:
        return f"{self._base_url}/return/{token}"

    def result_url(self, token: str) -> str:
        return f"{self.return_url(token)}/result"

    def result_url_of(self, attempt_id: int) -> str | None:
        """The result page of attempt ``attempt_id`` (``None``: no such attempt)."""
        with self._sessions() as session:
            sealed = session.scalar(select(Attempt.token_encrypted).where(Attempt.id == attempt_id))
        return None if sealed is None else self.result_url(self._open(sealed))

    def start(self, launch: LaunchSummary, assessment_id: int) -> AttemptDestination:
        """Create or resume the learner's attempt and enrol them at the vendor; a finished
        attempt (final stored result) sends the learner to its result page instead.

        :raises AttemptError: unknown assessment, or the vendor refused (its reason in
            ``detail``).
        """
        platform = launch.platform
        attempt_id, token, assessment = self._attempt_row(platform, launch, assessment_id)
        stored = self._stored_destination(attempt_id)
        if stored is not None:
            return stored
        learner = Learner(
            external_id=learner_id(platform.id, launch.user_subject),
            email=launch.user_email,
            given_name=launch.given_name,
            family_name=launch.family_name,
        )
        started = self._start_at(assessment.connection_id, assessment.test_id, token, learner)
        proctoring = None
        if assessment.proctoring_connection_id and assessment.proctoring_exam_id:
            proctoring = self._start_at(
                assessment.proctoring_connection_id, assessment.proctoring_exam_id, token, learner
            )
        embed = self._player_embed(started, token)
        with self._sessions.begin() as session:
            row = session.get(Attempt, attempt_id)
            assert row is not None
            row.vendor_ref = started.vendor_ref
            row.redirect_url = started.redirect_url
            row.embed_encrypted = self._seal(json.dumps(embed)) if embed else None
            row.proctoring_ref = proctoring.vendor_ref if proctoring else None
            row.proctoring_url = proctoring.redirect_url if proctoring else None
            row.status = "started"
            row.updated_at = utcnow()
            return self._destination(row, token)

    def _stored_destination(self, attempt_id: int) -> AttemptDestination | None:
        """Where an earlier launch of this attempt leads now: the result page once the
        result is final, else the vendor link it stored (``None``: none yet, or a stored
        embed about to run out, which the vendor is asked to replace)."""
        with self._sessions() as session:
            row = session.get(Attempt, attempt_id)
            assert row is not None
            result = session.get(AttemptResult, attempt_id)
            token = self._open(row.token_encrypted)
            if result is not None and result.status in FINAL_STATUSES:
                result_url = self.result_url(token)
                return AttemptDestination(attempt_id, token, None, None, result_url=result_url)
            if row.vendor_ref and (row.redirect_url or row.embed_encrypted):
                destination = self._destination(row, token)
                if not _renewal_due(destination.embed):
                    return destination
        return None

    def renew_embed(self, token: str, embed_id: str) -> dict[str, t.Any] | None:
        """A new player embed for the attempt named by ``token``, whose vendor refused the
        one its page holds (``embed_id``); it is stored for later launches.

        Only the stored embed is renewed: a page holding an older one (another tab renewed
        it meanwhile) gets the stored embed without a vendor call, so repeating a request
        costs the vendor nothing.

        :returns: ``None`` when there is no such attempt or it has no embedded player.
        :raises AttemptError: the vendor failed or refused (its reason in ``detail``).
        """
        with self._sessions() as session:
            row = session.scalar(select(Attempt).where(Attempt.token_hash == token_digest(token)))
            if row is None or row.embed_encrypted is None:
                return None
            stored: dict[str, t.Any] = json.loads(self._open(row.embed_encrypted))
            if stored.get("embed_id") != embed_id:
                return stored
            user = session.get(LtiUser, row.lti_user_id)
            assessment = session.get(Assessment, row.assessment_id)
            assert user is not None and assessment is not None
            # The store keeps no given and family names; the vendor knows the learner by id.
            learner = Learner(learner_id(user.platform_id, user.subject), email=user.email)
            attempt_id, connection_id = row.id, assessment.connection_id
            test_id = assessment.test_id
        embed = self._player_embed(self._start_at(connection_id, test_id, token, learner), token)
        if embed is None:
            return None
        with self._sessions.begin() as session:
            row = session.get(Attempt, attempt_id)
            assert row is not None
            row.embed_encrypted = self._seal(json.dumps(embed))
            row.updated_at = utcnow()
        return embed

    def _player_embed(self, started: StartedAttempt, token: str) -> dict[str, t.Any] | None:
        """The embed to store: the player reports to our relay, never to the secret
        callback URL; ``embed_id`` names this embed to :meth:`renew_embed`, and
        ``fresh_until`` (ISO 8601) says when a relaunch must ask the vendor again."""
        if not started.embed:
            return None
        embed = dict(started.embed)
        embed["event_url"] = self.return_url(token)
        embed["embed_id"] = new_token(9)
        if started.fresh_until is not None:
            embed["fresh_until"] = started.fresh_until.isoformat()
        return embed

    def _seal(self, text: str) -> bytes:
        return self._secrets.encrypt(text.encode())

    def _open(self, sealed: bytes) -> str:
        return self._secrets.decrypt(sealed).decode()

    def _destination(self, row: Attempt, token: str) -> AttemptDestination:
        embed = json.loads(self._open(row.embed_encrypted)) if row.embed_encrypted else None
        return AttemptDestination(
            attempt_id=row.id,
            token=token,
            redirect_url=row.redirect_url,
            embed=embed,
            proctoring_url=row.proctoring_url,
        )

    def _start_at(
        self, connection_id: int, test_id: str, token: str, learner: Learner
    ) -> StartedAttempt:
        request = StartRequest(
            attempt_token=token,
            test_id=test_id,
            learner=learner,
            return_url=self.return_url(token),
            callback_url=self._connections.callback_url_for(connection_id),
        )
        try:
            return self._connections.adapter(connection_id).start_attempt(request)
        except VendorError as exc:
            raise AttemptError(
                VENDOR_REFUSED,
                admin_hint="The vendor's answer is in the tool's log under this error id.",
                detail=f"starting attempt {token[:6]} at connection {connection_id}: {exc}",
                status=502,
            ) from exc

    def _attempt_row(
        self, platform: PlatformRecord, launch: LaunchSummary, assessment_id: int
    ) -> tuple[int, str, Assessment]:
        with self._sessions.begin() as session:
            assessment = session.get(Assessment, assessment_id)
            if assessment is None:
                raise AttemptError(
                    f"This activity points at assessment {assessment_id}, which does not exist.",
                    admin_hint=(
                        "Check the activity's custom parameter assessment=<id>"
                        " (`assessment-bridge assessment list`)."
                    ),
                    status=404,
                )
            user_id, link_id = _placement(session, platform, launch)
            row = session.scalar(
                select(Attempt).where(
                    Attempt.assessment_id == assessment_id,
                    Attempt.lti_user_id == user_id,
                    Attempt.resource_link_id == link_id,
                )
            )
            if row is None:
                token = new_token(24)
                row = Attempt(
                    token_hash=token_digest(token),
                    token_encrypted=self._seal(token),
                    assessment_id=assessment_id,
                    lti_user_id=user_id,
                    resource_link_id=link_id,
                )
                session.add(row)
            else:
                token = self._open(row.token_encrypted)
            # Shown as "Back to the course" on the result page: http(s) on the platform's
            # own site only, whoever built the summary.
            row.return_url = course_return_url(launch.return_url, platform)
            session.flush()
            session.expunge(assessment)
            return row.id, token, assessment


def _renewal_due(embed: dict[str, t.Any] | None) -> bool:
    """Whether a stored embed runs out within :data:`RENEW_BEFORE` (a learner would be
    shown the vendor's refusal part-way through the exam)."""
    if not embed or "fresh_until" not in embed:
        return False
    fresh_until = dt.datetime.fromisoformat(embed["fresh_until"])
    return fresh_until - RENEW_BEFORE <= utcnow()


def _placement(
    session: Session, platform: PlatformRecord, launch: LaunchSummary
) -> tuple[int, int]:
    user_id = session.scalar(
        select(LtiUser.id).where(
            LtiUser.platform_id == platform.id, LtiUser.subject == launch.user_subject
        )
    )
    link_id = session.scalar(
        select(ResourceLink.id)
        .join(LtiContext, ResourceLink.context_id == LtiContext.id)
        .where(
            LtiContext.platform_id == platform.id,
            LtiContext.context_id == launch.context_id,
            ResourceLink.resource_link_id == launch.resource_link_id,
        )
    )
    if user_id is None or link_id is None:
        raise AttemptError(
            "The launch carries no user, course or resource link to attach an attempt to.",
            admin_hint="Launch the activity from a course placement.",
        )
    return user_id, link_id


def learner_id(platform_id: int, subject: str) -> str:
    """How vendors know an LMS user: stable per platform registration and ``sub``."""
    return f"lti-{platform_id}-{subject}"
