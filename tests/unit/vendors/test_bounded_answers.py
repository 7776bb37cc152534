"""Vendor answers are read within the vendor bound: a longer one is an
:class:`InvalidResponseError` naming the setting, and raw results larger than the 1 MiB
bound of platforms still pass."""

from __future__ import annotations

import typing as t

import pytest

from plugin.http.sessions import make_session
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.http import json_body
from plugin.vendors.http import send
from tests.support.hostile_server import MIB
from tests.support.hostile_server import Answer
from tests.support.hostile_server import HostileServer
from tests.support.hostile_server import hostile_server


@pytest.fixture
def vendor() -> t.Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_answer_is_an_invalid_response_naming_the_setting(
    vendor: HostileServer, declared: bool
) -> None:
    vendor.answers["GET /v2/report"] = Answer.huge_json(64 * MIB, declared=declared)
    with make_session() as session, pytest.raises(InvalidResponseError) as caught:
        send(session, "mettl", "GET", vendor.url + "/v2/report?asgn=signature")
    assert str(caught.value) == (
        "mettl: answered GET "
        f"{vendor.url}/v2/report with more than 8 MiB (BRIDGE_HTTP_MAX_RESPONSE_BYTES);"
        " refused (HTTP 200)"
    )
    assert caught.value.retryable
    assert vendor.sent("GET /v2/report")[0] < 24 * MIB


def test_the_bound_is_the_sessions_and_a_big_raw_result_passes_the_default(
    vendor: HostileServer,
) -> None:
    vendor.answers["GET /result"] = Answer.huge_json(3 * MIB, declared=False)
    with make_session() as session:
        body = json_body(send(session, "imocha", "GET", vendor.url + "/result"), "imocha")
    assert len(body["padding"]) > 2 * MIB
    with (
        make_session(max_response_bytes=MIB) as session,
        pytest.raises(InvalidResponseError, match="more than 1 MiB"),
    ):
        send(session, "imocha", "GET", vendor.url + "/result")
