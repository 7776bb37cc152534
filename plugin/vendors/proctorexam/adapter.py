"""ProctorExam behind the :class:`plugin.vendors.base.VendorAdapter` interface.

ProctorExam is a proctoring layer: an assessment may name a ProctorExam exam beside
its main vendor, and this adapter's "test" is that exam.

- Start: create the student session for the exam (one per email and exam; a second
  create is refused, so the existing session is looked up instead), have ProctorExam
  send the invitation emails when the session has no access token yet, and send the
  student to the link built from ``student_url_template``.
- Completion: ProctorExam documents no webhook; completion is found by polling
  (:meth:`list_changes`). :meth:`parse_signal` accepts a bare trigger naming a
  student session (for the institute ``callback_url``, whose use is undocumented).
- Result: the student session, including ``reviewed``, ``incidents`` and
  ``incidents_count``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import typing as t
import urllib.parse

from plugin.vendors.base import ActionOutcome
from plugin.vendors.base import AdminAction
from plugin.vendors.base import ChangedAttempt
from plugin.vendors.base import ChangesPage
from plugin.vendors.base import CompletionSignal
from plugin.vendors.base import ConnectionReport
from plugin.vendors.base import RawResult
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartedAttempt
from plugin.vendors.base import VendorTest
from plugin.vendors.common import checked
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.payloads import json_body
from plugin.vendors.proctorexam.client import MAX_LIMIT
from plugin.vendors.proctorexam.client import ProctorExamClient
from plugin.vendors.proctorexam.cursor import SweepCursor
from plugin.vendors.proctorexam.errors import VENDOR

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator

    import requests

    from plugin.vendors.base import IncomingRequest
    from plugin.vendors.base import StartRequest
    from plugin.vendors.proctorexam.config import ProctorExamConfig

FINISHED = "exam_finished"
_SORT = json.dumps([{"updated_at": "asc"}], separators=(",", ":"))


class ProctorExamAdapter:
    """One ProctorExam connection.

    :param config: the connection's settings.
    :param session: pooled HTTP session (by default one that never resends a request).
    :param clock: seconds since the epoch (request timestamps, fetch times).
    :param page_limit: page size of listings (1..300).
    """

    kind: t.ClassVar[str] = VENDOR
    supported_actions: t.ClassVar[frozenset[AdminAction]] = frozenset({AdminAction.SEND_EMAIL})

    def __init__(
        self,
        config: ProctorExamConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        page_limit: int = MAX_LIMIT,
    ) -> None:
        if not 1 <= page_limit <= MAX_LIMIT:
            raise ValueError(f"page_limit must be between 1 and {MAX_LIMIT}")
        self.config = config
        self.client = ProctorExamClient(config, session=session, clock=clock)
        self._clock = clock
        self._limit = page_limit

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        """Create (or find) the learner's student session and return its link."""
        exam_id = request.test_id
        try:
            student = self.client.create_student_session(
                exam_id, name=request.learner.full_name, email=request.learner.email
            )
        except VendorRefusedError as exc:
            if exc.status != 422 or "already been taken" not in exc.message:
                raise
            student = self._by_email(exam_id, request.learner.email)
        if not student.get("token"):
            self.client.send_emails(exam_id)
            student = self.client.get_student_session(student["id"])
        token = student.get("token")
        if not token:
            raise VendorRefusedError(
                f"ProctorExam gave student session {student['id']} no access token even after "
                "sending the exam emails; check the exam's settings in ProctorExam",
                vendor=VENDOR,
            )
        link = self.config.student_url(token=str(token), session_id=student["id"], exam_id=exam_id)
        return StartedAttempt(vendor_ref=str(student["id"]), redirect_url=link)

    def parse_signal(self, request: IncomingRequest) -> CompletionSignal:
        """A trigger naming a student session: ``student_session_id`` (or ``id``) in the
        query, a form or a JSON body. Nothing is signed, so it is never trusted.

        :raises SignalRejectedError: no numeric session id.
        """
        fields = {**_body_fields(request), **request.query}
        value = str(fields.get("student_session_id") or fields.get("id") or "")
        if not value.isdigit():
            raise SignalRejectedError("ProctorExam trigger without a numeric student_session_id")
        return CompletionSignal(kind=SignalKind.CALLBACK, vendor_ref=value, authenticated=False)

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        """The student session as ProctorExam shows it (``GET /student_sessions/:id``)."""
        payload = self.client.get_student_session(vendor_ref)
        return RawResult(
            vendor_ref=vendor_ref,
            payload=payload,
            fetched_at=dt.datetime.fromtimestamp(self._clock(), dt.UTC),
        )

    def list_changes(self, cursor: str | None) -> ChangesPage:
        """One page of finished sessions updated since the last sweep (see :mod:`.cursor`)."""
        position = SweepCursor.decode(cursor)
        if position.exams is None:
            position = position.begin(tuple(exam["id"] for exam in self._exams()))
        while position.exams:
            try:
                page = self.client.list_student_sessions(
                    position.exams[0],
                    status=FINISHED,
                    page=position.page,
                    limit=self._limit,
                    filter_json=_updated_since(position.updated_since),
                    sort_json=_SORT,
                )
            except NotFoundError:
                position = position.next_exam()
                continue
            items = tuple(_changed(student) for student in page.items)
            position = position.seen(s["updated_at"] for s in page.items if s.get("updated_at"))
            position = position.next_page() if page.has_next else position.next_exam()
            if position.exams:
                return ChangesPage(items=items, next_cursor=position.encode(), has_more=True)
            return ChangesPage(items=items, next_cursor=position.finish().encode(), has_more=False)
        return ChangesPage(items=(), next_cursor=position.finish().encode(), has_more=False)

    def list_tests(self) -> list[VendorTest]:
        """The user's exams that are not deleted."""
        return [
            VendorTest(
                id=str(exam["id"]),
                title=str(exam.get("name") or exam["id"]),
                description=str(exam.get("description") or ""),
                duration_minutes=exam.get("duration_minutes"),
            )
            for exam in self._exams()
        ]

    def perform(self, action: AdminAction, vendor_ref: str, *, test_id: str) -> ActionOutcome:
        """Send email: have ProctorExam (re)send the exam's invitation emails.

        :raises VendorRefusedError: any other action.
        """
        if action is not AdminAction.SEND_EMAIL:
            raise VendorRefusedError(f"ProctorExam does not support {action.value}", vendor=VENDOR)
        students = self.client.send_emails(test_id)
        return ActionOutcome(action, vendor_ref, f"emails sent for {len(students)} student(s)")

    def check_connection(self) -> ConnectionReport:
        """Read one page of exams; each must be an exam with an id (the list in any form
        :meth:`ProctorExamClient.read_exams` reads; another than ours is a warning)."""
        return checked(self._read_exams)

    def _read_exams(self) -> ConnectionReport:
        read = self.client.read_exams(limit=1)
        host = urllib.parse.urlsplit(self.config.base_url).netloc
        return ConnectionReport(
            auth_ok=True,
            detail=f"ProctorExam {host}",
            catalogue=f"{read.value.item_count} exams",
            warnings=read.warnings,
        )

    def _exams(self) -> Iterator[dict[str, t.Any]]:
        number = 1
        while True:
            page = self.client.list_tests(page=number, limit=self._limit)
            yield from (exam for exam in page.items if exam.get("status") != "deleted")
            if not page.has_next:
                return
            number += 1

    def _by_email(self, exam_id: str, email: str) -> dict[str, t.Any]:
        match = json.dumps({"email": {"eq": email}}, separators=(",", ":"))
        page = self.client.list_student_sessions(exam_id, filter_json=match, limit=1)
        if not page.items:
            raise VendorRefusedError(
                f"ProctorExam says {email} is taken in exam {exam_id} but lists no such session",
                vendor=VENDOR,
            )
        return page.items[0]


def _updated_since(stamp: str | None) -> str | None:
    if stamp is None:
        return None
    return json.dumps({"updated_at": {"gte": stamp}}, separators=(",", ":"))


def _changed(student: t.Any) -> ChangedAttempt:
    if not isinstance(student, dict) or "id" not in student:
        raise InvalidResponseError("a listed student session has no id", vendor=VENDOR)
    stamp = student.get("updated_at")
    return ChangedAttempt(
        vendor_ref=str(student["id"]),
        changed_at=dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else None,
        status=student.get("status"),
    )


def _body_fields(request: IncomingRequest) -> dict[str, str]:
    if not request.body:
        return {}
    content_type = request.header("Content-Type") or ""
    if "json" in content_type:
        data = json_body(request, what="ProctorExam trigger body")
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    pairs = urllib.parse.parse_qsl(request.body.decode("utf-8", "replace"))
    return dict(pairs)
