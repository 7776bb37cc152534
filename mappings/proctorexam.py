"""ProctorExam student session -> :class:`AssessmentResult` carrying a proctoring outcome.

Source: https://docs.proctorexam.com/v3/apidoc (``GET
/exams/:exam_id/student_sessions``; ``docs/vendors/proctorexam.md#results``) and the
statuses page. ProctorExam grades nothing: its result exists to be merged into the
assessment vendor's result with :func:`merge_proctoring`.

Accepted shapes (:func:`load_result`): a student session, ``{"student": ...}``
(``show_lti_student``) and ``{"students": [one]}``; :func:`load_sessions` maps a page.

Readings chosen where the documentation is silent:

- ``reviewed`` is a string of 0/1 flags (``"10"``, ``"00"``); the first flag is read
  as "a reviewer has reviewed the session".
- ``incidents[].offset_time`` is in seconds into the recording.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t
from collections.abc import Mapping

from marshmallow import ValidationError

from mappings.common import Record
from mappings.common import RecordList
from mappings.common import VendorSchema
from mappings.common import check_order
from mappings.common import only_item
from mappings.common import pick
from mappings.fields import Count
from mappings.fields import EmailAddress
from mappings.fields import Ident
from mappings.fields import Text
from mappings.result import AssessmentResult
from mappings.result import Incident
from mappings.result import Learner
from mappings.result import Proctoring
from mappings.result import ProctoringStatus
from mappings.result import ResultStatus
from mappings.time_fields import IsoDateTime
from mappings.time_fields import Seconds

VENDOR = "proctorexam"

_NOT_STARTED = (
    "registered",
    "emailsent",
    "emailbounced",
    "beforecheckreqmail",
    "aftercheckreqmail",
    "beforecheckreq",
    "aftercheckreq",
    "insetup",
    "examnotstarted",
)
#: ``status`` of a student session (normalised) -> status.
STATUS: Mapping[str, ResultStatus] = {
    **dict.fromkeys(_NOT_STARTED, ResultStatus.NOT_STARTED),
    "examstarted": ResultStatus.IN_PROGRESS,
    "examfinished": ResultStatus.COMPLETED,
}

_FLAGS = re.compile(r"[01]{1,16}")


class ProctorExamIncidentSchema(VendorSchema):
    id = Ident(load_default=None)
    comment = Text(load_default=None)
    created_at = IsoDateTime(load_default=None)
    offset_time = Seconds(load_default=None)

    def make(self, data: dict[str, t.Any]) -> Incident:
        return Incident(
            ref=data["id"],
            comment=data["comment"],
            at=data["created_at"],
            offset=data["offset_time"],
        )


class ProctorExamSessionSchema(VendorSchema):
    id = Ident(required=True)
    status = Text(required=True)
    exam_id = Ident(load_default=None)
    start_time = IsoDateTime(load_default=None)
    end_time = IsoDateTime(load_default=None)
    reviewed = Text(load_default=None)
    incidents = RecordList(ProctorExamIncidentSchema, load_default=(), allow_none=True)
    incidents_count = Count(load_default=None)
    review_commentary = Text(load_default=None)
    email = EmailAddress(load_default=None)
    name = Text(load_default=None)
    external_id = Ident(load_default=None)
    student_id = Ident(load_default=None)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        if data["status"] is None:
            raise ValidationError("A status is required.", "status")
        started, finished = data["start_time"], data["end_time"]
        check_order(started, finished, "end_time")
        return AssessmentResult(
            vendor=VENDOR,
            attempt_ref=data["id"],
            status=pick(STATUS, data["status"], "status"),
            test_ref=data["exam_id"],
            started_at=started,
            finished_at=finished,
            duration=None if started is None or finished is None else finished - started,
            proctoring=_proctoring(data),
            learner=Learner(
                email=data["email"],
                name=data["name"],
                external_id=data["external_id"] or data["student_id"],
            ),
        )


def _proctoring(data: Mapping[str, t.Any]) -> Proctoring:
    flags = data["reviewed"]
    if flags is not None and _FLAGS.fullmatch(flags) is None:
        raise ValidationError("Not a string of 0/1 review flags.", "reviewed")
    incidents: tuple[Incident, ...] = data["incidents"] or ()
    count = data["incidents_count"]
    return Proctoring(
        source=VENDOR,
        status=ProctoringStatus.REVIEWED
        if flags is not None and flags[0] == "1"
        else ProctoringStatus.PENDING,
        incidents_count=len(incidents) if count is None else count,
        incidents=incidents,
        comment=data["review_commentary"],
    )


class ProctorExamEnvelopeSchema(VendorSchema):
    student = Record(ProctorExamSessionSchema, required=True)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        result: AssessmentResult = data["student"]
        return result


class ProctorExamPageSchema(VendorSchema):
    students = RecordList(ProctorExamSessionSchema, required=True)

    def make(self, data: dict[str, t.Any]) -> tuple[AssessmentResult, ...]:
        results: tuple[AssessmentResult, ...] = data["students"]
        return results


_SESSION = ProctorExamSessionSchema()
_ENVELOPE = ProctorExamEnvelopeSchema()
_PAGE = ProctorExamPageSchema()


def load_result(raw: Mapping[str, t.Any]) -> AssessmentResult:
    """Map one student session to a canonical result whose ``proctoring`` is set.

    :raises marshmallow.ValidationError: when the payload is not a valid session.
    """
    if isinstance(raw, Mapping) and "students" in raw:
        only_item(raw, "students")
        return load_sessions(raw)[0]
    schema = _ENVELOPE if isinstance(raw, Mapping) and "student" in raw else _SESSION
    result: AssessmentResult = schema.load(raw)
    return result


def load_sessions(raw: Mapping[str, t.Any]) -> tuple[AssessmentResult, ...]:
    """Map a page of student sessions (``{"students": [...]}``).

    :raises marshmallow.ValidationError: when the page is not valid.
    """
    results: tuple[AssessmentResult, ...] = _PAGE.load(raw)
    return results


def merge_proctoring(result: AssessmentResult, proctoring: Proctoring) -> AssessmentResult:
    """Return ``result`` with its proctoring outcome replaced by ``proctoring``.

    The merged result has a new digest, so a finished proctoring review triggers a new
    delivery of an otherwise unchanged grade.
    """
    return dataclasses.replace(result, proctoring=proctoring)
