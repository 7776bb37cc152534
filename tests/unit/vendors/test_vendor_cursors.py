"""Reconciliation cursors stored by the previous release still decode to the same
position, and a position is still written in the same text (``sync_cursors`` rows
outlive a release)."""

from __future__ import annotations

import pytest

from plugin.vendors.cursor import VendorCursor
from plugin.vendors.errors import CursorError
from plugin.vendors.examspark.cursor import PageCursor
from plugin.vendors.imocha.cursor import WindowCursor
from plugin.vendors.mettl.cursor import SweepCursor as MettlSweepCursor
from plugin.vendors.proctorexam.cursor import SweepCursor as ProctorExamSweepCursor
from plugin.vendors.startexam.cursor import SessionsCursor

PAGING_URL = (
    "https://api.mettl.com/v2/schedules/k1/candidates?limit=100&offset=100&ak=pk&ts=1&asgn=x"
)

#: (text the previous release stored, the position it denotes)
STORED: list[tuple[str, VendorCursor]] = [
    ('{"modifiedSince":"2025-01-16T05:09:50Z"}', SessionsCursor("2025-01-16T05:09:50Z")),
    (
        '{"modifiedSince":"2025-01-16T05:09:50Z","continuationToken":"tok-1"}',
        SessionsCursor("2025-01-16T05:09:50Z", "tok-1"),
    ),
    ('{"v":1,"nextToken":"eyJwayI6IjEifQ=="}', PageCursor("eyJwayI6IjEifQ==")),
    (
        f'{{"v":1,"keys":["k1","k2"],"offset":100,"next":"{PAGING_URL}"}}',
        MettlSweepCursor(("k1", "k2"), 100, PAGING_URL),
    ),
    ('{"v":1,"keys":["k2"],"offset":0,"next":null}', MettlSweepCursor(("k2",))),
    (
        '{"v":1,"from":1700000000,"until":1700003600,"state":2}',
        WindowCursor(1700000000, 1700003600, 2),
    ),
    ('{"v":1,"from":1700000000,"until":null,"state":0}', WindowCursor(1700000000)),
    ('{"updatedSince":null}', ProctorExamSweepCursor()),
    (
        '{"updatedSince":"2025-01-16T05:09:50.123+00:00","latestSeen":'
        '"2025-01-17T00:00:00.000+00:00","exams":[7,9],"page":3}',
        ProctorExamSweepCursor(
            "2025-01-16T05:09:50.123+00:00", "2025-01-17T00:00:00.000+00:00", (7, 9), 3
        ),
    ),
]


@pytest.mark.parametrize(("text", "position"), STORED)
def test_a_stored_cursor_decodes_to_the_same_position(text: str, position: VendorCursor) -> None:
    assert type(position).decode(text) == position


@pytest.mark.parametrize(("text", "position"), STORED)
def test_a_position_is_written_in_the_stored_format(text: str, position: VendorCursor) -> None:
    assert position.encode() == text


@pytest.mark.parametrize(
    "cursor_type",
    [SessionsCursor, PageCursor, MettlSweepCursor, WindowCursor, ProctorExamSweepCursor],
)
@pytest.mark.parametrize("text", ["not json", "[]", '{"v": 99, "page": "x"}'])
def test_a_foreign_cursor_is_a_cursor_error(cursor_type: type[VendorCursor], text: str) -> None:
    with pytest.raises(CursorError, match="cursor"):
        cursor_type.decode(text)
