"""iMocha's report (``GET /v3/reports/{id}``): its page lists the fields but not what
surrounds them, so it is read bare (our reading) or inside iMocha's ``result`` envelope,
the form seen logged once; an answer that is neither is refused, described."""

from __future__ import annotations

import logging
import typing as t

import pytest

from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.imocha.client import IMochaClient
from plugin.vendors.imocha.config import IMochaConfig
from tests.support.hostile_server import Answer
from tests.support.hostile_server import HostileServer
from tests.support.hostile_server import hostile_server

REPORT = {"testInvitationId": 42, "status": "Complete", "candidatePoints": 7}


@pytest.fixture
def vendor() -> t.Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


def client(vendor: HostileServer) -> IMochaClient:
    return IMochaClient(IMochaConfig.from_mapping({"api_key": "key", "base_url": vendor.url}))


@pytest.mark.parametrize(
    ("answer", "form"),
    [(REPORT, "a bare object"), ({"result": REPORT, "errors": None}, "an object under 'result'")],
)
def test_the_report_is_read_bare_or_in_its_envelope(
    vendor: HostileServer, answer: object, form: str, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answers["GET /v3/reports/42"] = Answer.json(answer)
    with caplog.at_level(logging.INFO, logger="plugin.vendors.shapes"):
        assert client(vendor).report(42, report_type=3) == REPORT
    assert f"iMocha answered GET /v3/reports/{{id}} with {form}" in caplog.text


def test_a_report_in_neither_form_is_refused_and_described(vendor: HostileServer) -> None:
    vendor.answers["GET /v3/reports/42"] = Answer.json({"result": None, "errors": ["x"]})
    with pytest.raises(InvalidResponseError) as refused:
        client(vendor).report(42)
    assert "with an object with keys 'result', 'errors'" in str(refused.value)
    assert "(an object with 'testInvitationId') bare or under 'result'" in str(refused.value)
