"""HTTP client for the iMocha REST API v3 (static ``X-API-KEY``, JSON bodies).

Endpoint facts: ``docs/vendors/imocha.md#endpoints-we-call`` and
https://developer.imocha.io (each method names its page).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import typing as t

from plugin.http.sessions import make_session
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.http import json_body
from plugin.vendors.http import send
from plugin.vendors.imocha.errors import VENDOR
from plugin.vendors.imocha.errors import error_for
from plugin.vendors.shapes import Call
from plugin.vendors.shapes import Shaped
from plugin.vendors.shapes import read_enveloped_list
from plugin.vendors.shapes import read_object

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    import requests

    from plugin.vendors.imocha.config import IMochaConfig

logger = logging.getLogger(__name__)

MAX_CALLBACK_IDS = 100
MAX_TESTS_PAGE = 100
ATTEMPT_STATES = ("completed", "cancelled", "expired")


@dataclasses.dataclass(frozen=True)
class ListedTests:
    """One page of "Get all tests": the tests (each with a ``testId``) and, when iMocha
    gives it, the account's total."""

    tests: list[dict[str, t.Any]]
    total: int | None


class IMochaClient:
    """One iMocha account; failures become typed errors.

    :param config: the connection's settings.
    :param session: a pooled session (one per client; tests inject their own).

    iMocha requests carry no timestamp or signature, so the client needs no clock.
    """

    def __init__(self, config: IMochaConfig, *, session: requests.Session | None = None) -> None:
        self._config = config
        self._session = session if session is not None else make_session()

    def list_tests(self, *, page_no: int = 1, page_size: int = MAX_TESTS_PAGE) -> ListedTests:
        """One page of the account's tests (see :meth:`read_tests`)."""
        return self.read_tests(page_no=page_no, page_size=page_size).value

    def read_tests(
        self, *, page_no: int = 1, page_size: int = MAX_TESTS_PAGE
    ) -> Shaped[ListedTests]:
        """One page of the account's tests, with the form the answer came in.

        Doc: developer.imocha.io "Get all tests"; its page was not retrieved, so the
        ``pageNo``/``pageSize`` paging and ``{"result": {"tests": [...], "total": n}}``
        (our reading, and the simulator's default) follow the documented endpoints. The
        list is also read bare, or under ``result``, ``tests``, ``items`` or ``data``
        (:func:`plugin.vendors.shapes.read_enveloped_list`); each must have a ``testId``.
        """
        if page_no < 1 or not 1 <= page_size <= MAX_TESTS_PAGE:
            raise ValueError(f"page_no >= 1 and page_size 1-{MAX_TESTS_PAGE} required")
        params = {"pageNo": page_no, "pageSize": page_size}
        answer = self._request("GET", "/v3/tests", params=params)
        call = Call(VENDOR, "iMocha", "GET /v3/tests", "the test list", self._config.base_url)
        read = read_enveloped_list(
            answer, call=call, item_key="testId", envelope="result", documented="tests"
        )
        return Shaped(ListedTests(read.value, _total(answer)), read.form, read.warning)

    def invite(
        self,
        test_id: str,
        *,
        email: str,
        name: str,
        callback_url: str | None = None,
        redirect_url: str | None = None,
        send_email: bool = False,
    ) -> dict[str, t.Any]:
        """Invite a candidate; the same e-mail always gets the same invitation.

        Doc: developer.imocha.io "Invite candidate" (``POST /v3/tests/{testId}/invite``)
        -> ``{"testInvitationId", "testUrl", "status"}``.
        """
        body: dict[str, t.Any] = {
            "email": email,
            "name": name,
            "sendEmail": "yes" if send_email else "no",
        }
        if callback_url:
            body["callbackUrl"] = callback_url
        if redirect_url:
            body["redirectUrl"] = redirect_url
        answer = self._call("POST", f"/v3/tests/{_segment(test_id)}/invite", json=body)
        return _invitation(answer)

    def report(self, invitation_id: int, *, report_type: int = 1) -> dict[str, t.Any]:
        """The candidate's test report: 1 sections, 2 skills, 3 both.

        Doc: developer.imocha.io "Retrieve candidate test report"
        (``GET /v3/reports/{testInvitationId}?reportType=``;
        ``docs/vendors/imocha.md#results``).  The page lists the report's fields but not
        what surrounds them, so the report is read bare (our reading) or inside iMocha's
        ``result`` envelope; it must carry its ``testInvitationId``.
        """
        path = f"/v3/reports/{int(invitation_id)}"
        answer = self._call("GET", path, params={"reportType": report_type})
        call = Call(VENDOR, "iMocha", "GET /v3/reports/{id}", "the report", self._config.base_url)
        return read_object(
            answer,
            call=call,
            wrapper="result",
            required="testInvitationId",
            documented_wrapped=False,
        ).value

    def process_callbacks(self, invitation_ids: Sequence[int]) -> dict[str, t.Any]:
        """Ask iMocha to send the callbacks of up to 100 invitations again.

        Doc: developer.imocha.io "Process Callbacks" (``POST /v3/callbacks/process``);
        queued by iMocha -> ``{"result": {"testinvitationIds": {"successful", "failed"}}}``.
        """
        if not 1 <= len(invitation_ids) <= MAX_CALLBACK_IDS:
            raise ValueError(f"iMocha replays 1 to {MAX_CALLBACK_IDS} invitations per call")
        body = {"testinvitationIds": [int(i) for i in invitation_ids]}
        return self._call("POST", "/v3/callbacks/process", json=body)

    def test_attempts(
        self, state: str, *, start: dt.datetime, end: dt.datetime
    ) -> list[dict[str, t.Any]]:
        """Invitations that reached ``state`` between ``start`` and ``end`` (UTC).

        Doc: developer.imocha.io "Retrieve Invites"
        (``POST /v3/candidates/testattempts?state=completed|cancelled|expired``).
        """
        if state not in ATTEMPT_STATES:
            raise ValueError(f"state must be one of {ATTEMPT_STATES}")
        body = {"StartDateTime": _iso(start), "EndDateTime": _iso(end)}
        answer = self._call(
            "POST", "/v3/candidates/testattempts", params={"state": state}, json=body
        )
        result = answer.get("result")
        attempts = result.get("testAttempts") if isinstance(result, dict) else None
        if not isinstance(attempts, list):
            raise InvalidResponseError(
                "answered Retrieve Invites without result.testAttempts", vendor=VENDOR
            )
        return [item for item in attempts if isinstance(item, dict)]

    def reattempt(self, invitation_id: int, *, send_email: bool = False) -> dict[str, t.Any]:
        """Let a candidate take the test again; a finished invitation gets a new id.

        Doc: developer.imocha.io "Reattempt"
        (``POST /v3/invitations/{testInvitationId}/reattempt``); callback and redirect
        URLs are inherited from the original invitation.
        """
        body = {"sendEmail": "yes" if send_email else "no"}
        answer = self._call("POST", f"/v3/invitations/{int(invitation_id)}/reattempt", json=body)
        return _invitation(answer)

    def cancel(self, invitation_id: int) -> dict[str, t.Any]:
        """Cancel a Pending invitation.

        Doc: developer.imocha.io "Cancel invitation"
        (``POST /v3/invitations/{testInvitationId}/cancel``).
        """
        return self._call("POST", f"/v3/invitations/{int(invitation_id)}/cancel", json={})

    def _call(self, method: str, path: str, **kwargs: t.Any) -> dict[str, t.Any]:
        """The answer, which must be a JSON object (every documented iMocha body is one)."""
        body = self._request(method, path, **kwargs)
        if not isinstance(body, dict):
            raise InvalidResponseError(
                f"answered {method} {path} with JSON that is not an object",
                vendor=VENDOR,
                body_excerpt=str(body)[:200],
            )
        return body

    def _request(self, method: str, path: str, **kwargs: t.Any) -> t.Any:
        headers = {"X-API-KEY": self._config.api_key, "Accept": "application/json"}
        response = send(
            self._session, VENDOR, method, self._config.base_url + path, headers=headers, **kwargs
        )
        logger.debug("imocha %s %s -> %s", method, path, response.status_code)
        if response.status_code >= 400:
            error = error_for(response, action=f"{method} {path}")
            logger.info("imocha %s %s failed: %s", method, path, error)
            raise error
        return json_body(response, VENDOR)


def _total(answer: object) -> int | None:
    """``total`` beside the list: inside ``result`` (our reading) or at the top."""
    holder = answer.get("result") if isinstance(answer, dict) else None
    for place in (holder, answer):
        total = place.get("total") if isinstance(place, dict) else None
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            return total
    return None


def _invitation(answer: dict[str, t.Any]) -> dict[str, t.Any]:
    invitation_id, url = answer.get("testInvitationId"), answer.get("testUrl")
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool) or not url:
        raise InvalidResponseError(
            "answered without testInvitationId and testUrl",
            vendor=VENDOR,
            body_excerpt=str(answer)[:200],
        )
    return answer


def _segment(test_id: str) -> str:
    text = str(test_id).strip()
    if not text.isdigit():
        raise ValueError(f"an iMocha test id is a number, got {test_id!r}")
    return text


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
