"""``vendor`` and ``assessment`` commands against the vendor simulators over real HTTP."""

from __future__ import annotations

import json
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.sandbox.vendors.examspark.sdk import SCRIPT_PATH
from plugin.sandbox.vendors.examspark.sdk import script_integrity
from plugin.sandbox.vendors.imocha import create_imocha_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.sandbox.vendors.proctorexam import create_proctorexam_app
from plugin.sandbox.vendors.startexam import create_startexam_app

SIMULATORS: dict[str, tuple[t.Callable[..., t.Any], dict[str, str], dict[str, str]]] = {
    "startexam": (create_startexam_app, {"account_id": "77", "secret_key": "se-secret", "center": "sandbox"},
                  {"account-id": "77", "secret-key": "se-secret", "center": "sandbox"}),
    "examspark": (create_examspark_app, {"app_key": "ak", "app_secret": "es-secret"},
                  {"app-key": "ak", "app-secret": "es-secret", "workspace-id": "sandbox-district"}),
    "mettl": (create_mettl_app, {"public_key": "pub", "private_key": "me-secret"},
              {"public-key": "pub", "private-key": "me-secret"}),
    "imocha": (create_imocha_app, {"api_key": "im-secret"}, {"api-key": "im-secret"}),
    "proctorexam": (create_proctorexam_app, {"api_token": "pe-token", "secret_key": "pe-secret"},
                    {"api-token": "pe-token", "secret-key": "pe-secret"}),
}  # fmt: skip


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


def add_args(kind: str, url: str, options: dict[str, str], name: str = "conn") -> list[str]:
    args = ["vendor", "add", kind, "--name", name, "--base-url", url]
    for key, value in options.items():
        args += [f"--{key}", value]
    if kind == "examspark":  # the simulator's SDK bundle, pinned as an admin must
        args += [
            "--sdk-script-url",
            url + SCRIPT_PATH,
            "--sdk-script-integrity",
            script_integrity(),
        ]
    return args


@pytest.mark.parametrize("kind", sorted(SIMULATORS))
def test_vendor_test_passes_against_the_simulator_and_secrets_stay_hidden(
    run: t.Callable[..., Result], kind: str
) -> None:
    factory, credentials, options = SIMULATORS[kind]
    with serve_app(factory(**credentials)) as simulator:
        added = run(*add_args(kind, simulator.url, options), "--json")
        assert added.exit_code == 0, added.output
        shown = json.loads(run("vendor", "show", "conn", "--json").stdout)
        secret_values = [
            v for k, v in options.items() if "secret" in k or "token" in k or k == "api-key"
        ]
        for secret in secret_values:
            assert secret not in added.stdout and secret not in json.dumps(shown)
        assert shown["callback_url"].startswith(f"http://127.0.0.1:8000/callbacks/{kind}/")
        checked = run("vendor", "test", "conn")
        assert checked.exit_code == 0, checked.output
        assert checked.stdout.startswith("credentials: accepted")
        assert "\ncatalogue: " in checked.stdout and checked.stderr == ""


def test_vendor_test_reports_a_refusal_in_plain_words(run: t.Callable[..., Result]) -> None:
    with serve_app(create_mettl_app(public_key="pub", private_key="right")) as simulator:
        run(*add_args("mettl", simulator.url, {"public-key": "pub", "private-key": "wrong"}))
        result = run("vendor", "test", "conn")
    assert result.exit_code != 0
    assert "mettl" in result.stderr and "wrong" not in result.stderr


def test_vendor_test_reports_an_unreachable_vendor(run: t.Callable[..., Result]) -> None:
    run(*add_args("imocha", "http://127.0.0.1:9", {"api-key": "k"}))
    result = run("vendor", "test", "conn")
    assert result.exit_code != 0 and "could not connect" in result.stderr


def test_bad_settings_are_refused_and_nothing_is_stored(run: t.Callable[..., Result]) -> None:
    result = run(
        "vendor",
        "add",
        "startexam",
        "--name",
        "x",
        "--account-id",
        "1",
        "--secret-key",
        "s",
        "--center",
        "c",
        "--base-url",
        "not a url",
    )
    assert result.exit_code != 0 and "base_url" in result.stderr
    assert json.loads(run("vendor", "list", "--json").stdout) == []


def test_assessments_need_a_main_vendor_and_block_connection_removal(
    run: t.Callable[..., Result],
) -> None:
    run(
        *add_args(
            "mettl", "https://mettl.example", {"public-key": "p", "private-key": "s"}, name="m"
        )
    )
    run(
        *add_args(
            "proctorexam", "https://pe.example", {"api-token": "t", "secret-key": "s"}, name="pe"
        )
    )
    refused = run("assessment", "add", "--vendor", "pe", "--test-id", "1")
    assert refused.exit_code != 0 and "proctoring layer" in refused.stderr
    created = run(
        "assessment",
        "add",
        "--vendor",
        "m",
        "--test-id",
        "ak-1",
        "--title",
        "Java",
        "--proctoring",
        "pe:55",
        "--no-configure-vendor",
    )
    assert created.exit_code == 0 and created.stdout.strip().isdigit()
    listed = json.loads(run("assessment", "list", "--json").stdout)
    assert listed[0]["proctoring_connection"] == "pe" and listed[0]["proctoring_exam_id"] == "55"
    blocked = run("vendor", "remove", "m")
    assert blocked.exit_code != 0 and "used by assessment" in blocked.stderr
    unknown = run("assessment", "add", "--vendor", "nope", "--test-id", "1")
    assert unknown.exit_code != 0 and "no vendor connection" in unknown.stderr
