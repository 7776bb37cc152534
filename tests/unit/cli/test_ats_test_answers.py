"""``ats test`` against an ATS that answers too much or the wrong thing: it fails with a
message that says so, never "ok", and reads no more than its bound."""

from __future__ import annotations

import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from tests.support.hostile_server import MIB
from tests.support.hostile_server import Answer
from tests.support.hostile_server import HostileServer
from tests.support.hostile_server import hostile_server

HUGE = 64 * MIB
REFUSED = "with more than 8 MiB (BRIDGE_HTTP_MAX_RESPONSE_BYTES); refused"
TOKEN = Answer.json({"access_token": "t", "expires_in": 3600})


@pytest.fixture
def ats() -> t.Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


def add(run: t.Callable[..., Result], kind: str, *options: str) -> None:
    added = run("ats", "add", kind, "--name", "conn", *options)
    assert added.exit_code == 0, added.output


def add_greenhouse(run: t.Callable[..., Result], ats: HostileServer) -> None:
    add(
        run,
        "greenhouse",
        *("--client-id", "cid", "--client-secret", "gh-secret", "--user-id", "5"),
        *("--base-url", ats.url, "--token-url", ats.url + "/token"),
    )


def failed(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "ok:" not in result.stdout
    return result.stderr


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("huge", ["POST /token", "GET /v3/custom_fields"])
def test_an_oversized_greenhouse_answer_fails_the_test(
    run: t.Callable[..., Result], ats: HostileServer, huge: str, declared: bool
) -> None:
    ats.answers["POST /token"] = TOKEN
    ats.answers["GET /v3/custom_fields"] = Answer.json([])
    ats.answers[huge] = Answer.huge_json(HUGE, declared=declared)
    add_greenhouse(run, ats)
    message = failed(run("ats", "test", "conn"))
    method, path = huge.split(" ")
    assert f"Greenhouse answered {method} {ats.url}{path} {REFUSED}" in message
    assert max(ats.sent()) < 24 * MIB


def test_a_greenhouse_field_listing_of_the_wrong_shape_fails_the_test(
    run: t.Callable[..., Result], ats: HostileServer
) -> None:
    ats.answers["POST /token"] = TOKEN
    ats.answers["GET /v3/custom_fields"] = Answer.json([{"name": "no id"}])
    add_greenhouse(run, ats)
    assert "listed a custom field without an id" in failed(run("ats", "test", "conn"))


def test_an_oversized_workable_answer_fails_the_test(
    run: t.Callable[..., Result], ats: HostileServer
) -> None:
    ats.default = Answer.huge_json(HUGE, declared=False)
    add(run, "workable", "--subdomain", "acme", "--token", "wk-token", "--base-url", ats.url)
    message = failed(run("ats", "test", "conn"))
    assert f"Workable answered GET {ats.url}/spi/v3/custom_attributes {REFUSED}" in message
    assert max(ats.sent()) < 24 * MIB


def test_an_oversized_answer_to_a_webhook_ping_fails_the_test(
    run: t.Callable[..., Result], ats: HostileServer
) -> None:
    ats.default = Answer.huge_json(HUGE, declared=False)
    add(run, "webhook", "--url", ats.url + "/hook", "--secret", "a-long-enough-secret")
    assert f"the webhook receiver answered {REFUSED}" in failed(run("ats", "test", "conn"))
    assert max(ats.sent()) < 24 * MIB
