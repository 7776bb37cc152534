"""Plain records held by the sandbox platform's in-memory state."""

from __future__ import annotations

import dataclasses
import typing as t

if t.TYPE_CHECKING:
    import datetime

JsonDict = dict[str, t.Any]


@dataclasses.dataclass
class Tool:
    """A registered tool (one OAuth client) and its deployments."""

    client_id: str
    name: str
    initiate_login_uri: str
    redirect_uris: list[str]
    jwks_uri: str
    target_link_uri: str
    deep_link_uri: str
    scopes: frozenset[str]
    deployment_ids: list[str]
    custom: dict[str, str] = dataclasses.field(default_factory=dict)
    registration: JsonDict | None = None
    active: bool = True


@dataclasses.dataclass
class Context:
    """A course offering."""

    id: str
    title: str
    label: str


@dataclasses.dataclass
class User:
    """A person known to the platform."""

    id: str
    name: str
    given_name: str
    family_name: str
    email: str


@dataclasses.dataclass
class ResourceLink:
    """A placement of a tool in a context, optionally bound to one line item."""

    id: str
    context_id: str
    title: str
    custom: dict[str, str]
    line_item_id: str | None = None
    url: str | None = None


@dataclasses.dataclass
class LineItem:
    """An AGS line item (a gradebook column).

    ``created_by`` is the client id of the tool that created it through AGS (``None`` for a
    column the teacher made); ``assignment_id`` the assignment a Canvas-like platform couples it
    to; ``submission_type`` Canvas's ``submission_type`` extension as the tool sent it.
    """

    id: str
    context_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None
    tag: str | None = None
    resource_link_id: str | None = None
    start_date_time: str | None = None
    end_date_time: str | None = None
    submission_type: JsonDict | None = None
    created_by: str | None = None
    assignment_id: str | None = None


@dataclasses.dataclass
class Score:
    """One score published by a tool for a user on a line item.

    ``held_at`` is the time later scores are compared against: the ``timestamp`` sent, or when
    the profile says so, the time the platform received the score.
    """

    line_item_id: str
    user_id: str
    timestamp: datetime.datetime
    body: JsonDict
    held_at: datetime.datetime


@dataclasses.dataclass
class PendingLaunch:
    """A launch prepared by the control API, waiting for the tool's authorization request."""

    id: str
    client_id: str
    deployment_id: str
    user_id: str
    context_id: str
    resource_link_id: str | None
    message_type: str
    roles: list[str]
    custom: dict[str, str]
    target_link_uri: str
    login_hint: str
    message_hint: str
    deep_link_data: str | None = None
    tamper: str | None = None
    remove_claims: list[str] | None = None
    claim_overrides: JsonDict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class AccessToken:
    """An OAuth2 bearer token issued by the token endpoint."""

    client_id: str
    scopes: frozenset[str]
    expires_at: float


@dataclasses.dataclass
class RegistrationToken:
    """A one-time initial access token for Dynamic Registration."""

    expires_at: float
    used: bool = False


@dataclasses.dataclass
class ContentItem:
    """A content item returned by a tool through Deep Linking."""

    context_id: str
    client_id: str
    item: JsonDict
    resource_link_id: str | None = None
