"""Builds :class:`AgsClient` objects that share one token cache, one score clock and one
pooled session per platform."""

from __future__ import annotations

import typing as t

from lti.ags.client import AgsClient
from lti.ags.media import DEFAULT_SCOPES
from lti.ags.sessions import PlatformSessions
from lti.ags.timestamps import ScoreClock
from lti.ags.timestamps import utc_now
from lti.token_cache import SingleFlight
from lti.token_cache import TokenCache

if t.TYPE_CHECKING:
    from lti.ags.timestamps import Now
    from lti.interfaces import KeySource
    from lti.interfaces import PlatformRecord
    from lti.interfaces import SharedStore


class AgsClientFactory:
    """AGS clients for every platform of one tool.

    :param keys: the tool's keys.
    :param store: shared by every worker and process (tokens, locks, last timestamps).
    :param sessions: one session per issuer (default: pooled :class:`lti.http.TimeoutSession`).
    :param scopes: what each token asks for.
    :param page_size: ``limit`` sent when listing line items.
    :param now: the current time for score timestamps (aware); tests pass a fake one.
    """

    def __init__(
        self,
        keys: KeySource,
        store: SharedStore,
        *,
        sessions: PlatformSessions | None = None,
        scopes: t.Iterable[str] = DEFAULT_SCOPES,
        page_size: int = 100,
        now: Now = utc_now,
    ) -> None:
        self._keys = keys
        self._sessions = sessions or PlatformSessions()
        self._flight = SingleFlight(store)
        self.tokens = TokenCache(store, flight=self._flight)
        self.clock = ScoreClock(store, now=now)
        self._scopes = tuple(scopes)
        self._page_size = page_size

    def for_platform(self, platform: PlatformRecord) -> AgsClient:
        """A client for ``platform`` (cheap: build one per delivery)."""
        return AgsClient(
            platform,
            self._keys,
            tokens=self.tokens,
            clock=self.clock,
            session=self._sessions.session(platform.issuer),
            flight=self._flight,
            scopes=self._scopes,
            page_size=self._page_size,
        )

    def close(self) -> None:
        """Close the pooled sessions."""
        self._sessions.close()
