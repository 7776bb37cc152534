"""Harvest v3 access tokens by the OAuth2 client-credentials grant.

``POST token_url`` with HTTP Basic ``client_id:client_secret`` and the form
``grant_type=client_credentials&sub=<user id>``
(harvestdocs.greenhouse.io/docs/authentication, ``docs/ats/greenhouse.md#authentication``).
A token is kept until shortly before ``expires_in`` runs out; one refresh runs at a time,
the other callers wait for its token.
"""

from __future__ import annotations

import threading
import time
import typing as t

import requests

from lti.http import ResponseTooLargeError
from lti.http import error_description
from plugin.ats.base import AtsError
from plugin.ats.greenhouse.errors import too_large_error
from plugin.ats.greenhouse.errors import transport_error
from plugin.http.sessions import retry_after_seconds

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from plugin.ats.greenhouse.config import GreenhouseConfig

#: Lifetime assumed when the answer has no ``expires_in`` (the documented hour).
DEFAULT_LIFETIME_S = 3600.0
#: A token is refreshed this long before it expires (at most a quarter of its life).
REFRESH_MARGIN_S = 60.0


class TokenSource:
    """The bearer token of one Greenhouse credential.

    :param config: the connection's settings.
    :param session: the pooled session of the sink.
    :param clock: seconds source for expiry (monotonic).
    """

    def __init__(
        self,
        config: GreenhouseConfig,
        session: requests.Session,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._session = session
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    def __repr__(self) -> str:
        return f"TokenSource(client_id={self._config.client_id!r})"

    def get(self) -> str:
        """A valid access token, fetched when none is cached or it is about to expire.

        :raises AtsError: when the token endpoint refuses or cannot be reached.
        """
        with self._lock:
            if self._token is not None and self._clock() < self._refresh_at:
                return self._token
            token, lifetime = self._fetch()
            self._token = token
            self._refresh_at = self._clock() + lifetime - min(REFRESH_MARGIN_S, lifetime / 4)
            return token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (the API refused it); a newer token in its place is kept."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch(self) -> tuple[str, float]:
        config = self._config
        form = {"grant_type": "client_credentials", "sub": config.user_id}
        try:
            response = self._session.post(
                config.token_url, data=form, auth=(config.client_id, config.client_secret)
            )
        except ResponseTooLargeError as exc:
            raise too_large_error(exc, "POST", config.token_url) from exc
        except requests.RequestException as exc:
            raise transport_error(exc, "POST", config.token_url) from exc
        if response.status_code != 200:
            raise _refused(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AtsError(
                "the Greenhouse token endpoint answered without an access token",
                status=response.status_code,
                retryable=True,
            )
        lifetime = body.get("expires_in") if isinstance(body, dict) else None
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = DEFAULT_LIFETIME_S
        return token, float(lifetime)


def _refused(response: requests.Response) -> AtsError:
    status = response.status_code
    reason = _oauth_reason(response)
    if status == 429 or status >= 500:
        return AtsError(
            f"the Greenhouse token endpoint failed (HTTP {status}): {reason}",
            status=status,
            retryable=True,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    return AtsError(
        f"Greenhouse refused the client credentials (HTTP {status}): {reason}"
        " (check client_id, client_secret and user_id)",
        status=status,
    )


def _oauth_reason(response: requests.Response) -> str:
    """``<error>: <error_description>`` of an OAuth2 error answer, else a short excerpt."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        return f"{body['error']}: {description}"[:200] if description else body["error"][:200]
    return error_description(response)
