"""The one interface every vendor implements, and the values that cross it.

The rest of the application talks to vendors only through
:class:`VendorAdapter`.  A completion signal is only ever a trigger: the
authoritative result is what :meth:`VendorAdapter.fetch_result` returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import typing as t


@dataclasses.dataclass(frozen=True)
class Learner:
    """The person taking the assessment, as the vendor should know them."""

    external_id: str
    email: str
    given_name: str = ""
    family_name: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part) or self.email


@dataclasses.dataclass(frozen=True)
class StartRequest:
    """Everything needed to start (or resume) one attempt.

    :param attempt_token: our unguessable id of the attempt; the same token always
        denotes the same attempt, so a start is idempotent per token.
    :param return_url: where the vendor should send the browser when the learner finishes.
    :param callback_url: where the vendor should post its completion signal
        (carries the connection's secret).
    """

    attempt_token: str
    test_id: str
    learner: Learner
    return_url: str
    callback_url: str


@dataclasses.dataclass(frozen=True)
class StartedAttempt:
    """Where to send the learner and how the vendor refers to the attempt.

    Exactly one of ``redirect_url`` (send the browser there) and ``embed``
    (render our page embedding the vendor's player with these values) is set.
    """

    vendor_ref: str
    redirect_url: str | None = None
    embed: dict[str, t.Any] | None = None
    extra: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    #: When the ``embed`` stops working (ExamSpark: its SDK token's expiry); the attempt
    #: service starts at the vendor again before then rather than hand it out once more.
    fresh_until: dt.datetime | None = None


class SignalKind(enum.Enum):
    CALLBACK = "callback"
    WEBHOOK = "webhook"
    BROWSER_RETURN = "return"
    PLAYER_EVENT = "player"


@dataclasses.dataclass(frozen=True)
class IncomingRequest:
    """An HTTP request as the web layer received it, free of any framework."""

    method: str
    path: str
    headers: t.Mapping[str, str]
    query: t.Mapping[str, str]
    body: bytes
    url: str = ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@dataclasses.dataclass(frozen=True)
class CompletionSignal:
    """A trigger to fetch a result: which attempt, and what the vendor hinted.

    A vendor whose signal may not name the attempt's reference (Mettl's graded
    notification names the candidate and the assessment but not the schedule) leaves
    ``vendor_ref`` unset and gives ``candidate_email``: the attempt is then the one of
    the connection whose ``vendor_ref`` ends in ``/<candidate_email>``, narrowed by
    ``vendor_test_hint`` (the vendor's own id of what was taken) when several do.
    """

    kind: SignalKind
    vendor_ref: str | None = None
    attempt_token: str | None = None
    status_hint: str | None = None
    authenticated: bool = False
    candidate_email: str | None = None
    vendor_test_hint: str | None = None


@dataclasses.dataclass(frozen=True)
class RawResult:
    """The vendor's result document, exactly as fetched."""

    vendor_ref: str
    payload: dict[str, t.Any]
    fetched_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class ChangedAttempt:
    """An attempt a reconciliation listing named.

    :ivar raw: the full result, when the listing carries it (Mettl lists whole
        results), so the sync needs no second call.
    """

    vendor_ref: str
    changed_at: dt.datetime | None = None
    status: str | None = None
    raw: RawResult | None = None


@dataclasses.dataclass(frozen=True)
class ChangesPage:
    """One page of attempts changed since a cursor; ``next_cursor`` is opaque and stored."""

    items: tuple[ChangedAttempt, ...]
    next_cursor: str | None
    has_more: bool


@dataclasses.dataclass(frozen=True)
class VendorTest:
    id: str
    title: str
    description: str = ""
    duration_minutes: int | None = None


class AdminAction(enum.Enum):
    RETAKE = "retake"
    RESET = "reset"
    REOPEN = "reopen"
    REATTEMPT = "reattempt"
    CANCEL = "cancel"
    DELETE_RESULT = "delete_result"
    SEND_EMAIL = "send_email"


@dataclasses.dataclass(frozen=True)
class ActionOutcome:
    """What an admin action did; a new ``vendor_ref`` when the vendor issued one."""

    action: AdminAction
    vendor_ref: str
    message: str = ""


@dataclasses.dataclass(frozen=True)
class ConnectionReport:
    """What a connection check found, authentication apart from the catalogue read.

    :ivar auth_ok: the vendor accepted the credentials (it answered the read call).
    :ivar detail: when refused, the vendor's reason; else which account answered.
    :ivar catalogue: what was read (``3 tests``, ``workspace Sandbox district``); None
        when the answer was readable in no plausible form.
    :ivar problem: why the catalogue could not be read, or, beside a catalogue, why the
        connection cannot serve learners yet.
    :ivar warnings: answers read in a form other than the one our docs name.
    """

    auth_ok: bool
    detail: str
    catalogue: str | None = None
    problem: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.auth_ok and self.catalogue is not None and self.problem is None


class VendorAdapter(t.Protocol):
    """One vendor connection, ready to use."""

    kind: t.ClassVar[str]
    supported_actions: t.ClassVar[frozenset[AdminAction]]

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        """Enrol the learner (idempotent per ``attempt_token``) and say where to send them."""

    def parse_signal(self, request: IncomingRequest) -> CompletionSignal:
        """Authenticate what can be authenticated and extract the trigger.

        :raises plugin.vendors.errors.SignalRejectedError: bad signature or unusable payload.
        """

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        """The authoritative raw result of one attempt."""

    def list_changes(self, cursor: str | None) -> ChangesPage:
        """Attempts changed since ``cursor`` (None: from the beginning), one page."""

    def list_tests(self) -> list[VendorTest]:
        """The vendor's tests, for the deep-linking picker."""

    def perform(self, action: AdminAction, vendor_ref: str, *, test_id: str) -> ActionOutcome:
        """Run an admin action from :attr:`supported_actions`.

        :raises plugin.vendors.errors.VendorRefusedError: action unsupported or refused.
        """

    def check_connection(self) -> ConnectionReport:
        """One authenticated read call: were the credentials accepted, what was read.

        A refusal or an unreadable answer is reported, not raised; other vendor errors
        (unreachable, server error) are raised.
        """


@dataclasses.dataclass(frozen=True)
class CompletionUrls:
    """The tool's URLs a vendor test should use when a learner finishes it.

    :ivar notification_url: where the vendor posts its completion notifications (the
        connection's callback URL; it carries the callback token).
    :ivar exit_url: where the vendor sends the learner's browser after the test
        (``<base URL>/return/finished/<connection id>``).
    """

    notification_url: str
    exit_url: str


@t.runtime_checkable
class VendorConfigurer(t.Protocol):
    """An adapter that can point one of the vendor's tests at the tool by API (Mettl's
    Edit Schedule), so the admin pastes nothing. Adapters of vendors without such an
    API do not implement it."""

    def configure_test(self, test_id: str, urls: CompletionUrls) -> list[str]:
        """Set ``urls`` on test ``test_id``; idempotent.

        :returns: what was set, one line per setting, for people.
        :raises plugin.vendors.errors.VendorError: the vendor refused or failed.
        """
