"""HTTP client of the StartExam API (https://api.startexam.com/).

Every call is signed with SharedKey (:mod:`plugin.vendors.startexam.signing`),
goes through one pooled session with timeouts, and turns a failure into one of
the typed errors of :mod:`plugin.vendors.errors` through
:func:`plugin.vendors.startexam.errors.error_for`.
"""

from __future__ import annotations

import json
import logging
import time
import typing as t

from plugin.http.sessions import make_session
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.http import json_body
from plugin.vendors.http import send
from plugin.vendors.shapes import Call
from plugin.vendors.shapes import Shaped
from plugin.vendors.shapes import read_list
from plugin.vendors.startexam import signing
from plugin.vendors.startexam.errors import VENDOR
from plugin.vendors.startexam.errors import error_for

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping
    from collections.abc import Sequence

    import requests

    from plugin.vendors.startexam.config import StartExamConfig

MAX_TESTS_PER_REGISTRATION = 10
MAX_PARTICIPANTS_PER_REGISTRATION = 1000
_JSON = "application/json; charset=utf-8"
Tests = list[dict[str, t.Any]]

logger = logging.getLogger(__name__)


class StartExamClient:
    """Signed calls to one StartExam account.

    :param config: the connection's settings.
    :param session: the pooled HTTP session (one from :func:`make_session` by default).
    :param clock: seconds since the epoch, for the ``Date`` header.
    """

    def __init__(
        self,
        config: StartExamConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._session = session or make_session()
        self._clock = clock
        self._key = config.key_bytes()

    def register_participants(
        self,
        *,
        tests: Sequence[str],
        participants: Sequence[Mapping[str, str]],
        valid_from: str,
        valid_till: str,
        proctoring: bool = False,
    ) -> list[str]:
        """Register participants for tests and return their ids, in order.

        https://api.startexam.com/Methods/RegisterParticipantsV2

        :param participants: one mapping per participant of StartExam field names (as set
            in the test's settings, e.g. ``First Name``) to values.
        :param valid_from: link activation, UTC ISO 8601.
        :param valid_till: link expiry, UTC ISO 8601.
        :raises ValueError: more tests or participants than StartExam accepts in one call.
        """
        if not 1 <= len(tests) <= MAX_TESTS_PER_REGISTRATION:
            raise ValueError(f"a registration names 1 to {MAX_TESTS_PER_REGISTRATION} tests")
        if not 1 <= len(participants) <= MAX_PARTICIPANTS_PER_REGISTRATION:
            raise ValueError(
                f"a registration carries 1 to {MAX_PARTICIPANTS_PER_REGISTRATION} participants"
            )
        body = {
            "center": self.config.center,
            "validFrom": valid_from,
            "validTill": valid_till,
            "proctoring": proctoring,
            "tests": list(tests),
            "participants": [
                {"data": [{"name": name, "value": value} for name, value in person.items()]}
                for person in participants
            ],
        }
        answer = self._request("POST", "/v2/participants", body=body)
        ids = answer.get("participantIds") if isinstance(answer, dict) else None
        if not isinstance(ids, list) or len(ids) != len(participants):
            raise self._invalid("register participants answered without one id per participant")
        return [str(participant_id) for participant_id in ids]

    def get_session(self, participant_id: str) -> dict[str, t.Any]:
        """The session report of one participant.

        https://api.startexam.com/Methods/GetSessionReportV2
        """
        answer = self._request("GET", "/v2/session", params={"participantId": participant_id})
        if not isinstance(answer, dict) or "participantId" not in answer:
            raise self._invalid("the session report has no participantId")
        return answer

    def list_sessions(
        self, *, modified_since: str, continuation_token: str | None = None
    ) -> dict[str, t.Any]:
        """One page (at most 500) of sessions of the center modified since a moment.

        https://api.startexam.com/Methods/GetSessions — the answer carries either
        ``continuationToken`` (more pages; single use) or ``modifiedUntil`` (done; the
        next ``modifiedSince``).
        """
        params = {"center": self.config.center, "modifiedSince": modified_since}
        if continuation_token:
            params["continuationToken"] = continuation_token
        answer = self._request("GET", "/v2/sessions", params=params)
        if not isinstance(answer, dict) or not isinstance(answer.get("sessions"), list):
            raise self._invalid("the sessions page has no sessions list")
        if not answer.get("continuationToken") and not answer.get("modifiedUntil"):
            raise self._invalid("the sessions page has neither continuationToken nor modifiedUntil")
        return answer

    def list_tests(
        self, *, status: str | None = None, kind: str | None = None
    ) -> list[dict[str, t.Any]]:
        """The account's tests (see :meth:`read_tests`)."""
        return self.read_tests(status=status, kind=kind).value

    def read_tests(self, *, status: str | None = None, kind: str | None = None) -> Shaped[Tests]:
        """The account's tests, with the form the answer came in.

        https://api.startexam.com/Methods/GetTests — the stored page shows no response
        body, so the list is read bare or under ``tests`` (our reading, and the
        simulator's default), ``items``, ``data`` or ``result``; each must have a
        ``testId``.

        :param status: ``active``, ``archive`` or ``deleted`` (all when None).
        :param kind: ``test`` or ``survey`` (both when None).
        """
        params = {name: value for name, value in (("status", status), ("type", kind)) if value}
        answer = self._request("GET", "/v1/tests", params=params)
        call = Call(
            VENDOR,
            "StartExam",
            "GET /v1/tests",
            "the test list",
            f"{self.config.api_root} {self.config.account_id}",
        )
        return read_list(answer, call=call, item_key="testId", documented="tests")

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, t.Any] | None = None,
    ) -> t.Any:
        url = self.config.api_root + path
        payload = b"" if body is None else json.dumps(body).encode("utf-8")
        date = signing.http_date(self._clock())
        headers = {
            "Accept": _JSON,
            "Content-Type": _JSON,
            "Date": date,
            "Authorization": signing.authorization(
                self.config.account_id, self._key, method, url, date, len(payload)
            ),
        }
        response = send(
            self._session, VENDOR, method, url, params=params, data=payload or None, headers=headers
        )
        if not response.ok:
            error = error_for(response, action=f"{method} {signing.canonical_path(url)}")
            logger.info("StartExam %s %s failed: %s", method, path, error)
            raise error
        return json_body(response, VENDOR)

    def _invalid(self, what: str) -> InvalidResponseError:
        return InvalidResponseError(f"answered unexpectedly: {what}", vendor=VENDOR)
