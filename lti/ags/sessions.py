"""One pooled HTTP session per platform, so every score to it reuses kept-alive connections."""

from __future__ import annotations

import threading
import typing as t

from lti.http import TimeoutSession

if t.TYPE_CHECKING:
    import requests


class PlatformSessions:
    """Sessions keyed by issuer, built on first use.

    :param factory: builds a session (default: :class:`lti.http.TimeoutSession`); tests pass
        their own.
    """

    def __init__(self, factory: t.Callable[[], requests.Session] = TimeoutSession) -> None:
        self._factory = factory
        self._sessions: dict[str, requests.Session] = {}
        self._lock = threading.Lock()

    def session(self, issuer: str) -> requests.Session:
        """The session for ``issuer``."""
        with self._lock:
            session = self._sessions.get(issuer)
            if session is None:
                session = self._sessions[issuer] = self._factory()
            return session

    def close(self) -> None:
        """Close every session (their pooled connections)."""
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()
