from __future__ import annotations

import decimal
import json

import pytest
from marshmallow import ValidationError

from mappings.ats import FieldMapError
from mappings.ats import FieldValueError
from mappings.preview import PREVIEW_USER_ID
from mappings.preview import build_preview
from mappings.registry import load_result
from mappings.result import AssessmentResultSchema
from tests.unit.mappings.helpers import sample

GREENHOUSE_MAP = {
    "target": "greenhouse",
    "fields": {
        "score_percent": {"key": "assessment_score", "type": "number"},
        "report_url": {"key": "assessment_report", "type": "url"},
        "level": {"key": "assessment_level", "type": "short_text"},
    },
}


def test_preview_without_a_map() -> None:
    raw = sample("imocha_report_type3")
    preview = build_preview("imocha", raw)
    assert set(preview) == {"result", "ags_score"}
    assert preview["result"] == AssessmentResultSchema().dump(load_result("imocha", raw))
    assert preview["ags_score"]["userId"] == PREVIEW_USER_ID
    assert (preview["ags_score"]["scoreGiven"], preview["ags_score"]["scoreMaximum"]) == (
        1.12,
        100.0,
    )
    json.dumps(preview)


def test_preview_in_points_with_a_map() -> None:
    preview = build_preview(
        "imocha",
        sample("imocha_report_type3"),
        score_mode="points",
        max_points=decimal.Decimal(10),
        ats_map=GREENHOUSE_MAP,
    )
    assert preview["ags_score"]["scoreGiven"] == 0.11
    assert preview["ats_fields"] == {
        "target": "greenhouse",
        "writes": [
            {
                "field": "report_url",
                "key": "assessment_report",
                "type": "url",
                "value": "https://app.interviewmocha.com/PDFReport?id=Hp2MdRaTmBEnI7%2bbD2G%2f",
                "clear": False,
                "request": {
                    "name_key": "assessment_report",
                    "value": "https://app.interviewmocha.com/PDFReport?id=Hp2MdRaTmBEnI7%2bbD2G%2f",
                },
            },
            {
                "field": "score_percent",
                "key": "assessment_score",
                "type": "number",
                "value": 1.12,
                "clear": False,
                "request": {"name_key": "assessment_score", "value": 1.12},
            },
        ],
    }


def test_preview_errors() -> None:
    with pytest.raises(ValidationError):
        build_preview("startexam", {"isFinished": True})
    with pytest.raises(FieldMapError):
        build_preview("imocha", sample("imocha_report_type3"), ats_map={"target": "x"})
    insecure = sample("imocha_report_type3")
    insecure["pdfReportUrl"] = "http://app.imocha.io/report"
    with pytest.raises(FieldValueError):
        build_preview("imocha", insecure, ats_map=GREENHOUSE_MAP)
    with pytest.raises(ValueError, match="max_points"):
        build_preview("imocha", insecure, max_points=decimal.Decimal(-1))
