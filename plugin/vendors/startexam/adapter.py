"""StartExam behind the :class:`plugin.vendors.base.VendorAdapter` interface.

- Start: register one participant (``POST /v2/participants``) and send the learner
  to the link built from ``candidate_url_template``.
- Completion: StartExam redirects the learner's browser to the callback URL set in
  the test's settings (the connection's browser URL), adding ``participantId`` as a
  query parameter (https://api.startexam.com/Methods/GetSessionReportV2). Nothing is
  signed, so the signal is an unauthenticated trigger and the result is always fetched.
- Reconciliation: ``GET /v2/sessions`` paged by continuation token
  (:mod:`plugin.vendors.startexam.cursor`).
- Admin action: a retake registers the participant again (StartExam has no retake
  call; the new participant id is the new attempt reference).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import threading
import time
import typing as t
import uuid

from plugin.vendors.base import ActionOutcome
from plugin.vendors.base import AdminAction
from plugin.vendors.base import ChangedAttempt
from plugin.vendors.base import ChangesPage
from plugin.vendors.base import CompletionSignal
from plugin.vendors.base import ConnectionReport
from plugin.vendors.base import RawResult
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartedAttempt
from plugin.vendors.base import VendorTest
from plugin.vendors.common import checked
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.startexam.client import StartExamClient
from plugin.vendors.startexam.cursor import SessionsCursor
from plugin.vendors.startexam.errors import VENDOR

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

    import requests

    from plugin.vendors.base import IncomingRequest
    from plugin.vendors.base import Learner
    from plugin.vendors.base import StartRequest
    from plugin.vendors.startexam.config import StartExamConfig

#: The participant fields of the seed's example report; a test's settings define the
#: real names, so they can be changed per adapter.
DEFAULT_PARTICIPANT_FIELDS: Mapping[str, str] = {
    "First Name": "given_name",
    "Last Name": "family_name",
    "Email": "email",
}
_REMEMBERED_STARTS = 4096

logger = logging.getLogger(__name__)


class StartExamAdapter:
    """One StartExam connection.

    :param config: the connection's settings.
    :param session: pooled HTTP session (a fresh one by default).
    :param clock: seconds since the epoch (``Date`` headers, link validity, fetch times).
    :param link_validity: how long a candidate link stays valid (``validTill``).
    :param participant_fields: StartExam field name -> :class:`Learner` attribute.
    """

    kind: t.ClassVar[str] = VENDOR
    supported_actions: t.ClassVar[frozenset[AdminAction]] = frozenset({AdminAction.RETAKE})

    def __init__(
        self,
        config: StartExamConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        link_validity: dt.timedelta = dt.timedelta(days=7),
        participant_fields: Mapping[str, str] = DEFAULT_PARTICIPANT_FIELDS,
    ) -> None:
        self.config = config
        self.client = StartExamClient(config, session=session, clock=clock)
        self._session = session
        self._clock = clock
        self._link_validity = link_validity
        self._fields = dict(participant_fields)
        self._guard = threading.Lock()
        self._token_locks: dict[str, threading.Lock] = {}
        self._started: collections.OrderedDict[str, StartedAttempt] = collections.OrderedDict()

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        """Register the learner for the test and return the candidate link.

        StartExam has no idempotency key, so a repeated start for the same attempt token
        is answered from memory for the life of this adapter; across processes the caller
        reuses the stored reference and link.
        """
        with self._guard:
            lock = self._token_locks.setdefault(request.attempt_token, threading.Lock())
        with lock:
            known = self._remembered(request.attempt_token)
            if known is not None:
                return known
            now = self._clock()
            (participant_id,) = self.client.register_participants(
                tests=[request.test_id],
                participants=[self._participant(request.learner)],
                valid_from=_iso(now),
                valid_till=_iso(now + self._link_validity.total_seconds()),
            )
            started = StartedAttempt(
                vendor_ref=participant_id,
                redirect_url=self.config.candidate_url(participant_id, request.test_id),
            )
            self._remember(request.attempt_token, started)
            return started

    def parse_signal(self, request: IncomingRequest) -> CompletionSignal:
        """Read the browser redirect StartExam makes at the end of a session.

        :raises SignalRejectedError: not a GET, or no valid ``participantId``.
        """
        if request.method.upper() not in ("GET", "HEAD"):
            raise SignalRejectedError("StartExam returns learners with a GET redirect", status=405)
        value = request.query.get("participantId", "")
        try:
            participant_id = str(uuid.UUID(value))
        except ValueError as exc:
            raise SignalRejectedError("StartExam callback without a valid participantId") from exc
        return CompletionSignal(
            kind=SignalKind.BROWSER_RETURN, vendor_ref=participant_id, authenticated=False
        )

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        """The session report of the participant (``GET /v2/session``)."""
        payload = self.client.get_session(vendor_ref)
        return RawResult(vendor_ref=vendor_ref, payload=payload, fetched_at=self._now())

    def list_changes(self, cursor: str | None) -> ChangesPage:
        """One page of sessions modified since the cursor (see :mod:`.cursor`).

        A continuation token StartExam refuses (used or expired) restarts the listing
        from the cursor's ``modifiedSince``; sessions seen twice are harmless.
        """
        position = SessionsCursor.decode(cursor)
        try:
            page = self.client.list_sessions(
                modified_since=position.modified_since,
                continuation_token=position.continuation_token,
            )
        except VendorRefusedError:
            if position.continuation_token is None:
                raise
            logger.warning("StartExam refused a continuation token; restarting the listing")
            page = self.client.list_sessions(modified_since=position.modified_since)
        items = tuple(_changed(session) for session in page["sessions"])
        token = page.get("continuationToken")
        if token:
            following = SessionsCursor(position.modified_since, str(token))
            return ChangesPage(items=items, next_cursor=following.encode(), has_more=True)
        done = SessionsCursor(str(page["modifiedUntil"]))
        return ChangesPage(items=items, next_cursor=done.encode(), has_more=False)

    def list_tests(self) -> list[VendorTest]:
        """The account's active tests and surveys (``GET /v1/tests?status=active``)."""
        return [_vendor_test(test) for test in self.client.list_tests(status="active")]

    def perform(self, action: AdminAction, vendor_ref: str, *, test_id: str) -> ActionOutcome:
        """Retake: register the participant again with the data of their last session.

        :raises VendorRefusedError: another action, or no participant data to register again.
        """
        if action is not AdminAction.RETAKE:
            raise VendorRefusedError(f"StartExam does not support {action.value}", vendor=VENDOR)
        report = self.client.get_session(vendor_ref)
        person = {
            str(item["name"]): "" if item.get("value") is None else str(item["value"])
            for item in report.get("participantData") or ()
            if isinstance(item, dict) and item.get("name")
        }
        if not person:
            raise VendorRefusedError(
                f"cannot retake participant {vendor_ref}: StartExam holds no participant data",
                vendor=VENDOR,
            )
        now = self._clock()
        (participant_id,) = self.client.register_participants(
            tests=[test_id],
            participants=[person],
            valid_from=_iso(now),
            valid_till=_iso(now + self._link_validity.total_seconds()),
        )
        link = self.config.candidate_url(participant_id, test_id)
        return ActionOutcome(action, participant_id, f"registered again; new link {link}")

    def check_connection(self) -> ConnectionReport:
        """Read the test list (each a test with an id); when refused, say whether the other
        key encoding works."""
        return checked(self._read_catalogue)

    def _read_catalogue(self) -> ConnectionReport:
        try:
            read = self.client.read_tests()
        except AuthError as exc:
            hint = self._encoding_hint()
            if hint is None:
                raise
            raise AuthError(
                f"{exc.message} {hint}",
                vendor=VENDOR,
                status=exc.status,
                request_id=exc.request_id,
                body_excerpt=exc.body_excerpt,
            ) from exc
        active = sum(1 for test in read.value if test.get("status") == "active")
        return ConnectionReport(
            auth_ok=True,
            detail=f"StartExam account {self.config.account_id} (center {self.config.center})",
            catalogue=f"{len(read.value)} tests, {active} active",
            warnings=read.warnings,
        )

    def candidate_url(self, participant_id: str, test_id: str = "") -> str:
        """The learner's link for an already registered participant."""
        return self.config.candidate_url(participant_id, test_id)

    def _encoding_hint(self) -> str | None:
        other = "base64" if self.config.key_encoding == "raw" else "raw"
        try:
            trial = dataclasses.replace(self.config, key_encoding=other)
            trial.key_bytes()
            StartExamClient(trial, session=self._session, clock=self._clock).list_tests()
        except (ValueError, VendorError):
            return None
        return f"The secret key works with key_encoding={other}: change that setting."

    def _participant(self, learner: Learner) -> dict[str, str]:
        return {name: str(getattr(learner, attribute)) for name, attribute in self._fields.items()}

    def _remembered(self, token: str) -> StartedAttempt | None:
        with self._guard:
            return self._started.get(token)

    def _remember(self, token: str, started: StartedAttempt) -> None:
        with self._guard:
            self._started[token] = started
            while len(self._started) > _REMEMBERED_STARTS:
                oldest, _ = self._started.popitem(last=False)
                self._token_locks.pop(oldest, None)

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), dt.UTC)


def _changed(session: t.Any) -> ChangedAttempt:
    if not isinstance(session, dict) or not session.get("participantId"):
        raise InvalidResponseError("a listed session has no participantId", vendor=VENDOR)
    if session.get("isFinished"):
        status = "finished"
    elif session.get("autoClosed"):
        status = "autoClosed"
    else:
        status = "started" if session.get("started") else "registered"
    return ChangedAttempt(vendor_ref=str(session["participantId"]), status=status)


def _vendor_test(test: Mapping[str, t.Any]) -> VendorTest:
    return VendorTest(
        id=str(test["testId"]),
        title=str(test.get("title") or test["testId"]),
        description=str(test.get("description") or ""),
        duration_minutes=_minutes(test.get("time")),
    )


def _minutes(value: object) -> int | None:
    """Whole minutes (rounded up) of an ``HH:MM:SS`` time limit."""
    if not isinstance(value, str):
        return None
    try:
        hours, minutes, seconds = (int(part) for part in value.split(":"))
    except ValueError:
        return None
    return hours * 60 + minutes + (1 if seconds else 0)


def _iso(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
