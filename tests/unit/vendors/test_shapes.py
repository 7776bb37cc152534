"""The tolerant readers of :mod:`plugin.vendors.shapes`: forms read, warnings, the log."""

from __future__ import annotations

import logging

import pytest

from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.shapes import Call
from plugin.vendors.shapes import read_enveloped_list
from plugin.vendors.shapes import read_list
from plugin.vendors.shapes import read_object

TESTS = [{"testId": "t-1"}, {"testId": 2}]


def call(connection: str = "conn-1") -> Call:
    return Call("startexam", "StartExam", "GET /v1/tests", "the test list", connection)


@pytest.mark.parametrize(
    ("data", "form", "warned"),
    [
        ({"tests": TESTS}, "a list under 'tests'", False),
        (TESTS, "a bare list", True),
        ({"items": TESTS, "tests": "none"}, "a list under 'items'", True),
    ],
)
def test_read_list_reads_each_plausible_form(data: object, form: str, warned: bool) -> None:
    read = read_list(data, call=call(), item_key="testId", documented="tests")
    assert read.value == TESTS and read.form == form
    assert bool(read.warnings) is warned


def test_read_list_refuses_items_without_the_key() -> None:
    with pytest.raises(InvalidResponseError, match="1 without 'testId' under 'tests'"):
        read_list({"tests": [{"testId": True}]}, call=call(), item_key="testId", documented="tests")


def test_read_object_prefers_the_wrapper_and_reads_bare() -> None:
    wrapped = {"workspace": {"id": "w"}, "id": "outer"}
    kwargs = {"call": call(), "wrapper": "workspace", "required": "id", "documented_wrapped": True}
    assert read_object(wrapped, **kwargs).value == {"id": "w"}  # type: ignore[arg-type]
    bare = read_object({"id": "w", "name": "n"}, **kwargs)  # type: ignore[arg-type]
    assert bare.form == "a bare object" and bare.warnings


def test_the_form_seen_is_logged_once_per_connection(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="plugin.vendors.shapes")
    for connection in ("log-a", "log-a", "log-b"):
        read_list(TESTS, call=call(connection), item_key="testId", documented="tests")
    seen = [r.getMessage() for r in caplog.records if r.name == "plugin.vendors.shapes"]
    assert seen == ["StartExam answered GET /v1/tests with a bare list"] * 2


@pytest.mark.parametrize(
    ("data", "form", "warned"),
    [
        ({"result": {"tests": TESTS, "total": 2}}, "a list under 'tests' inside 'result'", False),
        ({"result": {"data": TESTS}}, "a list under 'data' inside 'result'", True),
        ({"result": TESTS}, "a list under 'result'", True),
        ({"result": None, "tests": TESTS}, "a list under 'tests'", True),
        (TESTS, "a bare list", True),
    ],
)
def test_read_enveloped_list_reads_each_plausible_form(
    data: object, form: str, warned: bool
) -> None:
    read = read_enveloped_list(
        data, call=call(), item_key="testId", envelope="result", documented="tests"
    )
    assert read.value == TESTS and read.form == form
    assert bool(read.warnings) is warned


def test_read_enveloped_list_describes_what_is_inside_the_envelope() -> None:
    with pytest.raises(InvalidResponseError) as caught:
        read_enveloped_list(
            {"result": {"tests": [{"name": "x"}]}},
            call=call(),
            item_key="testId",
            envelope="result",
            documented="tests",
        )
    assert "inside 'result', an object with keys 'tests'; a bare list of 1 item(s), 1 without" in (
        str(caught.value)
    )
