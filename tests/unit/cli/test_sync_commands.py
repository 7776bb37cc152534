"""``ats``, ``sync`` and ``reconcile`` commands, against the simulators over real HTTP."""

from __future__ import annotations

import json
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from plugin.sandbox.ats.greenhouse import SandboxGreenhouse
from plugin.sandbox.ats.greenhouse import create_greenhouse_app
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from tests.e2e.vendor_sims import control


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(main, list(args), env=base_settings, input=stdin)

    return invoke


def test_ats_add_fields_link_and_test_against_greenhouse(run: t.Callable[..., Result]) -> None:
    app = create_greenhouse_app(client_id="cid", client_secret="gh-secret-value", users=[5])
    with serve_app(app) as served:
        sandbox = SandboxGreenhouse(served.url)
        sandbox.add_field("Assessment score", "number", name_key="assessment_score")
        sandbox.add_field("Passed", "single_select", name_key="passed", options=["Yes", "No"])
        added = run(
            *("ats", "add", "greenhouse", "--name", "gh", "--client-id", "cid"),
            *("--user-id", "5", "--base-url", served.url, "--token-url", sandbox.token_url),
            *("--client-secret", "gh-secret-value", "--json"),
        )
        assert added.exit_code == 0, added.output
        assert "gh-secret-value" not in added.stdout
        assert json.loads(added.stdout)["settings"]["client_secret"] == "********"

        listed = run("ats", "fields", "gh", "--json")
        assert listed.exit_code == 0, listed.output
        keys = {field["key"] for field in json.loads(listed.stdout)}
        assert {"assessment_score", "passed"} <= keys

        mapped = run(
            *("ats", "fields", "gh", "--map", "score_percent=assessment_score:number"),
            *("--map", "passed=passed:single_select"),
            *("--option", "passed:true=Yes", "--option", "passed:false=No", "--json"),
        )
        assert mapped.exit_code == 0, mapped.output
        field_map = json.loads(mapped.stdout)["field_map"]
        assert field_map["fields"]["passed"]["options"] == {"true": "Yes", "false": "No"}

        checked = run("ats", "test", "gh")
        assert checked.exit_code == 0 and checked.stdout.startswith("ok: token OK")


def test_a_bad_field_map_is_refused_on_stderr_and_nothing_is_stored(
    run: t.Callable[..., Result],
) -> None:
    added = run(
        *("ats", "add", "webhook", "--name", "hook", "--url", "https://hooks.example/in"),
        *("--secret", "a-long-enough-secret"),
    )
    assert added.exit_code == 0, added.output
    wrong = run("ats", "fields", "hook", "--map", "score_percent=score:no_such_type")
    assert wrong.exit_code == 1 and "Not a webhook field type" in wrong.stderr
    malformed = run("ats", "fields", "hook", "--map", "score_percent")
    assert malformed.exit_code == 1 and "LOGICAL=KEY:TYPE" in malformed.stderr
    shown = json.loads(run("ats", "show", "hook", "--json").stdout)
    assert shown["field_map"] is None
    unknown = run("ats", "link", "hook", "--assessment", "99")
    assert unknown.exit_code == 1 and "no assessment with id 99" in unknown.stderr
    missing = run("ats", "show", "nope")
    assert missing.exit_code == 1 and "no ATS connection named 'nope'" in missing.stderr


def test_an_unknown_ats_kind_is_refused(run: t.Callable[..., Result]) -> None:
    result = run("ats", "add", "lever", "--name", "x")
    assert result.exit_code == 2 and "lever" in result.stderr


def test_reconcile_reports_per_vendor_and_status_shows_the_run(
    run: t.Callable[..., Result],
) -> None:
    with serve_app(create_mettl_app(public_key="pub", private_key="me-secret")) as mettl:
        key = control(mettl.url, "POST", "/sandbox/schedules", {"name": "Aptitude"})["accessKey"]
        control(mettl.url, "POST", f"/sandbox/schedules/{key}/bulk", {"count": 250})
        added = run(
            *("vendor", "add", "mettl", "--name", "mettl", "--base-url", mettl.url),
            *("--public-key", "pub", "--private-key", "me-secret"),
        )
        assert added.exit_code == 0, added.output

        reconciled = run("reconcile", "--json")
        assert reconciled.exit_code == 0, reconciled.output
        (report,) = json.loads(reconciled.stdout)
        assert (report["name"], report["listed"], report["matched"]) == ("mettl", 250, 0)
        assert report["pages"] == 3 and report["error"] is None

        table = run("reconcile", "--vendor", "mettl")
        assert table.exit_code == 0 and "page 3, 250 listed" in table.stderr

    status = json.loads(run("sync", "status", "--json").stdout)
    (cursor,) = status["reconciliation"]
    assert cursor["name"] == "mettl" and cursor["finished_at"] and cursor["last_error"] is None
    assert status["deliveries"] == {} and status["attempts_owed_sync"] == 0


def test_reconcile_of_an_unreachable_vendor_fails_with_the_reason(
    run: t.Callable[..., Result],
) -> None:
    added = run(
        *("vendor", "add", "mettl", "--name", "gone", "--base-url", "http://127.0.0.1:9"),
        *("--public-key", "pub", "--private-key", "secret"),
    )
    assert added.exit_code == 0, added.output
    result = run("reconcile", "--vendor", "gone", "--json")
    assert result.exit_code == 1 and "stopped early" in result.stderr
    (report,) = json.loads(result.stdout)
    assert "could not connect" in report["error"]
    status = json.loads(run("sync", "status", "--json").stdout)
    assert "could not connect" in status["reconciliation"][0]["last_error"]


def test_sync_commands_refuse_unknown_names_on_stderr(run: t.Callable[..., Result]) -> None:
    assert "no vendor connection named 'x'" in run("reconcile", "--vendor", "x").stderr
    assert "no attempt 'abc'" in run("sync", "attempt", "abc").stderr
    assert "no delivery 5" in run("sync", "show", "5").stderr
    nothing = run("sync", "retry")
    assert nothing.exit_code == 1 and "--all-dead" in nothing.stderr
    listed = run("sync", "deliveries", "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []
