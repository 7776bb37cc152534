"""ExamSpark (Campfire Learning) behind the :class:`~plugin.vendors.base.VendorAdapter` interface.

Readings chosen where the documentation is silent:

* One exam session per attempt: ``resource_link_id`` and ``lis_result_sourcedid`` are the
  attempt token, so the vendor's deterministic session id makes a start idempotent per
  token, and a grade passback names the attempt.
* The learner is sent in by our page embedding the SDK Exam Player
  (https://docs.campfirelearning.com/developers/sdk/components/exam-player); see
  :meth:`ExamSparkAdapter.start_attempt` for what the page gets.
* Reconciliation cannot ask for "changed since": the list has no such filter.  Each pass
  walks every session of the workspace; the caller re-fetches those it still has open.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import typing as t

from plugin.vendors.base import ActionOutcome
from plugin.vendors.base import AdminAction
from plugin.vendors.base import ChangedAttempt
from plugin.vendors.base import ChangesPage
from plugin.vendors.base import ConnectionReport
from plugin.vendors.base import RawResult
from plugin.vendors.base import StartedAttempt
from plugin.vendors.base import VendorTest
from plugin.vendors.common import checked
from plugin.vendors.errors import CursorError
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.examspark.client import ExamSparkClient
from plugin.vendors.examspark.config import SDK_PIN_REQUIRED
from plugin.vendors.examspark.cursor import PageCursor
from plugin.vendors.examspark.errors import VENDOR
from plugin.vendors.examspark.errors import PageTokenRejectedError
from plugin.vendors.examspark.models import SessionRequest
from plugin.vendors.examspark.signals import SUBMITTED_EVENTS
from plugin.vendors.examspark.signals import SignalReader
from plugin.vendors.examspark.verification import OAuthVerifier

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests

    from plugin.vendors.base import CompletionSignal
    from plugin.vendors.base import IncomingRequest
    from plugin.vendors.base import Learner
    from plugin.vendors.base import StartRequest
    from plugin.vendors.errors import SignalRejectedError
    from plugin.vendors.examspark.config import ExamSparkConfig
    from plugin.vendors.examspark.models import SdkToken
    from plugin.vendors.examspark.signals import SignalAnswer
    from plugin.vendors.examspark.verification import NonceStore

logger = logging.getLogger(__name__)

_MAX_CATALOGUE_PAGES = 50


class ExamSparkAdapter:
    """One ExamSpark connection.

    :param nonce_store: where passback nonces are remembered: the application's shared
        store, seen by every worker and host (a store per process would let each worker
        accept a replayed passback once).
    :param nonce_scope: names the connection in the nonce keys.
    """

    kind: t.ClassVar[str] = "examspark"
    supported_actions: t.ClassVar[frozenset[AdminAction]] = frozenset(
        {AdminAction.RETAKE, AdminAction.RESET, AdminAction.REOPEN}
    )

    def __init__(
        self,
        config: ExamSparkConfig,
        *,
        nonce_store: NonceStore,
        nonce_scope: str = "",
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.client = ExamSparkClient(config, session=session, clock=clock)
        self._clock = clock
        verifier = OAuthVerifier(
            consumer_key=config.app_key,
            consumer_secret=config.app_secret,
            nonces=nonce_store,
            window_s=config.oauth_timestamp_window_s,
            nonce_scope=nonce_scope,
            clock=clock,
        )
        self._signals = SignalReader(verifier, config.outcome_format)

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        """Create (or find) the attempt's exam session and log in to the SDK.

        ``embed`` holds what our player page needs: ``script_url`` (the SDK bundle),
        ``component`` (``ExamPlayer``), ``options`` (passed to the component: ``auth``,
        ``id``, ``user_id``, ``resource_link_id``), ``auth_expires_at``, ``exam_session_id``,
        ``exam_config_id``, ``event_url`` (where the page POSTs the ``submitted`` event, see
        :mod:`plugin.vendors.examspark.signals`), ``submitted_events``, ``return_url`` and
        ``script_integrity`` (the bundle's subresource-integrity hash).  ``fresh_until`` is
        the SDK token's expiry: a relaunch near it starts here again for a new token.

        :raises VendorRefusedError: before any call, while the connection has no pinned
            SDK bundle (:data:`~plugin.vendors.examspark.config.SDK_PIN_REQUIRED`).
        """
        if not self.config.sdk_pinned:
            raise VendorRefusedError(SDK_PIN_REQUIRED, vendor=VENDOR)
        user_id = self._user_id(request.learner)
        envelope = self.client.create_session(
            SessionRequest(
                exam_config_id=request.test_id,
                user_id=user_id,
                resource_link_id=request.attempt_token,
                given_name=request.learner.given_name,
                family_name=request.learner.family_name,
                person_sourcedid=request.learner.external_id,
                outcome_service_url=request.callback_url,
                result_sourcedid=request.attempt_token,
            )
        )
        session = envelope["examSession"]
        token = self.client.sdk_login(self._login_email(request.learner))
        return StartedAttempt(
            vendor_ref=session["id"],
            embed=self._embed(request, session_id=session["id"], user_id=user_id, token=token),
            extra={"maturity": session.get("maturity")},
            fresh_until=dt.datetime.fromtimestamp(token.expires_at, dt.UTC),
        )

    def _embed(
        self, request: StartRequest, *, session_id: str, user_id: str, token: SdkToken
    ) -> dict[str, t.Any]:
        options = {
            "auth": token.auth,
            "id": request.test_id,
            "user_id": user_id,
            "resource_link_id": request.attempt_token,
        }
        return {
            "script_url": self.config.sdk_script_url,
            "script_integrity": self.config.sdk_script_integrity,
            "component": "ExamPlayer",
            "options": options,
            "auth_expires_at": _iso(token.expires_at),
            "exam_session_id": session_id,
            "exam_config_id": request.test_id,
            "event_url": request.callback_url,
            "submitted_events": sorted(SUBMITTED_EVENTS),
            "return_url": request.return_url,
        }

    def parse_signal(self, request: IncomingRequest) -> CompletionSignal:
        """Read a player event or a grade passback (see :mod:`~.signals`)."""
        return self._signals.parse(request)

    def signal_answer(
        self, request: IncomingRequest, rejected: SignalRejectedError | None
    ) -> SignalAnswer:
        """The body to answer a signal with (POX for a POX passback, JSON otherwise)."""
        return self._signals.answer(request, rejected)

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        """The exam session with ``include[]=results&include[]=responses``."""
        payload = self.client.get_session(vendor_ref)
        return RawResult(
            vendor_ref=vendor_ref,
            payload=payload,
            fetched_at=dt.datetime.fromtimestamp(self._clock(), dt.UTC),
        )

    def list_changes(self, cursor: str | None) -> ChangesPage:
        """One page of the workspace's sessions.

        The cursor is ``{"v": 1, "nextToken": "<vendor token>"}`` as JSON.  ``next_cursor``
        is None after the last page: the next call starts a new pass.  A refused (expired)
        page token or an unreadable cursor restarts the pass from the first page, which is
        safe because listing only triggers re-fetches.
        """
        try:
            token = PageCursor.decode(cursor).next_token
        except CursorError:
            logger.warning("examspark cursor unreadable; restarting the session listing")
            token = None
        try:
            page = self.client.list_sessions(next_token=token, limit=self.config.page_size)
        except PageTokenRejectedError:
            logger.warning("examspark page token refused; restarting the session listing")
            page = self.client.list_sessions(limit=self.config.page_size)
        items = tuple(_changed(item) for item in page.items)
        next_cursor = PageCursor(page.next_token).encode() if page.next_token else None
        return ChangesPage(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)

    def list_tests(self) -> list[VendorTest]:
        """Every exam config of every exam (the player is launched on an exam config)."""
        tests: list[VendorTest] = []
        token: str | None = None
        for _ in range(_MAX_CATALOGUE_PAGES):
            page = self.client.list_tests(next_token=token)
            for item in page.items:
                tests.extend(_tests_of(item))
            token = page.next_token
            if token is None:
                return tests
        logger.warning("examspark exam catalogue longer than %d pages", _MAX_CATALOGUE_PAGES)
        return tests

    def perform(self, action: AdminAction, vendor_ref: str, *, test_id: str) -> ActionOutcome:
        """Retake, reset or reopen an exam session."""
        handlers = {
            AdminAction.RETAKE: self.client.retake,
            AdminAction.RESET: self.client.reset,
            AdminAction.REOPEN: self.client.reopen,
        }
        if action not in handlers:
            raise VendorRefusedError(f"ExamSpark has no {action.value} action", vendor=VENDOR)
        envelope = handlers[action](vendor_ref)
        maturity = envelope["examSession"].get("maturity", "unknown")
        return ActionOutcome(
            action=action,
            vendor_ref=vendor_ref,
            message=f"{action.value} done; the session is now {maturity}",
        )

    def check_connection(self) -> ConnectionReport:
        """Read the workspace with the app key and secret; it must name its id."""
        return checked(self._read_workspace)

    def _read_workspace(self) -> ConnectionReport:
        read = self.client.get_workspace()
        name = read.value.get("name") or read.value["id"]
        # The credentials may work while no learner can start: say so before a learner does.
        unpinned = (
            f"no learner can start an exam yet: {SDK_PIN_REQUIRED}"
            " (`assessment-bridge vendor update NAME --set sdk_script_url=..."
            " --set sdk_script_integrity=...`)"
        )
        return ConnectionReport(
            auth_ok=True,
            detail=f"ExamSpark app key for workspace {self.config.workspace_id}",
            catalogue=f"workspace {name!s} ({self.config.workspace_id})",
            problem=None if self.config.sdk_pinned else unpinned,
            warnings=read.warnings,
        )

    def _user_id(self, learner: Learner) -> str:
        if self.config.user_id_source == "email":
            if not learner.email:
                raise VendorRefusedError(
                    "the learner has no e-mail address (user_id_source=email)", vendor=VENDOR
                )
            return learner.email
        return learner.external_id

    def _login_email(self, learner: Learner) -> str:
        email = self.config.sdk_login_email or learner.email
        if not email:
            raise VendorRefusedError(
                "the learner has no e-mail address for the SDK login; set sdk_login_email "
                "on the connection or let the LMS share e-mail addresses",
                vendor=VENDOR,
            )
        return email


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="seconds")


def _changed(item: dict[str, t.Any]) -> ChangedAttempt:
    session = item.get("examSession")
    if not isinstance(session, dict) or not isinstance(session.get("id"), str):
        raise InvalidResponseError(
            "list exam sessions: an item has no examSession id", vendor=VENDOR
        )
    maturity = session.get("maturity")
    return ChangedAttempt(
        vendor_ref=session["id"],
        changed_at=_timestamp(session.get("updatedAt")),
        status=maturity if isinstance(maturity, str) else None,
    )


def _timestamp(value: object) -> dt.datetime | None:
    """``updatedAt`` when the vendor sends one (it is not in the documented sample)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _tests_of(item: dict[str, t.Any]) -> list[VendorTest]:
    exam = item.get("exam")
    configs = item.get("examConfigs")
    if not isinstance(exam, dict) or not isinstance(configs, list):
        raise InvalidResponseError("list exams: an item has no exam and examConfigs", vendor=VENDOR)
    title = str(exam.get("name") or exam.get("id") or "Exam")
    description = str(exam.get("description") or "")
    tests = []
    for config in configs:
        if isinstance(config, dict) and isinstance(config.get("id"), str):
            name = config.get("name")
            full = f"{title} ({name})" if isinstance(name, str) and name else title
            tests.append(VendorTest(id=config["id"], title=full, description=description))
    return tests
