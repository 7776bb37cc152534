"""Mettl behind :class:`plugin.vendors.base.VendorAdapter`.

- A vendor test is a Mettl *schedule* (test link), named by its access key.
- Starting registers the learner in the schedule (idempotent: Mettl keeps one
  candidate per e-mail and schedule) and sends them to the candidate link.
- Completion arrives as the schedule's finish/graded notifications, which Mettl does
  not sign: they are unauthenticated triggers and the result is re-fetched.
- Reconciliation sweeps the results of all candidates of every schedule
  (:mod:`plugin.vendors.mettl.cursor` describes the cursor).
- The one admin action is deleting a result, which lets the learner start again.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
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
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import CursorError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.mettl.client import MAX_PAGE_SIZE
from plugin.vendors.mettl.client import MettlClient
from plugin.vendors.mettl.cursor import SweepCursor
from plugin.vendors.mettl.errors import VENDOR
from plugin.vendors.mettl.notifications import read_notification
from plugin.vendors.mettl.notifications import text
from plugin.vendors.mettl.refs import ScheduleCandidate
from plugin.vendors.mettl.registration import registration_fields
from plugin.vendors.mettl.registration import registration_link
from plugin.vendors.mettl.schedule_setup import described
from plugin.vendors.mettl.schedule_setup import schedule_settings

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

    import requests

    from plugin.vendors.base import CompletionUrls
    from plugin.vendors.base import IncomingRequest
    from plugin.vendors.base import StartRequest
    from plugin.vendors.mettl.config import MettlConfig

logger = logging.getLogger(__name__)


class MettlAdapter:
    """One Mettl connection.

    :param config: the connection's settings.
    :param session: a pooled session for the client (tests inject their own).
    :param clock: Unix time source (request timestamps, ``fetched_at``).
    """

    kind: t.ClassVar[str] = "mettl"
    supported_actions: t.ClassVar[frozenset[AdminAction]] = frozenset({AdminAction.DELETE_RESULT})

    def __init__(
        self,
        config: MettlConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.client = MettlClient(config, session=session, clock=clock)
        self._clock = clock

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        """Register the learner in schedule ``test_id`` and return their test link.

        Mettl's links are per candidate and its notification and exit URLs are set per
        schedule, so ``return_url`` and ``callback_url`` are not sent here:
        :meth:`configure_test` sets them on the schedule when the assessment is added.
        """
        ref = ScheduleCandidate.of(request.test_id, candidate_email(request.learner))
        entries = self.client.register_candidates(
            ref.access_key, [registration_fields(request.learner, ref.email)]
        )
        link = registration_link(entries, ref, self.config.registration_link_field)
        return StartedAttempt(
            vendor_ref=str(ref),
            redirect_url=link,
            extra={"access_key": ref.access_key, "email": ref.email},
        )

    def parse_signal(self, request: IncomingRequest) -> CompletionSignal:
        """Read a finish or graded notification as an unauthenticated trigger
        (:mod:`plugin.vendors.mettl.notifications`).

        Without a schedule (the graded notification names none unless the URL carries
        ``accessKey``) the signal names the candidate's e-mail and Mettl's assessment id,
        by which the attempt is found among the connection's.

        :raises SignalRejectedError: not a JSON notification naming a candidate e-mail.
        """
        notified = read_notification(request)
        ref = notified.candidate
        return CompletionSignal(
            kind=SignalKind.WEBHOOK,
            vendor_ref=str(ref) if ref else None,
            status_hint=notified.event,
            authenticated=False,
            candidate_email=None if ref else notified.email,
            vendor_test_hint=None if ref else notified.assessment_id,
        )

    def tests_of_hint(self, hint: str) -> frozenset[str]:
        """The access keys of the schedules of Mettl assessment ``hint`` (one listing)."""
        return frozenset(
            str(s["accessKey"])
            for s in self._schedules()
            if text(s.get("assessmentId")) == hint.strip()
        )

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        """``{"status": "SUCCESS", "candidate": {...}}`` of the attempt.

        ``test_id`` is not needed: the reference carries the schedule.
        """
        ref = _parse_ref(vendor_ref)
        payload = self.client.candidate_result(ref.access_key, ref.email)
        return RawResult(vendor_ref=str(ref), payload=payload, fetched_at=self._now())

    def list_changes(self, cursor: str | None) -> ChangesPage:
        """One page (up to 100 candidates) of a sweep over all schedules."""
        try:
            position = SweepCursor.decode(cursor)
        except CursorError:
            logger.warning("mettl: unreadable reconciliation cursor, restarting the sweep")
            position = SweepCursor()
        if not position.keys:
            keys = tuple(test.id for test in self.list_tests())
            if not keys:
                return ChangesPage(items=(), next_cursor=None, has_more=False)
            position = SweepCursor(keys)
        page, position = self._sweep_page(position)
        candidates = page.get("candidates") or []
        fetched_at = self._now()
        items = tuple(
            _changed(position.keys[0], c, fetched_at)
            for c in candidates
            if isinstance(c, dict) and text(c.get("email"))
        )
        paging = _mapping(page.get("paging"))
        following = position.advanced(len(candidates), text(paging.get("next")))
        return ChangesPage(
            items=items,
            next_cursor=following.encode() if following else None,
            has_more=following is not None,
        )

    def list_tests(self) -> list[VendorTest]:
        """Every schedule of the account (following ``paging.next``)."""
        return [_vendor_test(s) for s in self._schedules()]

    def _schedules(self) -> list[dict[str, t.Any]]:
        """Every schedule document of the account (following ``paging.next``)."""
        schedules: list[dict[str, t.Any]] = []
        page = self.client.list_tests(limit=MAX_PAGE_SIZE)
        while True:
            schedules.extend(s for s in page.get("schedules") or [] if _is_schedule(s))
            paging = _mapping(page.get("paging"))
            next_url = text(paging.get("next"))
            if not next_url:
                return schedules
            page = self.client.follow(next_url)

    def perform(self, action: AdminAction, vendor_ref: str, *, test_id: str) -> ActionOutcome:
        """Delete the attempt's result (Mettl allows it once the test is completed or expired).

        :raises VendorRefusedError: another action, or Mettl refused the deletion.
        """
        if action not in self.supported_actions:
            raise VendorRefusedError(
                f"Mettl does not support the {action.value} action", vendor=VENDOR
            )
        ref = _parse_ref(vendor_ref)
        self.client.delete_result(ref.access_key, ref.email)
        return ActionOutcome(
            action=action,
            vendor_ref=str(ref),
            message=f"Mettl deleted the result of {ref.email}; starting again registers them anew",
        )

    def configure_test(self, test_id: str, urls: CompletionUrls) -> list[str]:
        """Point schedule ``test_id`` at the tool with one Edit Schedule call
        (:mod:`plugin.vendors.mettl.schedule_setup`); editing again sets the same URLs.

        :raises VendorError: Mettl refused (unknown access key, invalid URL, keys).
        """
        access_key = test_id.strip()
        settings = schedule_settings(access_key, urls)
        self.client.edit_schedule(access_key, settings)
        return described(access_key, settings)

    def check_connection(self) -> ConnectionReport:
        """Read the account information with the configured keys (its shape is documented:
        strict)."""
        return checked(self._read_account)

    def _read_account(self) -> ConnectionReport:
        info = _mapping(self.client.account().get("accountInfo"))
        name = text(info.get("name")) or "(unnamed)"
        return ConnectionReport(
            auth_ok=True, detail=f"Mettl API keys for account {name}", catalogue=f"account {name}"
        )

    def _sweep_page(self, position: SweepCursor) -> tuple[dict[str, t.Any], SweepCursor]:
        """Fetch the page at ``position``; a stale position restarts its schedule.

        The pre-signed ``next`` URL is followed while Mettl still accepts it (its
        timestamp lasts 24 hours); then the page is requested again by offset, and an
        offset Mettl refuses (the schedule shrank) restarts the schedule at 0. A
        schedule that no longer exists is skipped.
        """
        if position.next_url:
            try:
                return self.client.follow(position.next_url), position
            except (AuthError, VendorRefusedError) as exc:
                logger.info("mettl: stored paging link no longer accepted (%s)", exc.message)
        key = position.keys[0]
        try:
            page = self.client.schedule_results(key, limit=MAX_PAGE_SIZE, offset=position.offset)
        except NotFoundError:
            if len(position.keys) == 1:
                return {"candidates": [], "paging": {}}, position
            return self._sweep_page(SweepCursor(position.keys[1:]))
        except VendorRefusedError:
            if position.offset == 0:
                raise
            logger.info("mettl: offset %d refused for a schedule, restarting it", position.offset)
            return self._sweep_page(SweepCursor(position.keys))
        return page, SweepCursor(position.keys, position.offset)

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), tz=dt.UTC)


def _parse_ref(vendor_ref: str) -> ScheduleCandidate:
    try:
        return ScheduleCandidate.parse(vendor_ref)
    except ValueError as exc:
        raise VendorRefusedError(str(exc), vendor=VENDOR) from exc


def _mapping(value: t.Any) -> dict[str, t.Any]:
    return value if isinstance(value, dict) else {}


def _changed(
    access_key: str, candidate: Mapping[str, t.Any], fetched_at: dt.datetime
) -> ChangedAttempt:
    """A listed candidate; the listing holds the whole result, in the shape
    :meth:`MettlAdapter.fetch_result` returns."""
    status = _mapping(candidate.get("testStatus"))
    moment = _rfc1123(status.get("endTime")) or _rfc1123(status.get("startTime"))
    ref = str(ScheduleCandidate.of(access_key, text(candidate.get("email")) or ""))
    return ChangedAttempt(
        vendor_ref=ref,
        changed_at=moment,
        status=text(status.get("status")),
        raw=RawResult(ref, {"status": "SUCCESS", "candidate": dict(candidate)}, fetched_at),
    )


def _rfc1123(value: t.Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _is_schedule(schedule: t.Any) -> bool:
    return isinstance(schedule, dict) and bool(text(schedule.get("accessKey")))


def _vendor_test(schedule: Mapping[str, t.Any]) -> VendorTest:
    name = text(schedule.get("name")) or str(schedule["accessKey"])
    assessment = text(schedule.get("assessmentName")) or ""
    return VendorTest(id=str(schedule["accessKey"]), title=name, description=assessment)
