"""``vendor test`` against a vendor that answers too much or the wrong thing: it fails with
a message that says so, never a catalogue, and reads no more than its bound.  (Answers in
another plausible form where the docs leave the shape open: ``test_vendor_test_shapes``.)"""

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

OPTIONS: dict[str, list[str]] = {
    "startexam": ["--account-id", "77", "--secret-key", "se-secret", "--center", "sandbox"],
    "examspark": ["--app-key", "ak", "--app-secret", "es-secret", "--workspace-id", "district"],
    "mettl": ["--public-key", "pub", "--private-key", "me-secret"],
    "imocha": ["--api-key", "im-secret"],
    "proctorexam": ["--api-token", "pe-token", "--secret-key", "pe-secret"],
}
PAGINATION = {
    "X-Pagination-Page": "1",
    "X-Pagination-Page-Count": "1",
    "X-Pagination-Item-Count": "1",
    "X-Pagination-Limit": "1",
}
#: Per vendor, an answer to its connection check that is well-formed JSON but not the
#: listing or record asked for in any form we read (earlier releases reported each as "ok").
WRONG_SHAPES: dict[str, tuple[Answer, str]] = {
    "startexam": (
        Answer.json({"tests": [{"title": "no id", "status": "active"}]}),
        "a bare list of 1 item(s), 1 without 'testId' under 'tests'; that is not the test list",
    ),
    "examspark": (
        Answer.json({"workspace": {"name": "no id"}}),
        "that is not the workspace (an object with 'id') bare or under 'workspace'",
    ),
    "mettl": (Answer.json({"status": "SUCCESS"}), "without an accountInfo object"),
    "imocha": (
        Answer.json({"result": {"tests": [{"testName": "no id"}], "total": 1}}),
        "inside 'result', an object with keys 'tests', 'total'; a bare list of 1 item(s), 1"
        " without 'testId' under 'tests'; that is not the test list",
    ),
    "proctorexam": (
        Answer.json({"exams": [{"name": "no id"}]}, headers=PAGINATION),
        "a bare list of 1 item(s), 1 without 'id' under 'exams'; that is not the exam list",
    ),
}


@pytest.fixture
def vendor() -> t.Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


def add(run: t.Callable[..., Result], kind: str, url: str) -> None:
    added = run("vendor", "add", kind, "--name", "conn", "--base-url", url, *OPTIONS[kind])
    assert added.exit_code == 0, added.output


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("kind", sorted(OPTIONS))
def test_an_oversized_answer_fails_the_test_and_is_not_downloaded(
    run: t.Callable[..., Result], vendor: HostileServer, kind: str, declared: bool
) -> None:
    vendor.default = Answer.huge_json(64 * MIB, declared=declared, headers=PAGINATION)
    add(run, kind, vendor.url)
    result = run("vendor", "test", "conn")
    assert result.exit_code == 1, result.output
    assert "with more than 8 MiB (BRIDGE_HTTP_MAX_RESPONSE_BYTES); refused" in result.stderr
    assert kind in result.stderr and "catalogue:" not in result.stdout
    assert max(vendor.sent()) < 24 * MIB


@pytest.mark.parametrize("kind", sorted(WRONG_SHAPES))
def test_an_answer_of_the_wrong_shape_fails_the_test(
    run: t.Callable[..., Result], vendor: HostileServer, kind: str
) -> None:
    vendor.default, reason = WRONG_SHAPES[kind]
    add(run, kind, vendor.url)
    result = run("vendor", "test", "conn")
    assert result.exit_code == 1, result.output
    assert reason in result.stderr and kind in result.stderr
    assert result.stdout.startswith("credentials: accepted")
    assert "Error: catalogue: unreadable — " in result.stderr and "catalogue:" not in result.stdout


def test_the_configured_bound_is_the_one_vendor_connections_read_with(
    base_settings: dict[str, str], vendor: HostileServer
) -> None:
    """``BRIDGE_HTTP_MAX_RESPONSE_BYTES`` reaches the sessions of stored connections."""
    runner = CliRunner()
    env = {**base_settings, "BRIDGE_HTTP_MAX_RESPONSE_BYTES": str(64 * 1024)}
    vendor.default = Answer.huge_json(MIB, declared=False, headers=PAGINATION)
    added = runner.invoke(
        main,
        ["vendor", "add", "imocha", "--name", "conn", "--base-url", vendor.url, *OPTIONS["imocha"]],
        env=env,
        catch_exceptions=False,
    )
    assert added.exit_code == 0, added.output
    result = runner.invoke(main, ["vendor", "test", "conn"], env=env, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "with more than 64 KiB (BRIDGE_HTTP_MAX_RESPONSE_BYTES); refused" in result.stderr
