"""SQLAlchemy models of the store.

The database is the source of truth; caches and the job queue only hold copies
or wake-up calls.  Timestamps are stored as timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: object
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ToolKey(Base):
    """An RSA key pair the tool signs with; the private half is Fernet-encrypted.

    The state is derived from timestamps so rotation needs no scheduler: a key is
    published from ``created_at``, signs from ``signs_from`` (the newest such key
    wins) and leaves the JWKS at ``retires_at``.
    """

    __tablename__ = "tool_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_jwk: Mapped[str] = mapped_column(Text)
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    signs_from: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    retires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Platform(Base):
    """One LTI registration: an issuer and one of its client ids."""

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(512))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    key_set_url: Mapped[str] = mapped_column(String(1024))
    auth_audience: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    registered_via: Mapped[str] = mapped_column(String(32), default="manual")
    #: Space-separated origins, besides the issuer's own, that the platform's endpoints
    #: (login, token, key set) may live on; only an admin sets them.
    allowed_origins: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class Deployment(Base):
    """A deployment of the tool on a platform; inactive ones are refused at launch."""

    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_refused_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class RegistrationInvite(Base):
    """A one-time dynamic registration URL an admin minted (``platform registration-url``).

    Only the SHA-256 of the URL's token is stored.  ``used_at`` is set by the
    registration that consumed it, together with the platform it created.
    """

    __tablename__ = "registration_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    #: Space-separated origins the registering platform's endpoints may use besides its issuer's.
    allowed_origins: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platforms.id", ondelete="SET NULL"), nullable=True
    )


class LtiUser(Base):
    """A person as a platform identifies them (``sub``), refreshed on every launch."""

    __tablename__ = "lti_users"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    last_launch_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LtiContext(Base):
    """A course (LTI context) on a platform."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    label: Mapped[str] = mapped_column(String(255), default="")


class ResourceLink(Base):
    """A placement of the tool in a course, with the AGS endpoints the platform gave."""

    __tablename__ = "resource_links"
    __table_args__ = (UniqueConstraint("context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    lineitems_url: Mapped[str] = mapped_column(String(1024), default="")
    lineitem_url: Mapped[str] = mapped_column(String(1024), default="")
    ags_scopes: Mapped[str] = mapped_column(Text, default="")


class VendorConnection(Base):
    """Credentials for one vendor account; the whole config is Fernet-encrypted JSON.

    The callback token is the unguessable secret in the callback URL the vendor's
    servers call; the browser token is the weaker one in the URL a vendor sends the
    learner's browser to (it can only ask for a sync of the participant it names).
    Each is stored as its SHA-256 (compared on every request) and Fernet-encrypted
    (so ``vendor show`` can print the URL again); never in clear.
    """

    __tablename__ = "vendor_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    config_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    callback_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    callback_token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    browser_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser_token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: Signals that named no attempt we know: counted here instead of stored one by one.
    unmatched_signals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_unmatched_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Assessment(Base):
    """A vendor test offered through the tool, optionally proctored by a second connection."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    connection_id: Mapped[int] = mapped_column(ForeignKey("vendor_connections.id"))
    test_id: Mapped[str] = mapped_column(String(255))
    proctoring_connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_connections.id"), nullable=True
    )
    proctoring_exam_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: :class:`mappings.ags.ScorePolicy` fields as JSON; ``None`` means the defaults.
    score_policy_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Whether the tool may create its own gradebook column for a placement whose launch
    #: names none (by default only the activity's own line item is graded).
    create_line_item: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AssessmentPlatform(Base):
    """A tenant an assessment belongs to: an issuer, optionally narrowed to one client id
    and one deployment.  An assessment with no rows here is open to every registered
    platform (the admin's explicit choice); one with rows launches only from them.
    """

    __tablename__ = "assessment_platforms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(512))
    client_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    deployment_id: Mapped[str | None] = mapped_column(String(255), nullable=True)


class Attempt(Base):
    """One learner's attempt at an assessment from one placement.

    The attempt token is unguessable and names the attempt in return URLs; it is
    stored as its SHA-256 (looked up) and Fernet-encrypted (to build the URLs
    again), never in clear.  The vendor's own reference is ``vendor_ref``.
    """

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("assessment_id", "lti_user_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    lti_user_id: Mapped[int] = mapped_column(ForeignKey("lti_users.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE")
    )
    vendor_ref: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    proctoring_ref: Mapped[str | None] = mapped_column(String(255), nullable=True)
    proctoring_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="starting")
    redirect_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The player's settings as encrypted JSON: they carry the attempt's event URL.
    embed_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    return_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_signal_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: Set when a signal (or an action) asks for a sync; cleared by a sync that ran after it.
    sync_requested_at: Mapped[dt.datetime | None] = mapped_column(
        UtcDateTime, nullable=True, index=True
    )
    synced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    sync_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Signal(Base):
    """A completion signal as received: only ever a trigger to fetch the result."""

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_connections.id", ondelete="CASCADE")
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    vendor_ref: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status_hint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    authenticated: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AtsConnection(Base):
    """Credentials and field map of one applicant tracking system account.

    The config is Fernet-encrypted JSON; ``field_map_json`` is the planned map of
    :mod:`mappings.ats_map` (no secrets in it).
    """

    __tablename__ = "ats_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    config_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    field_map_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AssessmentAts(Base):
    """Which ATS connections receive an assessment's results."""

    __tablename__ = "assessment_ats"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    ats_connection_id: Mapped[int] = mapped_column(
        ForeignKey("ats_connections.id", ondelete="CASCADE"), primary_key=True
    )


class AtsCandidate(Base):
    """The ATS candidate id a learner was found under, so later writes skip the lookup."""

    __tablename__ = "ats_candidates"

    ats_connection_id: Mapped[int] = mapped_column(
        ForeignKey("ats_connections.id", ondelete="CASCADE"), primary_key=True
    )
    lti_user_id: Mapped[int] = mapped_column(
        ForeignKey("lti_users.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[str] = mapped_column(String(64))


class AtsFieldWrite(Base):
    """The value an ATS last accepted for one field of one candidate (a digest of the
    wire element, :attr:`mappings.ats.FieldWrite.value_hash`), so that a retried or later
    delivery writes only what changed or failed."""

    __tablename__ = "ats_field_writes"

    ats_connection_id: Mapped[int] = mapped_column(
        ForeignKey("ats_connections.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    field_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value_hash: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AttemptResult(Base):
    """The latest authoritative result of an attempt.

    ``raw_encrypted`` is the vendor's document as fetched (Fernet); ``canonical_json``
    the mapped :class:`mappings.result.AssessmentResult`; ``version`` grows by one each
    time the digest changes, and deliveries name the version they carry.
    """

    __tablename__ = "attempt_results"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    raw_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    canonical_json: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LineItemLink(Base):
    """The gradebook column (AGS line item URL) an assessment uses at a resource link."""

    __tablename__ = "line_item_links"

    resource_link_id: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE"), primary_key=True
    )
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(String(1024))


class Delivery(Base):
    """One result version to send to one target: the outbox of :mod:`plugin.outbox.deliveries`.

    ``target`` is ``"lms"`` or ``"ats:<connection id>"``.  ``status`` moves
    pending -> sending -> delivered | failed (retried at ``next_try_at``) | dead;
    a newer version for the same target marks older unsent ones ``superseded``.
    ``lease_until`` bounds a ``sending`` claim, so a worker killed mid-delivery
    leaves a claim the sweep takes back.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("attempt_id", "target", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(64))
    ats_connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("ats_connections.id", ondelete="CASCADE"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer)
    payload_json: Mapped[str] = mapped_column(Text)
    payload_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    receipt: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class DeliveryTry(Base):
    """One try of a delivery, kept for people to read (``sync show``)."""

    __tablename__ = "delivery_tries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SyncCursor(Base):
    """Where reconciliation of a vendor connection got to (the vendor's opaque cursor)."""

    __tablename__ = "sync_cursors"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_connections.id", ondelete="CASCADE"), primary_key=True
    )
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class KeyCanary(Base):
    """One value encrypted with the configured keys at first start: every process opens it
    at start, so wrong ``BRIDGE_SECRET_KEYS`` stop the process instead of failing later."""

    __tablename__ = "key_canary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
