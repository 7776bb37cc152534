"""What the bridge would send for one vendor payload (``assessment-bridge mapping preview``).

The ATS map argument uses the JSON format documented in :mod:`mappings.ats_map`::

    {"target": "greenhouse" | "workable" | "webhook",
     "fields": {"score_percent": {"key": "assessment_score", "type": "number"}, ...}}
"""

from __future__ import annotations

import decimal
import typing as t
from collections.abc import Mapping

from mappings.ags import ScoreMode
from mappings.ags import ScorePolicy
from mappings.ags import build_score
from mappings.ats import build_field_writes
from mappings.ats_map import plan_field_writes
from mappings.registry import load_result
from mappings.result import AssessmentResultSchema

#: ``userId`` shown in a preview: the real one is the learner's LTI ``sub``.
PREVIEW_USER_ID = "lti-user-id"

_RESULT_SCHEMA = AssessmentResultSchema()


def build_preview(
    kind: str,
    raw: Mapping[str, t.Any],
    *,
    score_mode: ScoreMode = "percent",
    max_points: decimal.Decimal | None = None,
    ats_map: Mapping[str, t.Any] | None = None,
) -> dict[str, t.Any]:
    """Map ``raw`` and return ``{"result", "ags_score"[, "ats_fields"]}`` as JSON data.

    :raises ValueError: for an unknown ``kind`` or invalid policy settings.
    :raises mappings.ats_map.FieldMapError: for an invalid ATS map.
    :raises mappings.ats.FieldValueError: when the result cannot be written to the map.
    :raises marshmallow.ValidationError: when ``raw`` is not a valid payload.
    """
    policy = ScorePolicy(score_mode=score_mode, max_points=max_points)
    plan = None if ats_map is None else plan_field_writes(ats_map)
    result = load_result(kind, raw)
    preview: dict[str, t.Any] = {
        "result": _RESULT_SCHEMA.dump(result),
        "ags_score": build_score(result, policy, user_id=PREVIEW_USER_ID),
    }
    if plan is not None:
        writes = build_field_writes(result, plan)
        preview["ats_fields"] = {
            "target": plan.target,
            "writes": [
                {
                    "field": write.field,
                    "key": write.key,
                    "type": write.type,
                    "value": write.value,
                    "clear": write.clear,
                    "request": write.wire(),
                }
                for write in writes
            ],
        }
    return preview
