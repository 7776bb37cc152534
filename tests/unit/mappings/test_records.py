"""The lean record fields behave like their marshmallow counterparts."""

from __future__ import annotations

import decimal
import typing as t

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields

from mappings.common import Record
from mappings.common import RecordList
from mappings.common import RecordMap
from mappings.common import aliased
from mappings.common import learner_from_fields
from mappings.common import only_item
from mappings.common import percent_of
from mappings.common import pick
from mappings.imocha_sections import IMochaSectionSchema
from mappings.result import Learner
from mappings.startexam import StartExamQuestionSchema
from tests.unit.mappings.helpers import sample

D = decimal.Decimal
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
QUESTION_KEYS = st.sampled_from(["num", "type", "score", "max", "elapsedTime", "code", "other"])
QUESTION = st.dictionaries(QUESTION_KEYS, JSON | st.sampled_from(["00:00:25", 1.5, 3]), max_size=7)


class Lean(Schema):
    items = RecordList(StartExamQuestionSchema)
    one = Record(StartExamQuestionSchema)
    by_id = RecordMap(StartExamQuestionSchema)
    sections = RecordList(IMochaSectionSchema)


class Plain(Schema):
    items = fields.List(fields.Nested(StartExamQuestionSchema))
    one = fields.Nested(StartExamQuestionSchema)
    by_id = fields.Dict(keys=fields.String(), values=fields.Nested(StartExamQuestionSchema))
    sections = fields.List(fields.Nested(IMochaSectionSchema))


def outcome(schema: Schema, data: t.Any) -> tuple[str, t.Any]:
    try:
        loaded = schema.load(data)
    except ValidationError as error:
        return "error", error.messages
    return "ok", {
        key: tuple(value) if isinstance(value, list) else value for key, value in loaded.items()
    }


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(QUESTION | JSON, max_size=3) | JSON,
    one=QUESTION | JSON,
    by_id=st.dictionaries(st.text(max_size=4), QUESTION | JSON, max_size=2) | JSON,
    sections=st.lists(
        st.dictionaries(
            st.sampled_from(["sectionID", "sectionName", "Skills", "noOfQue"]), JSON, max_size=4
        ),
        max_size=2,
    ),
)
def test_lean_records_load_and_fail_like_nested_schemas(
    items: t.Any, one: t.Any, by_id: t.Any, sections: t.Any
) -> None:
    data = {"items": items, "one": one, "by_id": by_id, "sections": sections}
    assert outcome(Lean(), data) == outcome(Plain(), data)


def test_sample_questions_load_the_same_both_ways() -> None:
    questions = sample("startexam_session_finished")["questions"]
    data = {"items": questions, "one": questions[0], "by_id": {"a": questions[1]}, "sections": []}
    assert outcome(Lean(), data) == outcome(Plain(), data)


@pytest.mark.parametrize(
    ("score", "top", "low", "expected"),
    [
        (D(17), D(20), D(0), D("85.00")),
        (D(1), D(3), D(0), D("33.33")),
        (D(2), D(3), D(0), D("66.67")),
        (D(-3), D(20), D(0), D("0.00")),
        (D(25), D(20), D(0), D("100.00")),
        (D(60), D(100), D(20), D("50.00")),
        (D(1), D(0), D(0), None),
        (None, D(20), D(0), None),
        (D(1), None, D(0), None),
    ],
)
def test_percent_of(score: D | None, top: D | None, low: D, expected: D | None) -> None:
    assert percent_of(score, top, low) == expected


def test_learner_from_registration_fields() -> None:
    pairs = [
        ("E-mail", " a@b.c "),
        ("First Name", "Ada"),
        ("Last Name", "Lovelace"),
        ("Employee Id", "7"),
    ]
    assert learner_from_fields(pairs, "f") == Learner("a@b.c", "Ada Lovelace", "7")
    assert learner_from_fields([("Name", "Ada L"), ("Age", 3)], "f") == Learner(name="Ada L")
    with pytest.raises(ValidationError) as caught:
        learner_from_fields([("Email Address", "nobody")], "registration")
    assert caught.value.field_name == "registration"


def test_pick_aliased_and_only_item() -> None:
    assert pick({"inprogress": 1}, "In Progress", "status") == 1
    with pytest.raises(ValidationError, match="expected one of: inprogress"):
        pick({"inprogress": 1}, "Done", "status")
    assert aliased({"Status": "a"}, {"Status": "status"}) == {"Status": "a", "status": "a"}
    assert aliased({"Status": "a", "status": "b"}, {"Status": "status"})["status"] == "b"
    assert only_item({"items": [7]}, "items") == 7
    with pytest.raises(ValidationError):
        only_item({"items": []}, "items")
