"""HTTP client of the ProctorExam v3 API (https://docs.proctorexam.com/v3/apidoc.html).

Every call carries the token header and a fresh nonce/timestamp/signature
(:mod:`plugin.vendors.proctorexam.signing`), goes through one pooled session with
timeouts, and turns a failure into a typed error through
:func:`plugin.vendors.proctorexam.errors.error_for`.

A signed request must never be sent twice (its nonce would be refused), so the
default session retries only connection failures, where nothing reached the server.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import typing as t

from plugin.http.sessions import make_session
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.http import json_body
from plugin.vendors.http import send
from plugin.vendors.proctorexam import signing
from plugin.vendors.proctorexam.errors import VENDOR
from plugin.vendors.proctorexam.errors import error_for
from plugin.vendors.shapes import Call
from plugin.vendors.shapes import Shaped
from plugin.vendors.shapes import read_list
from plugin.vendors.shapes import read_object

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

    import requests

    from plugin.vendors.proctorexam.config import ProctorExamConfig

MAX_LIMIT = 300
#: Student session statuses the list filter accepts
#: (``docs/vendors/proctorexam.md#endpoints-we-call``).
SESSION_STATUSES = frozenset(
    {
        "registered",
        "before_check_req_mail",
        "email_bounced",
        "email_sent",
        "after_check_req_mail",
        "before_check_req",
        "after_check_req",
        "in_setup",
        "exam_not_started",
        "exam_started",
        "exam_finished",
    }
)
EXAM_STATUSES = frozenset({"draft", "open", "closed", "deleted"})
#: Where the exam list is looked for when not bare (``exams`` is our reading).
EXAM_LIST_KEYS = ("exams", "items", "data", "result")
_ACCEPT = "application/vnd.procwise.v3"
_EXAM_SESSIONS = "/exams/{exam_id}/student_sessions"
_PAGING_HEADERS = ("Page", "Page-Count", "Item-Count", "Limit")

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of an index endpoint with its ``X-Pagination-*`` headers."""

    items: list[dict[str, t.Any]]
    page: int
    page_count: int
    item_count: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count


class ProctorExamClient:
    """Signed calls for one ProctorExam user.

    :param config: the connection's settings.
    :param session: the pooled HTTP session; by default one that never resends a request.
    :param clock: seconds since the epoch, for ``timestamp``.
    :param nonce: source of numeric nonces (a :class:`signing.NonceSource` by default).
    """

    def __init__(
        self,
        config: ProctorExamConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], int] | None = None,
    ) -> None:
        self.config = config
        self._session = session or make_session(resend_reads=False)
        self._clock = clock
        self._nonce = nonce or signing.NonceSource(clock)

    def list_tests(
        self, *, page: int = 1, limit: int = MAX_LIMIT, status: str | None = None
    ) -> Page:
        """One page of the user's exams (see :meth:`read_exams`)."""
        return self.read_exams(page=page, limit=limit, status=status).value

    def read_exams(
        self, *, page: int = 1, limit: int = MAX_LIMIT, status: str | None = None
    ) -> Shaped[Page]:
        """One page of the user's exams (``GET /exams``), with the form the answer came in.

        https://docs.proctorexam.com/v3/apidoc.html (exams: index) — the page shows no
        response body, so the list is read bare or under ``exams`` (our reading, and the
        simulator's default), ``items``, ``data`` or ``result``; each must have an ``id``.
        The ``X-Pagination-*`` headers are documented and required.
        """
        if status is not None and status not in EXAM_STATUSES:
            raise ValueError(f"unknown exam status {status!r}")
        params = _paging(page, limit) | ({"status": status} if status else {})
        response = self._send("GET", "/exams", {}, params)
        read = read_list(
            json_body(response, VENDOR),
            call=self._call("GET /exams", "the exam list"),
            item_key="id",
            documented="exams",
            keys=EXAM_LIST_KEYS,
        )
        return Shaped(_paged(read.value, response), read.form, read.warning)

    def get_exam(self, exam_id: int | str) -> dict[str, t.Any]:
        """One exam (``GET /exams/:id``).

        https://docs.proctorexam.com/v3/apidoc.html (exams: show)
        """
        answer = self._json("GET", "/exams/{id}", {"id": exam_id}, {})
        return self._one(answer, "exam", "GET /exams/:id", "the exam")

    def create_student_session(
        self,
        exam_id: int | str,
        *,
        name: str,
        email: str,
        individual_info: str | None = None,
        skip_requirements: bool | None = None,
    ) -> dict[str, t.Any]:
        """Add a student to an exam (``POST /exams/:exam_id/student_sessions``).

        https://docs.proctorexam.com/v3/apidoc.html (student_sessions: create) — a second
        session with the same email in one exam is refused with 422
        ``{"email": ["has already been taken"]}``.
        """
        params: dict[str, object] = {"name": name, "email": email}
        if individual_info is not None:
            params["individual_info"] = individual_info
        if skip_requirements is not None:
            params["skip_requirements"] = skip_requirements
        answer = self._json("POST", _EXAM_SESSIONS, {"exam_id": exam_id}, params)
        return self._one(answer, "student", f"POST {_EXAM_SESSIONS}", "the student session")

    def send_emails(self, exam_id: int | str) -> list[dict[str, t.Any]]:
        """Email the exam's students their links (``POST /exams/:id/send_emails``).

        https://docs.proctorexam.com/v3/apidoc.html (exams: send_emails) — answers
        ``{"students": [{"id": 1, "status": "email_sent"}]}``.
        """
        answer = self._json("POST", "/exams/{id}/send_emails", {"id": exam_id}, {})
        students = answer.get("students") if isinstance(answer, dict) else None
        if not isinstance(students, list):
            raise InvalidResponseError(
                "send_emails answered without a students list", vendor=VENDOR
            )
        return students

    def get_student_session(self, session_id: int | str) -> dict[str, t.Any]:
        """One student session, with ``reviewed``, ``incidents`` and ``incidents_count``
        (``GET /student_sessions/:id``).

        https://docs.proctorexam.com/v3/apidoc.html (student_sessions: show)
        """
        answer = self._json("GET", "/student_sessions/{id}", {"id": session_id}, {})
        return self._one(answer, "student", "GET /student_sessions/:id", "the student session")

    def list_student_sessions(
        self,
        exam_id: int | str,
        *,
        status: str | None = None,
        page: int = 1,
        limit: int = MAX_LIMIT,
        filter_json: str | None = None,
        sort_json: str | None = None,
    ) -> Page:
        """One page of an exam's student sessions (``GET /exams/:exam_id/student_sessions``).

        https://docs.proctorexam.com/v3/apidoc.html (student_sessions: index);
        ``docs/vendors/proctorexam.md#reconciliation``

        :param filter_json: ``filter`` as sent, e.g. ``{"updated_at":{"gte":"..."}}``.
        :param sort_json: ``sort`` as sent, e.g. ``[{"updated_at":"asc"}]``.
        """
        if status is not None and status not in SESSION_STATUSES:
            raise ValueError(f"unknown student session status {status!r}")
        params: dict[str, object] = _paging(page, limit)
        for name, value in (("status", status), ("filter", filter_json), ("sort", sort_json)):
            if value is not None:
                params[name] = value
        return self._page(_EXAM_SESSIONS, {"exam_id": exam_id}, params, "students")

    def _page(
        self, path: str, ids: Mapping[str, object], params: Mapping[str, object], key: str
    ) -> Page:
        """A page of an index whose body is documented: ``{key: [...]}``, read strictly."""
        response = self._send("GET", path, ids, params)
        answer = json_body(response, VENDOR)
        items = answer.get(key) if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise InvalidResponseError(f"the page has no {key} list", vendor=VENDOR)
        return _paged(items, response)

    def _one(self, answer: object, key: str, request: str, what: str) -> dict[str, t.Any]:
        """The object of a show/create answer: ``{key: {...}}`` (our reading), or bare.

        No v3 page shows these bodies (only ``show_lti_student``'s ``{"student": ...}``),
        so both forms are read; the form seen is logged once per connection.
        """
        call = self._call(request, what)
        return read_object(
            answer, call=call, wrapper=key, required="id", documented_wrapped=True
        ).value

    def _call(self, request: str, what: str) -> Call:
        return Call(VENDOR, "ProctorExam", request, what, self.config.api_root)

    def _json(
        self, method: str, path: str, ids: Mapping[str, object], params: Mapping[str, object]
    ) -> t.Any:
        return json_body(self._send(method, path, ids, params), VENDOR)

    def _send(
        self, method: str, path: str, ids: Mapping[str, object], params: Mapping[str, object]
    ) -> requests.Response:
        """Sign ``ids`` (the path's parameters) with ``params``; send ``params`` and the
        signature as the query (GET) or the JSON body (other methods)."""
        full = signing.signed(
            self.config.secret_key,
            {**ids, **params},
            timestamp_ms=int(self._clock() * 1000),
            nonce=self._nonce(),
        )
        sent = {name: value for name, value in full.items() if name not in ids}
        url = self.config.api_root + path.format(**ids)
        headers = {
            "Accept": _ACCEPT,
            "Authorization": f"Token token={self.config.api_token}",
            "Content-Type": "application/json",
        }
        options: dict[str, t.Any] = {"params": sent} if method == "GET" else {"json": sent}
        response = send(self._session, VENDOR, method, url, headers=headers, **options)
        if not response.ok:
            error = error_for(response, action=f"{method} {path}")
            logger.info("ProctorExam %s %s failed: %s", method, path, error)
            raise error
        return response


def _paging(page: int, limit: int) -> dict[str, object]:
    if page < 1:
        raise ValueError("page numbers start at 1")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    return {"page": page, "limit": limit}


def _paged(items: list[dict[str, t.Any]], response: requests.Response) -> Page:
    try:
        numbers = [int(response.headers[f"X-Pagination-{name}"]) for name in _PAGING_HEADERS]
    except (KeyError, ValueError) as exc:
        raise InvalidResponseError(
            "the page has no usable X-Pagination-* headers", vendor=VENDOR
        ) from exc
    return Page(items, *numbers)
