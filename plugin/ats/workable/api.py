"""Authenticated, paced requests to one Workable account's SPI v3 API."""

from __future__ import annotations

import typing as t

import requests

from lti.http import ResponseTooLargeError
from plugin.ats.base import AtsError
from plugin.ats.workable.errors import api_error
from plugin.ats.workable.errors import invalid_body
from plugin.ats.workable.errors import retry_after_header
from plugin.ats.workable.errors import too_large_error
from plugin.ats.workable.errors import transport_error
from plugin.ats.workable.pacing import WaitTooLongError
from plugin.ats.workable.pacing import pacer_for

if t.TYPE_CHECKING:
    from plugin.ats.workable.config import WorkableConfig


class WorkableApi:
    """Sends requests with the account token, within the token's rate limit.

    A 429 whose wait is at most ``max_wait_seconds`` is waited out and the request
    sent once more (a 429 means Workable did nothing with it); a longer wait raises a
    retryable :class:`AtsError`.
    """

    def __init__(self, config: WorkableConfig, session: requests.Session) -> None:
        self.base_url = config.base_url
        self._session = session
        self._max_wait = config.max_wait_seconds
        self._pacer = pacer_for(config.base_url, config.token)
        self._headers = {"Authorization": f"Bearer {config.token}", "Accept": "application/json"}

    def call(
        self, method: str, url: str, action: str, *, expect_json: bool = True, **kwargs: t.Any
    ) -> t.Any:
        """Send one request and return its JSON body (``None`` unless ``expect_json``).

        :param action: what the request does, for messages ("read custom attributes").
        :raises AtsError: for any failure, ``retryable`` set by its kind.
        """
        for resend in (False, True):
            response = self._send(method, url, action, **kwargs)
            if response.status_code == 429:
                wait = retry_after_header(response)
                wait = self._pacer.until_reset() if wait is None else wait
                if wait is not None:
                    self._pacer.block_for(wait)
                if not resend and wait is not None and wait <= self._max_wait:
                    continue
                raise api_error(response, action, wait)
            if response.status_code >= 400:
                raise api_error(response, action, retry_after_header(response))
            break
        if not expect_json:
            return None
        try:
            return response.json()
        except ValueError:
            raise invalid_body(response, action) from None

    def _send(self, method: str, url: str, action: str, **kwargs: t.Any) -> requests.Response:
        try:
            self._pacer.acquire(self._max_wait)
        except WaitTooLongError as exc:
            raise AtsError(
                f"Workable rate limit reached before trying to {action}; "
                f"the interval resets in {exc.wait:.1f} s",
                retryable=True,
                retry_after=exc.wait,
            ) from None
        try:
            response = self._session.request(
                method, url, headers=self._headers, allow_redirects=False, **kwargs
            )
        except ResponseTooLargeError as exc:
            raise too_large_error(exc, method, url) from None
        except requests.RequestException as exc:
            raise transport_error(exc, method, url) from None
        self._pacer.observe(response.headers)
        return response
