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

    ``callback_token`` is the unguessable secret in the callback URL the vendor calls.
    """

    __tablename__ = "vendor_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    config_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    callback_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


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
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Attempt(Base):
    """One learner's attempt at an assessment from one placement.

    ``token`` is unguessable and names the attempt in return URLs; the vendor's
    own reference is ``vendor_ref``.
    """

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("assessment_id", "lti_user_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
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
    embed_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    return_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_signal_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


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
