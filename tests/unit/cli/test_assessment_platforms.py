"""``assessment add --platform``, ``assessment list``/``show`` with the platforms, and
``assessment platform add``/``remove``."""

from __future__ import annotations

import json
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main

SCHOOL_A = "https://lms.school-a.example"
SCHOOL_B = "https://lms.school-b.example"


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    invoke(
        "vendor", "add", "mettl", "--name", "m", "--public-key", "p", "--private-key", "s",
        "--base-url", "https://mettl.example",
    )  # fmt: skip
    for issuer, client_id in ((SCHOOL_A, "a-1"), (SCHOOL_B, "b-1")):
        registered = invoke(
            "platform", "add", "--issuer", issuer, "--client-id", client_id,
            "--auth-login-url", f"{issuer}/auth", "--auth-token-url", f"{issuer}/token",
            "--key-set-url", f"{issuer}/jwks", "--deployment-id", "d1",
        )  # fmt: skip
        assert registered.exit_code == 0, registered.output
    return invoke


def refused(result: Result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    return result.stderr


def add(run: t.Callable[..., Result], *platforms: str) -> int:
    args = [arg for issuer in platforms for arg in ("--platform", issuer)]
    # The Mettl connection's host does not exist: the schedule is not configured.
    created = run(
        "assessment", "add", "--vendor", "m", "--test-id", "t1", "--no-configure-vendor", *args
    )
    assert created.exit_code == 0, created.output
    return int(created.stdout.strip())


def test_add_refuses_an_issuer_that_is_not_registered_and_says_where_to_look(
    run: t.Callable[..., Result],
) -> None:
    result = run(
        "assessment", "add", "--vendor", "m", "--test-id", "t1",
        "--platform", SCHOOL_A, "--platform", "https://typo.example",
    )  # fmt: skip

    message = refused(result)
    assert "'https://typo.example'" in message
    assert "assessment-bridge platform list" in message
    assert json.loads(run("assessment", "list", "--json").stdout) == []


def test_list_shows_the_platforms_or_that_any_registered_platform_may_launch(
    run: t.Callable[..., Result],
) -> None:
    open_id = add(run)
    closed_id = add(run, SCHOOL_A, SCHOOL_B)

    table = run("assessment", "list").stdout.splitlines()
    listed = {row["id"]: row for row in json.loads(run("assessment", "list", "--json").stdout)}

    assert table[0].split()[-1] == "PLATFORMS"
    assert table[1].startswith(str(open_id)) and table[1].endswith("any registered platform")
    assert table[2].endswith(f"{SCHOOL_A}, {SCHOOL_B}")
    assert listed[open_id]["platforms"] == []
    assert listed[open_id]["open_to_every_platform"] is True
    assert listed[closed_id]["open_to_every_platform"] is False
    assert listed[closed_id]["platforms"] == [
        {"issuer": SCHOOL_A, "client_id": None, "deployment_id": None},
        {"issuer": SCHOOL_B, "client_id": None, "deployment_id": None},
    ]


def test_show_lists_the_platforms_added_and_removed_later(run: t.Callable[..., Result]) -> None:
    assessment = str(add(run))
    assert "  any registered platform" in run("assessment", "show", assessment).stdout

    added = run(
        "assessment", "platform", "add", assessment, "--platform", SCHOOL_A,
        "--client-id", "a-1", "--deployment-id", "d1",
    )  # fmt: skip
    run("assessment", "platform", "add", assessment, "--platform", SCHOOL_B)

    assert added.exit_code == 0, added.output
    shown = run("assessment", "show", assessment).stdout
    assert f"platforms:\n  {SCHOOL_A} [client id a-1, deployment d1]\n  {SCHOOL_B}\n" in shown
    as_json = json.loads(run("assessment", "show", assessment, "--json").stdout)
    assert [p["issuer"] for p in as_json["platforms"]] == [SCHOOL_A, SCHOOL_B]

    removed = run("assessment", "platform", "remove", assessment, "--platform", SCHOOL_B)
    assert removed.exit_code == 0, removed.output
    assert SCHOOL_B not in run("assessment", "show", assessment).stdout


def test_removing_the_last_platform_needs_the_flag_that_opens_the_assessment(
    run: t.Callable[..., Result],
) -> None:
    assessment = str(add(run, SCHOOL_A))

    message = refused(run("assessment", "platform", "remove", assessment, "--platform", SCHOOL_A))
    assert "--open-to-every-platform" in message

    opened = run(
        "assessment", "platform", "remove", assessment, "--platform", SCHOOL_A,
        "--open-to-every-platform", "--json",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert json.loads(opened.stdout)["open_to_every_platform"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "404"], "no assessment with id 404"),
        (["platform", "add", "404", "--platform", SCHOOL_A], "no assessment with id 404"),
        (["platform", "add", "1", "--platform", "https://typo.example"], "platform list"),
        (["platform", "add", "1", "--platform", SCHOOL_A, "--client-id", "zz"], "client id"),
        (["platform", "add", "1", "--platform", SCHOOL_A, "--deployment-id", "d9"], "deployment"),
        (["platform", "remove", "1", "--platform", SCHOOL_B], "not offered to"),
    ],
)
def test_mistakes_are_one_line_errors(
    run: t.Callable[..., Result], args: list[str], message: str
) -> None:
    add(run, SCHOOL_A)

    assert message in refused(run("assessment", *args))
