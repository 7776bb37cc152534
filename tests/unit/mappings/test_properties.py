"""Property tests: no input crashes the mappings, and what they produce stays in range."""

from __future__ import annotations

import copy
import decimal
import typing as t

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from mappings.ags import ScorePolicy
from mappings.ags import build_score
from mappings.ats import FieldMapError
from mappings.ats import FieldValueError
from mappings.ats import build_field_writes
from mappings.ats import plan_field_writes
from mappings.registry import KNOWN_KINDS
from mappings.registry import load_result
from mappings.result import AssessmentResult
from mappings.result import AssessmentResultSchema
from tests.unit.mappings.helpers import reordered
from tests.unit.mappings.helpers import sample

PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        ["", "00:00:25", "2025-01-16T03:09:50Z", "Completed", "https://a.example", "1e999"]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
SAMPLES = [
    ("startexam", "startexam_session_finished"),
    ("startexam", "startexam_session_unfinished_null"),
    ("examspark", "examspark_exam_session"),
    ("examspark", "examspark_exam_session_results"),
    ("mettl", "mettl_candidates_completed"),
    ("mettl", "mettl_candidates_in_progress"),
    ("mettl", "mettl_notification_graded"),
    ("mettl", "mettl_notification_finish"),
    ("imocha", "imocha_report_type3"),
    ("imocha", "imocha_report_type2"),
    ("imocha", "imocha_callback_legacy"),
    ("proctorexam", "proctorexam_student_sessions"),
]
LOADED = {name: sample(name) for _, name in SAMPLES}
POLICIES = st.builds(
    ScorePolicy,
    score_mode=st.sampled_from(["points", "percent"]),
    max_points=st.none() | st.decimals(min_value=1, max_value=1000, places=2),
    rounding_places=st.integers(0, 6),
    hold_for_manual_grading=st.booleans(),
    hold_for_proctoring_review=st.booleans(),
    comment_template=st.none() | st.just("$percent% $status $level"),
)
EVERY_FIELD_MAP = {
    "target": "webhook",
    "fields": {
        name: {"key": name, "type": kind}
        for name, kind in [
            ("score_percent", "number"),
            ("score", "number"),
            ("max_score", "number"),
            ("passed", "boolean"),
            ("level", "string"),
            ("status", "string"),
            ("report_url", "string"),
            ("completed_at", "datetime"),
            ("summary", "string"),
            ("proctoring_flag", "boolean"),
        ]
    },
}


def positions(value: t.Any, path: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(positions(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(positions(item, (*path, index)))
    return found


def replaced(document: t.Any, path: tuple, new: t.Any) -> t.Any:
    if not path:
        return new
    out = copy.deepcopy(document)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return out


def checked(result: AssessmentResult) -> None:
    """What every successfully mapped result must satisfy."""
    if result.percent is not None:
        assert decimal.Decimal(0) <= result.percent <= decimal.Decimal(100)
    schema = AssessmentResultSchema()
    assert schema.load(schema.dump(result)) == result


@PROPERTY_SETTINGS
@given(kind=st.sampled_from(KNOWN_KINDS), raw=JSON)
def test_arbitrary_json_only_ever_raises_validation_errors(kind: str, raw: t.Any) -> None:
    try:
        result = load_result(kind, raw)
    except ValidationError:
        return
    checked(result)


@PROPERTY_SETTINGS
@given(case=st.sampled_from(SAMPLES), data=st.data())
def test_mutated_samples_only_ever_raise_validation_errors(
    case: tuple[str, str], data: st.DataObject
) -> None:
    kind, name = case
    document = LOADED[name]
    path = data.draw(st.sampled_from(positions(document)), label="path")
    mutated = replaced(document, path, data.draw(JSON, label="value"))
    try:
        result = load_result(kind, mutated)
    except ValidationError:
        return
    checked(result)
    assert load_result(kind, reordered(mutated)).digest == result.digest


@PROPERTY_SETTINGS
@given(case=st.sampled_from(SAMPLES), policy=POLICIES, data=st.data())
def test_scores_and_field_writes_never_fail_for_mapped_results(
    case: tuple[str, str], policy: ScorePolicy, data: st.DataObject
) -> None:
    kind, name = case
    document = LOADED[name]
    path = data.draw(st.sampled_from(positions(document)), label="path")
    try:
        result = load_result(kind, replaced(document, path, data.draw(JSON, label="value")))
    except ValidationError:
        return
    score = build_score(result, policy, user_id="u")
    if "scoreGiven" in score:
        assert 0 <= score["scoreGiven"] <= score["scoreMaximum"]
    try:
        writes = build_field_writes(result, plan_field_writes(EVERY_FIELD_MAP))
    except FieldValueError:
        return
    assert {write.field for write in writes} <= set(EVERY_FIELD_MAP["fields"])


@PROPERTY_SETTINGS
@given(document=JSON | st.fixed_dictionaries({"target": JSON, "fields": JSON}))
def test_arbitrary_field_maps_only_ever_raise_field_map_errors(document: t.Any) -> None:
    try:
        planned = plan_field_writes(document)
    except FieldMapError as error:
        assert error.messages
        return
    assert planned.fields
