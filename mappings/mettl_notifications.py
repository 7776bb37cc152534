"""Mettl notification payloads (``testFinishNotificationUrl``, ``testGradedNotificationUrl``).

Source: ``docs/vendors/mettl.md#notification-fields`` (field names from a third-party
fixture; Mettl does not sign these calls, so they are triggers: the bridge re-fetches
the result).

- ``finishTest``: the learner finished; grading may still run -> ``submitted``.
- ``gradedAssessment``: carries a full ``testStatus``; when it does not, the flat
  ``marks_scored``/``max_marks``/``*_GMT`` fields are used. Its ``sectional_scores`` is
  a JSON string of undocumented shape and is not read.
"""

from __future__ import annotations

import typing as t

from marshmallow import ValidationError
from marshmallow import fields

from mappings.common import Record
from mappings.common import VendorSchema
from mappings.common import check_not_above
from mappings.common import check_order
from mappings.common import learner_from_fields
from mappings.fields import ZERO
from mappings.fields import Amount
from mappings.fields import EmailAddress
from mappings.fields import Ident
from mappings.fields import Text
from mappings.fields import token
from mappings.mettl_result import COMPLETION_STATUS
from mappings.mettl_result import VENDOR
from mappings.mettl_result import MettlTestStatusSchema
from mappings.mettl_result import build_from_test_status
from mappings.mettl_result import build_result
from mappings.result import AssessmentResult
from mappings.result import Learner
from mappings.result import ResultStatus
from mappings.time_fields import Rfc1123DateTime
from mappings.time_fields import Seconds


class MettlFinishNotificationSchema(VendorSchema):
    assessment_id = Ident(load_default=None)
    email = EmailAddress(load_default=None)
    name = Text(load_default=None)
    timestamp = Rfc1123DateTime(data_key="timestamp_GMT", load_default=None)
    finish_mode = Text(load_default=None)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        if data["email"] is None:
            raise ValidationError("A candidate needs an e-mail address.", "email")
        return AssessmentResult(
            vendor=VENDOR,
            attempt_ref=data["email"],
            status=ResultStatus.SUBMITTED,
            test_ref=data["assessment_id"],
            finished_at=data["timestamp"],
            completion_mode=data["finish_mode"],
            learner=Learner(email=data["email"], name=data["name"]),
        )


class MettlGradedNotificationSchema(VendorSchema):
    assessment_id = Ident(data_key="assessmentId", load_default=None)
    assessment_name = Text(load_default=None)
    email = EmailAddress(load_default=None)
    registration = fields.Dict(
        keys=fields.String(), data_key="registrationDetails", load_default=None
    )
    test_status = Record(MettlTestStatusSchema, data_key="testStatus", load_default=None)
    marks_scored = Amount(load_default=None)
    max_marks = Amount(low=ZERO, load_default=None)
    total_attempt_time = Seconds(load_default=None)
    start_time = Rfc1123DateTime(data_key="start_time_GMT", load_default=None)
    end_time = Rfc1123DateTime(data_key="end_time_GMT", load_default=None)
    finish_mode = Text(load_default=None)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        registration = data["registration"] or {}
        learner = learner_from_fields(sorted(registration.items()), "registrationDetails")
        refs = {"test_ref": data["assessment_id"], "test_name": data["assessment_name"]}
        if data["test_status"] is not None:
            return build_from_test_status(data["test_status"], learner, data["email"], **refs)
        check_not_above(data["marks_scored"], data["max_marks"], "marks_scored")
        check_order(data["start_time"], data["end_time"], "end_time_GMT")
        mode = data["finish_mode"]
        return build_result(
            status=COMPLETION_STATUS.get(token(mode or ""), ResultStatus.COMPLETED),
            started=data["start_time"],
            finished=data["end_time"],
            mode=mode,
            marks={
                "score": data["marks_scored"],
                "max_score": data["max_marks"],
                "duration": data["total_attempt_time"],
            },
            learner=learner,
            email=data["email"],
            extra=refs,
        )
