"""HTTP client for the Mettl REST API v2 (every call signed with ak/ts/asgn).

Endpoint facts: ``docs/vendors/mettl.md#endpoints-we-call`` and the Mettl knowledge base,
"API Documentation" articles at https://support.mettl.com/portal/en/kb/ (each method names
its article). Parameters travel in the query string for every method, POST included.
"""

from __future__ import annotations

import json
import logging
import time
import typing as t
import urllib.parse

from plugin.http.sessions import make_session
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.http import send
from plugin.vendors.mettl.errors import UNPARSED
from plugin.vendors.mettl.errors import VENDOR
from plugin.vendors.mettl.errors import error_for
from plugin.vendors.mettl.errors import parsed_body
from plugin.vendors.mettl.errors import reports_error
from plugin.vendors.mettl.signing import signed_query

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping
    from collections.abc import Sequence

    import requests

    from plugin.vendors.mettl.config import MettlConfig

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
MAX_REGISTRATIONS = 20
RECOMMENDATION_PARAM = json.dumps({"recommendation": True}, separators=(",", ":"))


class MettlClient:
    """One Mettl account: signs every request and turns failures into typed errors.

    :param config: the connection's settings.
    :param session: a pooled session (one per client; tests inject their own).
    :param clock: Unix time source for ``ts``.
    """

    def __init__(
        self,
        config: MettlConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._session = session if session is not None else make_session()
        self._clock = clock

    def account(self) -> dict[str, t.Any]:
        """Account information; the cheapest authenticated read.

        Doc: KB "1. Get Account Info",
        https://support.mettl.com/portal/en/kb/articles/get-account-info-api

        :raises InvalidResponseError: the answer holds no ``accountInfo`` object.
        """
        body = self._call("GET", ("v2", "account"))
        if not isinstance(body.get("accountInfo"), dict):
            raise InvalidResponseError(
                "answered the account information without an accountInfo object", vendor=VENDOR
            )
        return body

    def list_tests(self, *, limit: int = MAX_PAGE_SIZE, offset: int = 0) -> dict[str, t.Any]:
        """One page of the account's schedules (test links), with ``paging`` links.

        Doc: KB "Get All Schedules in Account" (``docs/vendors/mettl.md#schedules-listing``).
        Its page was not
        retrieved: the path, ``schedules`` key and limit/offset paging are read the way
        the candidates listing documents them.
        """
        return self._call("GET", ("v2", "schedules"), _page_params(limit, offset))

    def register_candidates(
        self,
        access_key: str,
        registrations: Sequence[Mapping[str, str]],
        *,
        allow_missing_mandatory_fields: bool = False,
        link_expiry_seconds: int | None = None,
    ) -> list[dict[str, t.Any]]:
        """Register up to 20 candidates in a schedule; one status entry per candidate.

        Doc: KB "15. Register Candidates in Schedule"
        (``POST /v2/schedules/{access-key}/candidates``, ``rd`` JSON in the query).

        :param registrations: registration fields per candidate, at least
            ``Email Address`` and ``First Name``.
        :raises ValueError: none, or more than 20, registrations.
        """
        if not 1 <= len(registrations) <= MAX_REGISTRATIONS:
            raise ValueError(f"Mettl registers 1 to {MAX_REGISTRATIONS} candidates per call")
        details = {"registrationDetails": [dict(item) for item in registrations]}
        params = {"rd": json.dumps(details, separators=(",", ":"))}
        if allow_missing_mandatory_fields:
            params["allowMissingMandatoryRegistrationFields"] = "true"
        if link_expiry_seconds is not None:
            params["timeLimitInSec"] = str(link_expiry_seconds)
        body = self._call("POST", ("v2", "schedules", access_key, "candidates"), params)
        entries = body.get("registrationStatus")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise InvalidResponseError(
                "answered a registration without registrationStatus entries", vendor=VENDOR
            )
        return entries

    def candidate_result(
        self,
        access_key: str,
        email: str,
        *,
        essay_responses: bool = False,
        recommendation: bool = False,
    ) -> dict[str, t.Any]:
        """Status and result of one candidate in a schedule (``{"candidate": ...}``).

        Doc: KB "17. Get Result of Candidate in Schedule"
        (``GET /v2/schedules/{access-key}/candidates/{candidate-email-id}``).
        """
        params = _result_params(essay_responses, recommendation)
        return self._call("GET", ("v2", "schedules", access_key, "candidates", email), params)

    def schedule_results(
        self,
        access_key: str,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str | None = None,
        sort_order: str | None = None,
        essay_responses: bool = False,
        recommendation: bool = False,
    ) -> dict[str, t.Any]:
        """One page of the status and results of all candidates in a schedule.

        Doc: KB "16. Get Results of All Candidates in Schedule"
        (``docs/vendors/mettl.md#reconciliation``):
        ``limit`` 1-100 (default 20), ``offset``, ``sort`` ``testStartTime``|``name``,
        ``sort_order`` ``asc``|``desc``; ``paging.next``/``paging.previous`` are URLs.
        """
        params = {**_page_params(limit, offset), **_result_params(essay_responses, recommendation)}
        if sort is not None:
            params["sort"] = sort
        if sort_order is not None:
            params["sort_order"] = sort_order
        return self._call("GET", ("v2", "schedules", access_key, "candidates"), params)

    def follow(self, paging_url: str) -> dict[str, t.Any]:
        """GET a ``paging.next``/``paging.previous`` URL as Mettl gave it.

        Mettl builds these URLs with the first request's parameters, signature
        included (its ``ts`` stays valid for 24 hours), so they are not re-signed.

        :raises InvalidResponseError: the URL leaves the configured base URL.
        """
        if not paging_url.startswith(self._config.base_url + "/"):
            raise InvalidResponseError(
                "gave a paging link outside the configured base URL", vendor=VENDOR
            )
        response = send(self._session, VENDOR, "GET", paging_url)
        return self._body(response, "GET", paging_url)

    def delete_result(self, access_key: str, email: str) -> dict[str, t.Any]:
        """Delete a candidate's result so the same e-mail may take the test again.

        Doc: KB "19. Delete Result of Candidate in Schedule" (``DELETE
        /v2/schedules/{access-key}/candidates/{candidate-email-id}``): only for a
        completed or expired test.
        """
        return self._call("DELETE", ("v2", "schedules", access_key, "candidates", email))

    def edit_schedule(self, access_key: str, settings: Mapping[str, t.Any]) -> dict[str, t.Any]:
        """Change settings of a schedule (only the ``sc`` keys given).

        Doc: KB "Edit Schedule" (``POST /v2/schedules/{access-key}/edit``, ``sc`` JSON in
        the query, signed as its JSON text like ``rd``). The answer's fields beyond
        ``status`` are not documented and not read
        (``docs/vendors/mettl.md#edit-schedule``).
        """
        params = {"sc": json.dumps(dict(settings), separators=(",", ":"))}
        return self._call("POST", ("v2", "schedules", access_key, "edit"), params)

    def _call(
        self, method: str, segments: tuple[str, ...], params: Mapping[str, str] | None = None
    ) -> dict[str, t.Any]:
        path = "/" + "/".join(urllib.parse.quote(segment, safe="@") for segment in segments)
        url = self._config.base_url + path
        query = signed_query(
            public_key=self._config.public_key,
            private_key=self._config.private_key,
            method=method,
            url=url,
            params=params or {},
            timestamp=int(self._clock()),
        )
        response = send(self._session, VENDOR, method, f"{url}?{query}")
        return self._body(response, method, url)

    def _body(self, response: requests.Response, method: str, url: str) -> dict[str, t.Any]:
        path = urllib.parse.urlsplit(url).path
        logger.debug("mettl %s %s -> %s", method, path, response.status_code)
        body = parsed_body(response)
        if reports_error(response, body):
            error = error_for(response, action=f"{method} {path}")
            logger.info("mettl %s %s failed: %s", method, path, error)
            raise error
        if body is UNPARSED or not isinstance(body, dict) or body.get("status") != "SUCCESS":
            raise InvalidResponseError(
                f"answered {method} {path} without a JSON body whose status is SUCCESS",
                vendor=VENDOR,
                status=response.status_code,
                body_excerpt=response.text[:200],
            )
        return body


def _page_params(limit: int, offset: int) -> dict[str, str]:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"Mettl pages hold 1 to {MAX_PAGE_SIZE} items, not {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, not {offset}")
    return {"limit": str(limit), "offset": str(offset)}


def _result_params(essay_responses: bool, recommendation: bool) -> dict[str, str]:
    params = {}
    if essay_responses:
        params["qr"] = "true"
    if recommendation:
        params["ir"] = RECOMMENDATION_PARAM
    return params
