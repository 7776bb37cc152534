"""iMocha behind :class:`plugin.vendors.base.VendorAdapter`.

- A vendor test is an iMocha test id; an attempt is a test invitation, named by its
  ``testInvitationId`` (a reattempt issues a new one).
- Starting invites the learner with the bridge's callback and return URLs; iMocha
  answers the same invitation for the same e-mail, which makes starts idempotent.
- iMocha posts an unsigned callback when the test goes In Progress and when it ends
  (Complete, Terminated, Test Left): a trigger only, the report is re-fetched.
- Reconciliation reads "Retrieve Invites" for the completed, cancelled and expired
  states over a sliding window (:mod:`plugin.vendors.imocha.cursor`). An unreadable
  cursor restarts with the last ``reconcile_window_hours``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
import typing as t

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
from plugin.vendors.common import candidate_email
from plugin.vendors.common import checked
from plugin.vendors.errors import CursorError
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.imocha.client import ATTEMPT_STATES
from plugin.vendors.imocha.client import MAX_TESTS_PAGE
from plugin.vendors.imocha.client import IMochaClient
from plugin.vendors.imocha.cursor import WindowCursor
from plugin.vendors.imocha.errors import VENDOR
from plugin.vendors.payloads import json_body

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

    import requests

    from plugin.vendors.base import IncomingRequest
    from plugin.vendors.base import StartRequest
    from plugin.vendors.imocha.config import IMochaConfig

logger = logging.getLogger(__name__)


class IMochaAdapter:
    """One iMocha connection.

    :param config: the connection's settings.
    :param session: a pooled session for the client (tests inject their own).
    :param clock: Unix time source (reconciliation windows, ``fetched_at``).
    """

    kind: t.ClassVar[str] = "imocha"
    supported_actions: t.ClassVar[frozenset[AdminAction]] = frozenset(
        {AdminAction.REATTEMPT, AdminAction.CANCEL}
    )

    def __init__(
        self,
        config: IMochaConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.client = IMochaClient(config, session=session)
        self._clock = clock

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        """Invite the learner to test ``test_id`` and return the invitation's test URL.

        iMocha returns the existing invitation for an e-mail already invited: a
        finished one is returned as is (the learner sees "already attempted"; an admin
        uses the reattempt action).
        """
        address = candidate_email(request.learner)
        answer = self.client.invite(
            request.test_id,
            email=address,
            name=request.learner.full_name or address.split("@", 1)[0],
            callback_url=request.callback_url,
            redirect_url=request.return_url,
        )
        return StartedAttempt(
            vendor_ref=str(answer["testInvitationId"]),
            redirect_url=str(answer["testUrl"]),
            extra={"status": answer.get("status")},
        )

    def parse_signal(self, request: IncomingRequest) -> CompletionSignal:
        """Read an iMocha callback (https://developer.imocha.io/api/callback-notification).

        Keys are matched without surrounding spaces (the legacy payload has
        ``"TotalScore "``). The callback is unsigned: ``authenticated`` is False.

        :raises SignalRejectedError: not a JSON object with a numeric ``TestInvitationId``
            (:func:`plugin.vendors.payloads.json_body` says which statuses a bad body gets).
        """
        payload = json_body(request, what="iMocha callback body")
        if not isinstance(payload, dict):
            raise SignalRejectedError("iMocha callback body is not a JSON object")
        fields = {str(key).strip(): value for key, value in payload.items()}
        invitation = fields.get("TestInvitationId")
        if isinstance(invitation, str) and invitation.strip().isdigit():
            invitation = int(invitation)
        if not _whole(invitation):
            raise SignalRejectedError("iMocha callback has no numeric TestInvitationId")
        status = fields.get("Status")
        return CompletionSignal(
            kind=SignalKind.CALLBACK,
            vendor_ref=str(invitation),
            status_hint=status if isinstance(status, str) else None,
            authenticated=False,
        )

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        """The test report of the invitation (type from ``report_type``)."""
        payload = self.client.report(
            _invitation_id(vendor_ref), report_type=self.config.report_type
        )
        return RawResult(vendor_ref=vendor_ref, payload=payload, fetched_at=self._now())

    def list_changes(self, cursor: str | None) -> ChangesPage:
        """Invitations of one state in the current window (see :mod:`.cursor`)."""
        window = self.config.reconcile_window_hours * 3600
        # Whole seconds rounded up: an invite finished earlier in this second is inside.
        now = math.ceil(self._clock())
        try:
            position = WindowCursor.decode(cursor)
        except CursorError:
            logger.warning("imocha: unreadable reconciliation cursor, restarting the window")
            position = WindowCursor()
        start = position.start if position.start is not None else now - window
        end = position.end if position.end is not None else now
        attempts = self.client.test_attempts(
            ATTEMPT_STATES[position.state], start=_moment(start), end=_moment(end)
        )
        items = tuple(_changed(item) for item in attempts if _whole(item.get("testInvitationId")))
        if position.state + 1 < len(ATTEMPT_STATES):
            following = WindowCursor(start, end, position.state + 1)
            return ChangesPage(items=items, next_cursor=following.encode(), has_more=True)
        restart = WindowCursor(start=end - window)
        return ChangesPage(items=items, next_cursor=restart.encode(), has_more=False)

    def list_tests(self) -> list[VendorTest]:
        """Every test of the account, page by page until a short page (each page in any
        form :meth:`IMochaClient.read_tests` reads)."""
        tests: list[VendorTest] = []
        page_no = 1
        while True:
            listed = self.client.list_tests(page_no=page_no).tests
            tests.extend(_vendor_test(item) for item in listed)
            if len(listed) < MAX_TESTS_PAGE:
                return tests
            page_no += 1

    def perform(self, action: AdminAction, vendor_ref: str, *, test_id: str) -> ActionOutcome:
        """Reattempt (a finished invitation gets a new id) or cancel (Pending only).

        :raises VendorRefusedError: another action, or iMocha refused it.
        """
        invitation = _invitation_id(vendor_ref)
        if action is AdminAction.REATTEMPT:
            answer = self.client.reattempt(invitation)
            fresh = str(answer["testInvitationId"])
            return ActionOutcome(
                action=action,
                vendor_ref=fresh,
                message=f"iMocha opened invitation {fresh} for a new attempt",
            )
        if action is AdminAction.CANCEL:
            self.client.cancel(invitation)
            return ActionOutcome(
                action=action,
                vendor_ref=vendor_ref,
                message=f"iMocha cancelled invitation {vendor_ref}",
            )
        raise VendorRefusedError(
            f"iMocha does not support the {action.value} action", vendor=VENDOR
        )

    def check_connection(self) -> ConnectionReport:
        """List one test with the configured key; the answer must hold a test list (in any
        form :meth:`IMochaClient.read_tests` reads; another than ours is a warning)."""
        return checked(self._read_tests)

    def _read_tests(self) -> ConnectionReport:
        read = self.client.read_tests(page_no=1, page_size=1)
        total = read.value.total
        return ConnectionReport(
            auth_ok=True,
            detail="iMocha API key",
            catalogue=f"{total} tests" if total is not None else "its tests (no total given)",
            warnings=read.warnings,
        )

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), tz=dt.UTC)


def _whole(value: t.Any) -> t.TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _invitation_id(vendor_ref: str) -> int:
    if not vendor_ref.strip().isdigit():
        raise VendorRefusedError(f"not an iMocha test invitation id: {vendor_ref!r}", vendor=VENDOR)
    return int(vendor_ref)


def _moment(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def _changed(item: Mapping[str, t.Any]) -> ChangedAttempt:
    status = item.get("testStatus")
    return ChangedAttempt(
        vendor_ref=str(item["testInvitationId"]), status=status if isinstance(status, str) else None
    )


def _vendor_test(item: Mapping[str, t.Any]) -> VendorTest:
    duration = item.get("duration")
    return VendorTest(
        id=str(item["testId"]),
        title=str(item.get("testName") or item["testId"]),
        description=str(item.get("description") or ""),
        duration_minutes=duration if _whole(duration) else None,
    )
