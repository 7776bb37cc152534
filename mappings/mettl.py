"""Mettl candidate results and notifications -> :class:`AssessmentResult`.

Sources: ``docs/vendors/mettl.md#results`` (KB "16. Get Results of All Candidates in
Schedule": the four candidate states, ``ir`` and ``qr`` extras, completion modes,
overall/detailed statuses) and the finish/graded notification payloads described in
``docs/vendors/mettl.md#notification-fields``.

Accepted shapes (:func:`load_result`): a candidate object; ``{"candidate": ...}``
(single candidate); ``{"candidates": [one]}`` (a page with one candidate); a
``finishTest`` or ``gradedAssessment`` notification. :func:`load_candidates` maps a
whole page. An ``{"status": "ERROR", "error": ...}`` body raises a validation error.

Mettl keys a candidate by e-mail within a schedule, so ``attempt_ref`` is the e-mail.

Status words are combined by :func:`mappings.mettl_result.resolve_status`.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from marshmallow import ValidationError
from marshmallow import fields

from mappings.common import Record
from mappings.common import RecordList
from mappings.common import VendorSchema
from mappings.common import learner_from_fields
from mappings.common import only_item
from mappings.fields import EmailAddress
from mappings.mettl_notifications import MettlFinishNotificationSchema
from mappings.mettl_notifications import MettlGradedNotificationSchema
from mappings.mettl_result import MettlTestStatusSchema
from mappings.mettl_result import build_from_test_status
from mappings.result import AssessmentResult


class MettlCandidateSchema(VendorSchema):
    email = EmailAddress(load_default=None)
    registration = fields.Dict(keys=fields.String(), load_default=None)
    test_status = Record(MettlTestStatusSchema, data_key="testStatus", required=True)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        registration = data["registration"] or {}
        learner = learner_from_fields(sorted(registration.items()), "registration")
        return build_from_test_status(data["test_status"], learner, data["email"])


class MettlCandidateEnvelopeSchema(VendorSchema):
    candidate = Record(MettlCandidateSchema, required=True)

    def make(self, data: dict[str, t.Any]) -> AssessmentResult:
        result: AssessmentResult = data["candidate"]
        return result


class MettlCandidatesPageSchema(VendorSchema):
    candidates = RecordList(MettlCandidateSchema, required=True)

    def make(self, data: dict[str, t.Any]) -> tuple[AssessmentResult, ...]:
        results: tuple[AssessmentResult, ...] = data["candidates"]
        return results


_CANDIDATE = MettlCandidateSchema()
_ENVELOPE = MettlCandidateEnvelopeSchema()
_PAGE = MettlCandidatesPageSchema()
_EVENTS: Mapping[str, VendorSchema] = {
    "finishTest": MettlFinishNotificationSchema(),
    "gradedAssessment": MettlGradedNotificationSchema(),
}


def _raise_for_error(raw: t.Any) -> None:
    if isinstance(raw, Mapping) and raw.get("status") == "ERROR":
        error = raw.get("error")
        detail = error if isinstance(error, Mapping) else {}
        code, message = detail.get("code"), detail.get("message")
        raise ValidationError({"error": [f"Mettl returned an error: {code}: {message}"]})


def load_result(raw: Mapping[str, t.Any]) -> AssessmentResult:
    """Map one candidate result or notification to a canonical result.

    :raises marshmallow.ValidationError: when the payload is not a valid result.
    """
    _raise_for_error(raw)
    if isinstance(raw, Mapping) and "EVENT_TYPE" in raw:
        schema = _EVENTS.get(raw["EVENT_TYPE"]) if isinstance(raw["EVENT_TYPE"], str) else None
        if schema is None:
            expected = ", ".join(sorted(_EVENTS))
            raise ValidationError(
                {"EVENT_TYPE": [f"Unsupported event; expected one of: {expected}."]}
            )
        notified: AssessmentResult = schema.load(raw)
        return notified
    if isinstance(raw, Mapping) and "candidates" in raw:
        only_item(raw, "candidates")
        return load_candidates(raw)[0]
    schema = _ENVELOPE if isinstance(raw, Mapping) and "candidate" in raw else _CANDIDATE
    result: AssessmentResult = schema.load(raw)
    return result


def load_candidates(raw: Mapping[str, t.Any]) -> tuple[AssessmentResult, ...]:
    """Map a page of ``GET /v2/schedules/{access-key}/candidates``.

    :raises marshmallow.ValidationError: when the page is not valid.
    """
    _raise_for_error(raw)
    results: tuple[AssessmentResult, ...] = _PAGE.load(raw)
    return results
