"""``AssessmentService.add(configure_vendor=True)``: every local check before the vendor
call, a vendor refusal stores nothing, and what was set is returned."""

from __future__ import annotations

import typing as t

import pytest

from plugin.attempts.assessments import AssessmentError
from plugin.attempts.assessments import AssessmentService
from plugin.attempts.assessments import VendorSetupError
from plugin.services import services
from plugin.vendors.errors import NotFoundError

if t.TYPE_CHECKING:
    from flask import Flask


class FakeVendor:
    """Records each (connection id, test id) it is asked to configure."""

    def __init__(
        self, answer: tuple[str, ...] | None = ("set it",), *, refuse: bool = False
    ) -> None:
        self.calls: list[tuple[int, str]] = []
        self.answer = answer
        self.refuse = refuse

    def __call__(self, connection_id: int, test_id: str) -> tuple[str, ...] | None:
        self.calls.append((connection_id, test_id))
        if self.refuse:
            raise NotFoundError("E404 No schedule found", vendor="mettl")
        return self.answer


def service(app: Flask, vendor: FakeVendor) -> tuple[AssessmentService, int]:
    info = services(app).vendor_connections.add(
        "mettl", "m", {"public_key": "p", "private_key": "s", "base_url": "https://m.example"}
    )
    return AssessmentService(services(app).sessions, vendor), info.id


def test_the_vendor_is_configured_and_the_lines_returned(app: Flask) -> None:
    vendor = FakeVendor()
    assessments, connection_id = service(app, vendor)

    info = assessments.add(connection="m", test_id="k1", configure_vendor=True)

    assert vendor.calls == [(connection_id, "k1")]
    assert info.vendor_setup == ("set it",)
    assert [a.id for a in assessments.list()] == [info.id]
    assert assessments.get(info.id).vendor_setup is None


def test_without_the_flag_the_vendor_is_not_called(app: Flask) -> None:
    vendor = FakeVendor()
    assessments, _ = service(app, vendor)

    info = assessments.add(connection="m", test_id="k1")

    assert vendor.calls == [] and info.vendor_setup is None


def test_a_refusal_stores_nothing(app: Flask) -> None:
    assessments, _ = service(app, FakeVendor(refuse=True))

    with pytest.raises(VendorSetupError, match=r"did not configure test 'k1'.*E404"):
        assessments.add(connection="m", test_id="k1", configure_vendor=True)

    assert assessments.list() == []


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"test_id": " "}, "cannot be empty"),
        ({"platforms": ("https://unknown.example",)}, "no platform registered"),
        ({"proctoring": "m:1"}, "--proctoring takes"),
        ({"policy": {"score_mode": "nonsense"}}, "score_mode"),
    ],
)
def test_local_checks_run_before_the_vendor_is_called(
    app: Flask, fields: dict[str, t.Any], problem: str
) -> None:
    vendor = FakeVendor()
    assessments, _ = service(app, vendor)

    with pytest.raises(AssessmentError, match=problem):
        assessments.add(connection="m", **{"test_id": "k1", **fields}, configure_vendor=True)

    assert vendor.calls == [] and assessments.list() == []


def test_configure_an_existing_assessment(app: Flask) -> None:
    vendor = FakeVendor()
    assessments, connection_id = service(app, vendor)
    added = assessments.add(connection="m", test_id="k1")

    assert assessments.configure(added.id).vendor_setup == ("set it",)
    assert vendor.calls == [(connection_id, "k1")]


def test_configure_on_a_vendor_without_the_api_says_so(app: Flask) -> None:
    assessments, _ = service(app, FakeVendor(answer=None))
    added = assessments.add(connection="m", test_id="k1")

    with pytest.raises(AssessmentError, match="no API to configure its tests"):
        assessments.configure(added.id)
