"""In-memory state of the simulated iMocha account (thread-safe) and its rules.

Invitation rules (``docs/vendors/imocha.md#starting-an-attempt`` and
``docs/vendors/imocha.md#admin-actions``):

- invite: one invitation per test and e-mail. Pending, Cancelled or Expired ones are
  returned as Pending (callback and redirect URLs replaced when given); In Progress,
  Complete, Terminated and Test Left ones are returned as they are.
- reattempt: In Progress is refused; Pending, Cancelled and Expired are reset to
  Pending; Complete, Test Left (and Terminated) get a new invitation inheriting the
  URLs, unless one reattempt is still outstanding, which is returned.
- cancel: Pending only.
"""

from __future__ import annotations

import dataclasses
import itertools
import secrets
import threading
import typing as t

from plugin.sandbox.vendors.imocha.errors import SimulatorError

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.imocha.report import Test

PENDING, IN_PROGRESS, COMPLETE = "Pending", "In Progress", "Complete"
TERMINATED, TEST_LEFT, EXPIRED, CANCELLED = "Terminated", "Test Left", "Expired", "Cancelled"
FINISHED = frozenset({COMPLETE, TERMINATED, TEST_LEFT})
REOPENABLE = frozenset({PENDING, CANCELLED, EXPIRED})
#: Retrieve Invites ``state`` -> statuses it covers and how that endpoint spells them.
ATTEMPT_STATES: dict[str, dict[str, str]] = {
    "completed": {COMPLETE: "Completed", TEST_LEFT: "Testleft", TERMINATED: "Terminated"},
    "cancelled": {CANCELLED: "Cancelled"},
    "expired": {EXPIRED: "Expired"},
}

#: How ``GET /v3/tests`` may answer: ``result.tests`` (``{"result": {"tests": [...],
#: "total": n}, "errors": null}``, our reading and the default), the list under another
#: key inside ``result``, the list under a top-level key (``total`` beside it), or ``bare``.
TEST_LIST_SHAPES = (
    "result.tests",
    "result.items",
    "result.data",
    "result",
    "tests",
    "items",
    "data",
    "bare",
)


@dataclasses.dataclass
class Invitation:
    invitation_id: int
    test: Test
    email: str
    name: str
    token: str
    changed_at: float
    callback_url: str | None = None
    redirect_url: str | None = None
    status: str = PENDING
    attempted_at: float | None = None
    finished_at: float | None = None
    answers: dict[int, int] | None = None
    reattempt_id: int | None = None


class IMochaState:
    """Tests and invitations of one account; every method holds :attr:`lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tests: dict[int, Test] = {}
        self.invitations: dict[int, Invitation] = {}
        self.by_token: dict[str, Invitation] = {}
        self.latest: dict[tuple[int, str], int] = {}
        self.default_callback_url: str | None = None
        self.answer_shape = TEST_LIST_SHAPES[0]
        self._invitation_ids = itertools.count(3178622)
        self.test_ids = itertools.count(11223)

    def test(self, test_id: int) -> Test:
        found = self.tests.get(test_id)
        if found is None:
            raise SimulatorError(404, f"Test {test_id} not found")
        return found

    def invitation(self, invitation_id: int) -> Invitation:
        found = self.invitations.get(invitation_id)
        if found is None:
            raise SimulatorError(404, f"Test invitation id {invitation_id} not found")
        return found

    def invite(
        self,
        test: Test,
        *,
        email: str,
        name: str,
        callback_url: str | None,
        redirect_url: str | None,
        now: float,
    ) -> Invitation:
        with self.lock:
            key = (test.test_id, email.lower())
            existing = self.invitations.get(self.latest.get(key, -1))
            if existing is None:
                return self._new(test, email.lower(), name, callback_url, redirect_url, now)
            if existing.status in REOPENABLE:
                existing.status, existing.changed_at = PENDING, now
                existing.callback_url = callback_url or existing.callback_url
                existing.redirect_url = redirect_url or existing.redirect_url
            return existing

    def _new(
        self,
        test: Test,
        email: str,
        name: str,
        callback_url: str | None,
        redirect_url: str | None,
        now: float,
    ) -> Invitation:
        invitation = Invitation(
            next(self._invitation_ids),
            test,
            email,
            name,
            secrets.token_urlsafe(12),
            now,
            callback_url,
            redirect_url,
        )
        self.invitations[invitation.invitation_id] = invitation
        self.by_token[invitation.token] = invitation
        self.latest[(test.test_id, email)] = invitation.invitation_id
        return invitation

    def reattempt(self, invitation: Invitation, now: float) -> Invitation:
        with self.lock:
            if invitation.status == IN_PROGRESS:
                raise SimulatorError(
                    400,
                    "Reattempt is not allowed on Test invitation id: "
                    f"{invitation.invitation_id} which is in inprogress state.",
                )
            if invitation.status in REOPENABLE:
                invitation.status, invitation.changed_at = PENDING, now
                return invitation
            outstanding = self.invitations.get(invitation.reattempt_id or -1)
            if outstanding is not None and outstanding.status == PENDING:
                return outstanding
            fresh = self._new(
                invitation.test,
                invitation.email,
                invitation.name,
                invitation.callback_url,
                invitation.redirect_url,
                now,
            )
            invitation.reattempt_id = fresh.invitation_id
            return fresh

    def cancel(self, invitation: Invitation, now: float) -> None:
        with self.lock:
            if invitation.status != PENDING:
                raise SimulatorError(
                    400,
                    "Testinvitation state in inprogress, complete, and "
                    "expired can not be cancelled.",
                    shape="message",
                )
            invitation.status, invitation.changed_at = CANCELLED, now

    def start(self, invitation: Invitation, now: float) -> bool:
        """Pending -> In Progress; False when it was already in progress."""
        with self.lock:
            if invitation.status == IN_PROGRESS:
                return False
            if invitation.status != PENDING:
                raise SimulatorError(400, f"Invitation is {invitation.status}; it cannot start")
            invitation.status, invitation.attempted_at, invitation.changed_at = (
                IN_PROGRESS,
                now,
                now,
            )
            return True

    def finish(
        self, invitation: Invitation, answers: dict[int, int], status: str, now: float
    ) -> None:
        with self.lock:
            if status not in FINISHED:
                raise SimulatorError(400, f"Unknown final status {status}")
            if invitation.status != IN_PROGRESS:
                raise SimulatorError(400, f"Invitation is {invitation.status}; it cannot finish")
            invitation.status, invitation.answers = status, answers
            invitation.finished_at = invitation.changed_at = now

    def expire(self, invitation: Invitation, now: float) -> None:
        with self.lock:
            if invitation.status != PENDING:
                raise SimulatorError(400, "Only a Pending invitation can expire")
            invitation.status, invitation.changed_at = EXPIRED, now

    def attempts(self, state: str, start: float, end: float) -> list[dict[str, t.Any]]:
        spelled = ATTEMPT_STATES[state]
        with self.lock:
            return [
                {
                    "testInvitationId": i.invitation_id,
                    "testId": i.test.test_id,
                    "name": i.name,
                    "email": i.email,
                    "invitationtype": "api",
                    "testStatus": spelled[i.status],
                }
                for i in self.invitations.values()
                if i.status in spelled and start <= i.changed_at <= end
            ]
