"""The simulator's per-app object: key check, state changes that fire callbacks."""

from __future__ import annotations

import dataclasses
import hmac
import typing as t

from flask import current_app
from flask import request

from plugin.sandbox.vendors.imocha.errors import SimulatorError
from plugin.sandbox.vendors.imocha.report import callback_payload

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from plugin.sandbox.vendors.imocha.callbacks import CallbackSender
    from plugin.sandbox.vendors.imocha.state import IMochaState
    from plugin.sandbox.vendors.imocha.state import Invitation

EXTENSION_KEY = "sandbox.imocha"
KEY_REFUSED = "API key not valid or Subscription expired or not found"


@dataclasses.dataclass
class IMochaSimulator:
    api_key: str
    state: IMochaState
    sender: CallbackSender
    clock: Callable[[], float]

    def authenticate(self) -> None:
        """:raises SimulatorError: 401 unless ``X-API-KEY`` is the account's key."""
        given = request.headers.get("X-API-KEY", "")
        if not hmac.compare_digest(given.encode(), self.api_key.encode()):
            raise SimulatorError(401, KEY_REFUSED)

    @staticmethod
    def pdf_url(invitation: Invitation) -> str:
        return f"https://app.imocha.io/PDFReport?id={invitation.token}"

    def fire(self, invitation: Invitation) -> bool:
        """Queue the invitation's callback; False when it has nowhere to go."""
        url = invitation.callback_url or self.state.default_callback_url
        if not url:
            return False
        self.sender.send(url, callback_payload(invitation, self.pdf_url(invitation)))
        return True

    def start(self, invitation: Invitation, *, at: float | None = None) -> None:
        """Start the test (at ``at``, default now) and fire the In Progress callback."""
        with self.state.lock:
            if self.state.start(invitation, self.clock() if at is None else at):
                self.fire(invitation)

    def finish(self, invitation: Invitation, answers: dict[int, int], status: str) -> None:
        with self.state.lock:
            self.state.finish(invitation, answers, status, self.clock())
            self.fire(invitation)


def current() -> IMochaSimulator:
    simulator: IMochaSimulator = current_app.extensions[EXTENSION_KEY]
    return simulator
