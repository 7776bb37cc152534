"""AGS 2.0 client for one platform: line items and scores
(https://www.imsglobal.org/spec/lti-ags/v2p0).

Every call carries a bearer token from the shared :class:`lti.token_cache.TokenCache`; a 401
means the platform no longer accepts it, so the token is dropped from the cache and the call
is sent once more with a new one.  Failures come out as :class:`lti.ags.errors.AgsError`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import typing as t

import requests

from lti.ags.errors import AgsError
from lti.ags.errors import error_for
from lti.ags.errors import refused_timestamp_error
from lti.ags.errors import token_error
from lti.ags.errors import too_large_error
from lti.ags.errors import transport_error
from lti.ags.line_items import LineItem
from lti.ags.line_items import LineItemSpec
from lti.ags.line_items import lookup_key
from lti.ags.line_items import parse_line_item
from lti.ags.line_items import scores_url
from lti.ags.media import DEFAULT_SCOPES
from lti.ags.media import MEDIA_LINEITEM
from lti.ags.media import MEDIA_LINEITEM_CONTAINER
from lti.ags.media import MEDIA_SCORE
from lti.ags.timestamps import format_timestamp
from lti.http import ResponseTooLargeError
from lti.service_token import AccessToken
from lti.service_token import TokenRequestError
from lti.service_token import request_access_token
from lti.token_cache import SingleFlight

if t.TYPE_CHECKING:
    from lti.ags.timestamps import ScoreClock
    from lti.interfaces import KeySource
    from lti.interfaces import PlatformRecord
    from lti.token_cache import TokenCache

log = logging.getLogger(__name__)

MAX_PAGES = 1000
LOOKUP_SECONDS = 60
#: Sends of one score, each with a fresh timestamp, before a 409 is given back to the outbox.
SCORE_TRIES = 3


@dataclasses.dataclass(frozen=True)
class ScoreReceipt:
    """A score the platform accepted.

    :ivar timestamp: the timestamp of the send that was accepted.
    :ivar bumped: whether that timestamp is later than the second it was sent in: the last
        one sent for this line item and user (perhaps a try the platform refused) was not
        earlier.
    """

    line_item_url: str
    user_id: str
    timestamp: str
    bumped: bool


class AgsClient:
    """Line items and scores on one platform.

    :param platform: the registration whose client id the tokens are for.
    :param keys: the tool's keys, to sign token requests.
    :param tokens: the cache shared by every worker.
    :param clock: the last score timestamps sent, shared by every worker.
    :param session: the platform's pooled session.
    :param scopes: what each token asks for.
    :param page_size: ``limit`` sent when listing line items.
    :param flight: lets one worker at a time find or create the line item of a link.
    """

    def __init__(
        self,
        platform: PlatformRecord,
        keys: KeySource,
        *,
        tokens: TokenCache,
        clock: ScoreClock,
        session: requests.Session,
        flight: SingleFlight,
        scopes: t.Iterable[str] = DEFAULT_SCOPES,
        page_size: int = 100,
    ) -> None:
        self.platform = platform
        self._keys = keys
        self._tokens = tokens
        self._clock = clock
        self._session = session
        self._flight = flight
        self._scopes = tuple(sorted(set(scopes)))
        self._page_size = page_size

    def line_item_url(
        self,
        spec: LineItemSpec,
        *,
        lineitem_url: str | None = None,
        lineitems_url: str | None = None,
    ) -> str:
        """The URL of the line item for ``spec``: the launch's, an existing one, or a new one.

        :param lineitem_url: the launch's AGS ``lineitem``, used as is when given.
        :param lineitems_url: the launch's AGS ``lineitems`` (the context's container).
        :raises AgsError: when neither URL is known or the platform fails.
        """
        if lineitem_url:
            return lineitem_url
        if not lineitems_url:
            raise AgsError(
                "the platform gave this resource link no line item service (no AGS claim)",
                status=None,
                retryable=False,
            )
        container = lineitems_url

        def find_or_create() -> tuple[str, int]:
            found = self.find_line_item(container, spec)
            item = found or self.create_line_item(container, spec)
            return item.url, LOOKUP_SECONDS

        key = lookup_key(self.platform.issuer, self.platform.client_id, container, spec)
        return str(self._flight.get_or_compute(key, find_or_create))

    def find_line_item(self, lineitems_url: str, spec: LineItemSpec) -> LineItem | None:
        """The first line item of the resource link with the spec's tag, following paging.

        :raises AgsError: when the platform fails.
        """
        url: str | None = lineitems_url
        params: dict[str, str] | None = {**spec.query(), "limit": str(self._page_size)}
        for _ in range(MAX_PAGES):
            if url is None:
                return None
            response = self._send("GET", url, accept=MEDIA_LINEITEM_CONTAINER, params=params)
            if response.status_code != 200:
                raise error_for(response, "listing line items")
            for item in _line_items(response):
                if spec.matches(item):
                    return item
            url, params = response.links.get("next", {}).get("url"), None
        raise AgsError(
            f"listing line items did not end after {MAX_PAGES} pages", status=None, retryable=False
        )

    def create_line_item(self, lineitems_url: str, spec: LineItemSpec) -> LineItem:
        """Create the line item described by ``spec``.

        :raises AgsError: when the platform refuses or fails.
        """
        response = self._send(
            "POST", lineitems_url, accept=MEDIA_LINEITEM, body=spec.body(), media=MEDIA_LINEITEM
        )
        if response.status_code not in (200, 201):
            raise error_for(response, "creating a line item")
        item = parse_line_item(_json(response))
        if item is None:
            raise AgsError(
                "the platform created a line item but returned no id", status=None, retryable=False
            )
        log.info("created line item %s for resource link %s", item.url, spec.resource_link_id)
        return item

    def post_score(self, line_item_url: str, score: t.Mapping[str, t.Any]) -> ScoreReceipt:
        """Publish ``score`` (an AGS Score object) stamped with the time it is sent.

        Any ``timestamp`` in ``score`` is replaced (outbox payloads of earlier releases carry
        the vendor's finish time): :class:`lti.ags.timestamps.ScoreClock` gives the current
        second, at least one second past the last one sent for this line item and user.  A
        409 (the platform holds a score it takes to be as new, AGS 2.0 section 3.4) is sent
        again at once with a fresh timestamp, :data:`SCORE_TRIES` sends in all: the platform
        may have stamped its score with its own, later, time (Moodle does for a score without
        ``scoreGiven``).

        :param score: needs ``userId``.
        :raises AgsError: retryable for 409 on every try, 429, 5xx and transport failures;
            not retryable for other 4xx.
        :raises ValueError: for a score without ``userId``.
        """
        user_id = score.get("userId")
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("a score needs a userId")
        url = scores_url(line_item_url)
        for tries in range(1, SCORE_TRIES + 1):
            sent, bumped = self._clock.next_timestamp(line_item_url, user_id)
            timestamp = format_timestamp(sent)
            body = {**score, "timestamp": timestamp}
            response = self._send("POST", url, body=body, media=MEDIA_SCORE)
            if response.status_code != 409:
                break
            log.info(
                "POST %s: score at %s refused as not newer (try %d of %d)",
                url.split("?", 1)[0],
                timestamp,
                tries,
                SCORE_TRIES,
            )
        else:
            raise refused_timestamp_error(
                response, user_id=user_id, timestamp=timestamp, tries=SCORE_TRIES
            )
        if response.status_code not in (200, 201, 202, 204):
            raise error_for(response, "posting a score")
        return ScoreReceipt(line_item_url, user_id, timestamp, bumped=bumped)

    def _send(
        self,
        method: str,
        url: str,
        *,
        accept: str | None = None,
        body: t.Mapping[str, t.Any] | None = None,
        media: str | None = None,
        params: t.Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send with a bearer token; on 401 drop the token and send once more with a new one."""
        headers = {"Accept": accept or "application/json"}
        if media is not None:
            headers["Content-Type"] = media
        data = None if body is None else json.dumps(body)
        action = f"{method} {url.split('?', 1)[0]}"
        token = self._token()
        response = self._request(method, url, token, headers, data, params, action)
        if response.status_code != 401:
            return response
        log.info("%s answered 401; refreshing the access token once", action)
        self._tokens.invalidate(self.platform, self._scopes, token.token)
        return self._request(method, url, self._token(), headers, data, params, action)

    def _request(
        self,
        method: str,
        url: str,
        token: AccessToken,
        headers: dict[str, str],
        data: str | None,
        params: t.Mapping[str, str] | None,
        action: str,
    ) -> requests.Response:
        headers = {**headers, "Authorization": f"Bearer {token.token}"}
        try:
            return self._session.request(method, url, headers=headers, data=data, params=params)
        except ResponseTooLargeError as exc:
            raise too_large_error(exc, action) from exc
        except requests.RequestException as exc:
            raise transport_error(exc, action) from exc

    def _token(self) -> AccessToken:
        def fetch() -> AccessToken:
            return request_access_token(
                self.platform, self._keys.signing_key(), self._scopes, session=self._session
            )

        try:
            return self._tokens.token(self.platform, self._scopes, fetch)
        except TokenRequestError as exc:
            raise token_error(exc) from exc


def _json(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError as exc:
        raise AgsError(
            f"the platform answered HTTP {response.status_code} without JSON",
            status=response.status_code,
            retryable=False,
        ) from exc


def _line_items(response: requests.Response) -> list[LineItem]:
    body = _json(response)
    if not isinstance(body, list):
        raise AgsError("the line item container is not a JSON array", status=200, retryable=False)
    return [item for item in map(parse_line_item, body) if item is not None]
