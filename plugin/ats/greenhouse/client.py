"""HTTP client for the Greenhouse Harvest v3 calls the sink makes.

Routes (``docs/ats/greenhouse.md#documentation``; v1/v2 retire around 31 August 2026, so
only v3 is used); where v3 is not published in full, the reading we chose is documented
under ``docs/ats/greenhouse.md#open-questions-and-the-readings-we-chose``:

- ``GET /v3/candidates?email=<e>[&job_id=<id>]``: the lookup (documented for v1; the
  same parameters are assumed in v3, ``#lookup-parameters``).
- ``GET /v3/custom_fields?field_type=candidate&include_inactive=true``: field
  definitions, soft-deleted ones included (v1 parameter names, ``#custom-field-listing``).
- ``PATCH /v3/candidates/{id}`` with ``{"custom_fields": [...]}`` and no other key
  (list fields such as ``email_addresses`` are replaced wholesale); the route itself is a
  reading (``#candidate-edit-route``).
- ``POST /v3/notes`` with ``{candidate_id, user_id, body, visibility}``: the v1 route
  ``/v1/candidates/{id}/activity_feed/notes`` became ``/v3/notes``; the create body is a
  reading (``#notes-body``).

Lists use cursor paging: only the ``Link`` header's ``rel="next"`` URL is followed, as
given (v3 wants the cursor as its only parameter), and only on the API's own origin so
the bearer token never leaves it. Every call sends a bearer token from
:class:`~plugin.ats.greenhouse.token.TokenSource`; a 401 drops it and the call is made
once more with a new one.
"""

from __future__ import annotations

import re
import typing as t
import urllib.parse

import requests

from lti.http import ResponseTooLargeError
from plugin.ats.base import AtsError
from plugin.ats.greenhouse.errors import api_error
from plugin.ats.greenhouse.errors import invalid_body
from plugin.ats.greenhouse.errors import too_large_error
from plugin.ats.greenhouse.errors import transport_error
from plugin.ats.greenhouse.fields import GreenhouseField
from plugin.ats.greenhouse.fields import parse_field

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Mapping

    from plugin.ats.greenhouse.config import GreenhouseConfig
    from plugin.ats.greenhouse.ratelimit import RateLimitWindow
    from plugin.ats.greenhouse.token import TokenSource

#: Pages followed before a list is taken as runaway.
MAX_PAGES = 100
#: 429 answers waited out for one call before it gives up (retryable).
MAX_RATE_LIMIT_WAITS = 3


class GreenhouseClient:
    """One Greenhouse credential's API calls.

    :param config: the connection's settings.
    :param session: the sink's pooled session (timeouts always).
    :param tokens: the credential's bearer tokens.
    :param window: the credential's rate-limit window.
    """

    def __init__(
        self,
        config: GreenhouseConfig,
        session: requests.Session,
        tokens: TokenSource,
        window: RateLimitWindow,
    ) -> None:
        self._config = config
        self._session = session
        self._tokens = tokens
        self._window = window
        origin = urllib.parse.urlsplit(config.base_url)
        self._origin = (origin.scheme, origin.netloc)

    def find_candidates(self, email: str) -> list[int]:
        """Ids of the candidates with ``email`` (and an application on ``job_id`` when set)."""
        params = {"email": email}
        if self._config.job_id:
            params["job_id"] = self._config.job_id
        action = "look the candidate up by e-mail"
        ids: list[int] = []
        try:
            for page in self._pages("/v3/candidates", params, action):
                for item in page:
                    if not isinstance(item, dict) or type(item.get("id")) is not int:
                        raise AtsError(
                            "Greenhouse listed a candidate without an id", retryable=True
                        )
                    ids.append(item["id"])
        except AtsError as error:
            raise _without_email(error, email) from error
        return sorted(set(ids))

    def custom_fields(self) -> list[GreenhouseField]:
        """Every candidate custom field, soft-deleted ones included (``active: false``)."""
        params = {"field_type": "candidate", "include_inactive": "true"}
        found: list[GreenhouseField] = []
        for page in self._pages("/v3/custom_fields", params, "list the candidate custom fields"):
            for item in page:
                field = parse_field(item)
                if field is None:
                    raise AtsError("Greenhouse listed a custom field without an id", retryable=True)
                found.append(field)
        return found

    def update_custom_fields(self, candidate_id: int, elements: list[dict[str, t.Any]]) -> None:
        """Write custom field values; the body holds ``custom_fields`` only."""
        self._call(
            "PATCH",
            self._url(f"/v3/candidates/{candidate_id}"),
            f"update the custom fields of candidate {candidate_id}",
            json={"custom_fields": elements},
        )

    def add_note(self, candidate_id: int, body: str) -> None:
        """Add a note to the candidate's activity feed, written as ``user_id``."""
        note = {
            "candidate_id": candidate_id,
            "user_id": int(self._config.user_id),
            "body": body,
            "visibility": self._config.note_visibility,
        }
        action = f"add a note to candidate {candidate_id}"
        self._call("POST", self._url("/v3/notes"), action, json=note)

    def _pages(self, path: str, params: Mapping[str, str], action: str) -> Iterator[list[t.Any]]:
        url: str | None = self._url(path)
        query: Mapping[str, str] | None = params
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self._call("GET", url, action, params=query)
            try:
                page = response.json()
            except ValueError:
                page = None
            if not isinstance(page, list):
                raise invalid_body(response, action)
            yield page
            url, query = self._next_url(response, action), None
        raise AtsError(f"Greenhouse listed more than {MAX_PAGES} pages when asked to {action}")

    def _next_url(self, response: requests.Response, action: str) -> str | None:
        url = response.links.get("next", {}).get("url")
        if not url:
            return None
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(response.url, url))
        if (parts.scheme, parts.netloc) != self._origin:
            raise AtsError(f"Greenhouse linked to another host when asked to {action}")
        return parts.geturl()

    def _call(self, method: str, url: str, action: str, **kwargs: t.Any) -> requests.Response:
        refreshed, waits = False, 0
        while True:
            self._window.before_request()
            token = self._tokens.get()
            headers = {"Authorization": f"Bearer {token}"}
            try:
                response = self._session.request(method, url, headers=headers, **kwargs)
            except ResponseTooLargeError as exc:
                raise too_large_error(exc, method, url) from exc
            except requests.RequestException as exc:
                raise transport_error(exc, method, url) from exc
            delay = self._window.observe(response)
            if response.status_code == 401 and not refreshed:
                self._tokens.invalidate(token)
                refreshed = True
                continue
            if response.status_code == 429 and delay is not None and waits < MAX_RATE_LIMIT_WAITS:
                waits += 1  # the next before_request() waits for the reset or gives up
                continue
            if response.status_code >= 400:
                raise api_error(response, action, delay)
            return response

    def _url(self, path: str) -> str:
        return self._config.base_url + path


def _without_email(error: AtsError, email: str) -> AtsError:
    """``error`` with any echo of the e-mail (PII) in Greenhouse's reason replaced."""
    if not email or email.lower() not in error.message.lower():
        return error
    pattern = re.compile(re.escape(email), re.IGNORECASE)
    return AtsError(
        pattern.sub("the candidate's e-mail", error.message),
        status=error.status,
        retryable=error.retryable,
        retry_after=error.retry_after,
    )
