"""The sandbox platform's in-memory data, guarded by one re-entrant lock.

Every read-modify-write of these maps happens inside ``with state.lock:``; network calls never
do, so a slow tool cannot stall the platform.
"""

from __future__ import annotations

import secrets
import threading
import time
import typing as t

from plugin.sandbox.lms.errors import ApiError

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import AccessToken
    from plugin.sandbox.lms.models import ContentItem
    from plugin.sandbox.lms.models import Context
    from plugin.sandbox.lms.models import LineItem
    from plugin.sandbox.lms.models import PendingLaunch
    from plugin.sandbox.lms.models import RegistrationToken
    from plugin.sandbox.lms.models import ResourceLink
    from plugin.sandbox.lms.models import Score
    from plugin.sandbox.lms.models import Tool
    from plugin.sandbox.lms.models import User


def new_id(prefix: str) -> str:
    """Return a fresh opaque identifier such as ``ctx-3f9a1c0b7d2e``."""
    return f"{prefix}-{secrets.token_hex(6)}"


class LmsState:
    """Tools, courses, people, grades and pending launches of one sandbox platform."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tools: dict[str, Tool] = {}
        self.deployments: dict[str, str] = {}
        self.contexts: dict[str, Context] = {}
        self.users: dict[str, User] = {}
        self.memberships: dict[str, dict[str, list[str]]] = {}
        self.resource_links: dict[str, ResourceLink] = {}
        self.line_items: dict[str, LineItem] = {}
        self.scores: list[Score] = []
        self.latest_scores: dict[tuple[str, str], Score] = {}
        self.launches: dict[str, PendingLaunch] = {}
        self.deep_link_data: dict[str, str] = {}
        self.content_items: list[ContentItem] = []
        self.access_tokens: dict[str, AccessToken] = {}
        self.registration_tokens: dict[str, RegistrationToken] = {}
        self._used_jtis: dict[tuple[str, str], float] = {}
        self._used_nonces: dict[tuple[str, str], float] = {}
        self._counters: dict[str, int] = {}
        self._used_message_hints: set[str] = set()

    def next_number(self, kind: str, first: int) -> int:
        """Return the next number of the sequence ``kind``, which starts at ``first``."""
        with self.lock:
            number = self._counters.get(kind, first)
            self._counters[kind] = number + 1
        return number

    def tool(self, client_id: str) -> Tool:
        """Return the tool registered under ``client_id``.

        :raises ApiError: 404 when unknown.
        """
        with self.lock:
            found = self.tools.get(client_id)
        if found is None:
            raise ApiError(404, "not_found", f"unknown client_id {client_id!r}")
        return found

    def context(self, context_id: str) -> Context:
        """Return the context ``context_id``.

        :raises ApiError: 404 when unknown.
        """
        with self.lock:
            found = self.contexts.get(context_id)
        if found is None:
            raise ApiError(404, "not_found", f"unknown context {context_id!r}")
        return found

    def user(self, user_id: str) -> User:
        """Return the user ``user_id``.

        :raises ApiError: 404 when unknown.
        """
        with self.lock:
            found = self.users.get(user_id)
        if found is None:
            raise ApiError(404, "not_found", f"unknown user {user_id!r}")
        return found

    def line_item(self, context_id: str, line_item_id: str) -> LineItem:
        """Return a line item of ``context_id``.

        :raises ApiError: 404 when unknown or in another context.
        """
        with self.lock:
            found = self.line_items.get(line_item_id)
        if found is None or found.context_id != context_id:
            raise ApiError(404, "not_found", f"unknown line item {line_item_id!r}")
        return found

    def claim_jti(self, client_id: str, jti: str, expires_at: float) -> bool:
        """Record a client assertion's ``jti``; ``False`` when it was seen before."""
        return _claim_once(self.lock, self._used_jtis, (client_id, jti), expires_at)

    def use_message_hint(self, hint: str) -> bool:
        """Mark a launch's ``lti_message_hint`` used; ``False`` when it was used before.

        Moodle deletes the launch id from the session on its first authorization request.
        """
        with self.lock:
            if hint in self._used_message_hints:
                return False
            self._used_message_hints.add(hint)
            return True

    def claim_nonce(self, client_id: str, nonce: str, expires_at: float) -> bool:
        """Record a deep-linking response nonce; ``False`` when it was seen before."""
        return _claim_once(self.lock, self._used_nonces, (client_id, nonce), expires_at)


def _claim_once(
    lock: threading.RLock, seen: dict[tuple[str, str], float], key: tuple[str, str], until: float
) -> bool:
    """Insert ``key`` unless present, dropping entries whose token has expired anyway."""
    now = time.time()
    with lock:
        if key in seen:
            return False
        if len(seen) >= 4096:
            for stale in [k for k, exp in seen.items() if exp < now]:
                del seen[stale]
        seen[key] = until
        return True
