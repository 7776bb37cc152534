"""Vendor payloads -> one canonical result -> AGS scores and ATS field writes.

Pure data: marshmallow schemas and frozen dataclasses, no I/O. Entry points:

- :func:`mappings.registry.load_result` (vendor kind + raw JSON -> :class:`AssessmentResult`)
- :func:`mappings.ags.build_score` (result + :class:`ScorePolicy` -> AGS Score JSON)
- :func:`mappings.ats.plan_field_writes` / :func:`mappings.ats.build_field_writes`
  (result + field map -> typed ATS writes)
"""

from __future__ import annotations

from mappings.ags import ScorePolicy
from mappings.ags import build_score
from mappings.ats import FieldMap
from mappings.ats import FieldMapError
from mappings.ats import FieldValueError
from mappings.ats import FieldWrite
from mappings.ats import build_field_writes
from mappings.ats import plan_field_writes
from mappings.registry import KNOWN_KINDS
from mappings.registry import load_result
from mappings.registry import merge_proctoring
from mappings.result import AssessmentResult
from mappings.result import AssessmentResultSchema
from mappings.result import ProctoringStatus
from mappings.result import ResultStatus

__all__ = [
    "KNOWN_KINDS",
    "AssessmentResult",
    "AssessmentResultSchema",
    "FieldMap",
    "FieldMapError",
    "FieldValueError",
    "FieldWrite",
    "ProctoringStatus",
    "ResultStatus",
    "ScorePolicy",
    "build_field_writes",
    "build_score",
    "load_result",
    "merge_proctoring",
    "plan_field_writes",
]
